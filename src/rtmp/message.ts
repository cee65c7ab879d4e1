/**
 * RTMP messages (RTMP spec §5.4, §6.2, §7.1): the type ids, the message value that chunk streams
 * carry, and the protocol control messages the client sends and answers.
 */
import { ByteReader } from '../media/bytes/byte-reader.js';
import { ByteWriter } from '../media/bytes/byte-writer.js';

export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  CommandAmf3: 17,
  DataAmf0: 18,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** User control event types (§7.1.7). */
export const UserControlEvent = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Chunk stream ids this client uses. 2 is reserved for protocol control (§5.3.1.1). */
export const ChunkStream = {
  Control: 2,
  Command: 3,
  Audio: 4,
  Data: 5,
  Video: 6,
} as const;

export interface RtmpMessage {
  typeId: number;
  /** Message stream id: 0 for the connection, the id `createStream` returned for media. */
  streamId: number;
  /** Milliseconds; 32 bits on the wire, so the chunk writer takes it modulo 2^32 (§5.3.1.3). */
  timestamp: number;
  payload: Uint8Array;
}

export interface OutgoingMessage extends RtmpMessage {
  csid: number;
}

function control(typeId: number, payload: Uint8Array): OutgoingMessage {
  return { csid: ChunkStream.Control, typeId, streamId: 0, timestamp: 0, payload };
}

/** Set Chunk Size (§5.4.1): the top bit must be zero. */
export function setChunkSizeMessage(size: number): OutgoingMessage {
  return control(MessageType.SetChunkSize, new ByteWriter(4).writeU32BE(size & 0x7fffffff).toBytes());
}

/** Acknowledgement (§5.4.3): the number of bytes received so far, modulo 2^32. */
export function acknowledgementMessage(sequenceNumber: number): OutgoingMessage {
  return control(MessageType.Acknowledgement, new ByteWriter(4).writeU32BE(sequenceNumber % 2 ** 32).toBytes());
}

/** Window Acknowledgement Size (§5.4.4). */
export function windowAckSizeMessage(size: number): OutgoingMessage {
  return control(MessageType.WindowAckSize, new ByteWriter(4).writeU32BE(size).toBytes());
}

/** User Control PingResponse (§7.1.7), echoing the request's timestamp. */
export function pingResponseMessage(timestamp: number): OutgoingMessage {
  const payload = new ByteWriter(6).writeU16BE(UserControlEvent.PingResponse).writeU32BE(timestamp).toBytes();
  return control(MessageType.UserControl, payload);
}

/** Reads the 4-byte big-endian value of Set Chunk Size, Acknowledgement, Window Ack Size. */
export function readU32Payload(payload: Uint8Array): number {
  return new ByteReader(payload).readU32BE();
}

export interface UserControl {
  event: number;
  /** First 4-byte event data field: stream id or ping timestamp. */
  value: number;
}

export function parseUserControl(payload: Uint8Array): UserControl {
  const r = new ByteReader(payload);
  return { event: r.readU16BE(), value: r.remaining >= 4 ? r.readU32BE() : 0 };
}

export interface PeerBandwidth {
  size: number;
  /** 0 hard, 1 soft, 2 dynamic (§5.4.5). */
  limitType: number;
}

export function parsePeerBandwidth(payload: Uint8Array): PeerBandwidth {
  const r = new ByteReader(payload);
  return { size: r.readU32BE(), limitType: r.remaining > 0 ? r.readU8() : 2 };
}
