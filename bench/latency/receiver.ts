/**
 * A minimal RTMP receiving server for the latency bench, on loopback and a free port: it completes
 * the simple handshake and answers `connect`, `createStream` and `publish` (`_result`, then
 * `onStatus NetStream.Publish.Start`). It keeps every read of the connection as it came, with the
 * moment (`performance.now()` in this process) it was read, so that the bench can find out later
 * which read completed which message and which of the page's sends carried its last byte
 * ({@link splitMessages}).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { decodeAmf0, encodeAmf0, type Amf0Value } from '../../src/media/amf0.js';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { ChunkWriter } from '../../src/rtmp/chunk-writer.js';
import { ChunkStream, MessageType, type RtmpMessage } from '../../src/rtmp/message.js';

const HANDSHAKE_SIZE = 1536;
/** C0 + C1 + C2: what the client sends before its first chunk. */
const CLIENT_HANDSHAKE_BYTES = 1 + HANDSHAKE_SIZE * 2;
const MEDIA_STREAM_ID = 1;

/** Bytes of the client's stream as one `data` event delivered them. */
export interface Read {
  bytes: Uint8Array;
  /** `performance.now()` of this process at the `data` event. */
  atMs: number;
}

export interface Receiver {
  readonly port: number;
  /** The reads of each connection, in connection order. */
  readonly connections: Read[][];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const connections: Read[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const reads: Read[] = [];
    connections.push(reads);
    serveConnection(socket, reads);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveConnection(socket: net.Socket, reads: Read[]): void {
  const writer = new ChunkWriter();
  const command = (streamId: number, ...values: Amf0Value[]): void => {
    const payload = encodeAmf0(...values);
    socket.write(writer.write({ csid: ChunkStream.Command, typeId: MessageType.CommandAmf0, streamId, timestamp: 0, payload }));
  };
  const reader = new ChunkReader((message) => {
    if (message.typeId === MessageType.CommandAmf0) answer(message, command);
  });
  const c1 = new Uint8Array(1 + HANDSHAKE_SIZE); // C0 + C1
  let offset = 0;
  socket.on('data', (bytes: Buffer) => {
    reads.push({ bytes, atMs: performance.now() });
    const start = offset;
    offset += bytes.length;
    if (start < c1.length) c1.set(bytes.subarray(0, c1.length - start), start);
    if (start < c1.length && offset >= c1.length) socket.write(serverHandshake(c1.subarray(1)));
    if (offset > CLIENT_HANDSHAKE_BYTES) reader.push(bytes.subarray(Math.max(0, CLIENT_HANDSHAKE_BYTES - start)));
  });
  socket.on('error', () => socket.destroy());
}

/** S0 (version 3), S1 (zero time and bytes), S2 (the echo of C1). */
function serverHandshake(c1: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + HANDSHAKE_SIZE * 2);
  out[0] = 3;
  out.set(c1, 1 + HANDSHAKE_SIZE);
  return out;
}

/** The answers the publish flow waits for; other commands (releaseStream, FCPublish, …) go unanswered. */
function answer(message: RtmpMessage, command: (streamId: number, ...values: Amf0Value[]) => void): void {
  const [name, transaction] = decodeAmf0(message.payload);
  if (name === 'connect') {
    command(0, '_result', transaction!, { fmsVer: 'latency-bench' }, { level: 'status', code: 'NetConnection.Connect.Success' });
  } else if (name === 'createStream') {
    command(0, '_result', transaction!, null, MEDIA_STREAM_ID);
  } else if (name === 'publish') {
    command(MEDIA_STREAM_ID, 'onStatus', 0, null, { level: 'status', code: 'NetStream.Publish.Start', description: 'publishing' });
  }
}

/** One audio or video message, with when its last byte was sent by the page and read here. */
export interface TimedMessage {
  kind: 'audio' | 'video';
  /** RTMP/FLV timestamp, ms. */
  timestamp: number;
  /** The FLV tag body. */
  data: Uint8Array;
  /** Page `performance.now()` of the `WebSocket.send` that carried the last byte; undefined past the send log. */
  sentPageMs: number | undefined;
  /** Our `performance.now()` of the read that completed the message. */
  arrivedMs: number;
}

/**
 * Parses a connection's reads again, cut at the page's send boundaries (`sendEnds`: the stream
 * offset after each binary `WebSocket.send`, with its page time), so each message completes inside
 * a piece that lies in one read and one send: both times are exact for its last byte. The tunnel
 * carries the RTMP bytes unchanged, so stream offsets here and in the page are the same.
 */
export function splitMessages(reads: readonly Read[], sendEnds: readonly { end: number; atMs: number }[]): TimedMessage[] {
  const messages: TimedMessage[] = [];
  let piece = { sentPageMs: undefined as number | undefined, arrivedMs: 0 };
  const reader = new ChunkReader((m) => {
    if (m.typeId !== MessageType.Audio && m.typeId !== MessageType.Video) return;
    messages.push({ kind: m.typeId === MessageType.Audio ? 'audio' : 'video', timestamp: m.timestamp, data: m.payload, ...piece });
  });
  let offset = 0;
  let send = 0;
  for (const read of reads) {
    for (let pos = 0; pos < read.bytes.length; ) {
      while (send < sendEnds.length && sendEnds[send]!.end <= offset) send++;
      const sendEnd = sendEnds[send]?.end ?? Number.POSITIVE_INFINITY;
      const handshakeLeft = offset < CLIENT_HANDSHAKE_BYTES ? CLIENT_HANDSHAKE_BYTES - offset : Number.POSITIVE_INFINITY;
      const size = Math.min(read.bytes.length - pos, sendEnd - offset, handshakeLeft);
      piece = { sentPageMs: sendEnds[send]?.atMs, arrivedMs: read.atMs };
      if (offset >= CLIENT_HANDSHAKE_BYTES) reader.push(read.bytes.subarray(pos, pos + size));
      pos += size;
      offset += size;
    }
  }
  return messages;
}
