/**
 * live-pusher for Node: everything in the platform-neutral entry, plus the TCP/TLS transport,
 * file sources, `pushFile`, and the embedded ingest the studio runs.
 */
export * from '../index.js';
export { TcpTransport, type TcpTransportOptions } from '../transport/tcp.js';
export { pushFile, type PushFileOptions, type PushFileResult } from './push-file.js';
export { openMediaFile } from './sources/open-media-file.js';
export { startEmbeddedIngest, type EmbeddedIngest, type EmbeddedIngestOptions } from './ingest/embedded-ingest.js';
export * from './gateway/index.js';
export { startStudio, type Studio, type StudioOptions } from './studio/server.js';
