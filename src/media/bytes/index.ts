export { ByteReader } from './byte-reader.js';
export { ByteWriter } from './byte-writer.js';
export { BitReader } from './bit-reader.js';
export { BitWriter } from './bit-writer.js';
