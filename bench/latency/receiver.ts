/**
 * A minimal RTMP receiving server for the latency bench, on loopback and a free port: it completes
 * the simple handshake, answers `connect`, `createStream` and `publish` (`_result`, then
 * `onStatus NetStream.Publish.Start`) and notes, for every audio and video message, the
 * moment (`performance.now()` in this process) its last chunk was read. It stores no media.
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

/** One audio or video message as it arrived. */
export interface Arrival {
  kind: 'audio' | 'video';
  /** RTMP/FLV timestamp, ms. */
  timestamp: number;
  /** The FLV tag body (AVC/AAC packet type, composition time, …). */
  data: Uint8Array;
  /** `performance.now()` of this process when the message was complete. */
  arrivedMs: number;
}

export interface Receiver {
  readonly port: number;
  /** Every audio/video message so far, in arrival order. */
  readonly arrivals: Arrival[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const arrivals: Arrival[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    serveConnection(socket, arrivals);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveConnection(socket: net.Socket, arrivals: Arrival[]): void {
  const writer = new ChunkWriter();
  const command = (streamId: number, ...values: Amf0Value[]): void => {
    socket.write(writer.write({ csid: ChunkStream.Command, typeId: MessageType.CommandAmf0, streamId, timestamp: 0, payload: encodeAmf0(...values) }));
  };
  const reader = new ChunkReader((message) => {
    const arrivedMs = performance.now();
    if (message.typeId === MessageType.Audio || message.typeId === MessageType.Video) {
      const kind = message.typeId === MessageType.Audio ? 'audio' : 'video';
      arrivals.push({ kind, timestamp: message.timestamp, data: message.payload, arrivedMs });
    } else if (message.typeId === MessageType.CommandAmf0) {
      answer(message, command);
    }
  });
  let handshakeBytes = 0;
  let c1: Uint8Array | undefined;
  socket.on('data', (bytes: Buffer) => {
    let data: Uint8Array = bytes;
    if (handshakeBytes < CLIENT_HANDSHAKE_BYTES) {
      const take = Math.min(data.length, CLIENT_HANDSHAKE_BYTES - handshakeBytes);
      c1 ??= new Uint8Array(1 + HANDSHAKE_SIZE);
      if (handshakeBytes < c1.length) c1.set(data.subarray(0, Math.min(take, c1.length - handshakeBytes)), handshakeBytes);
      const before = handshakeBytes;
      handshakeBytes += take;
      data = data.subarray(take);
      if (before < c1.length && handshakeBytes >= c1.length) socket.write(serverHandshake(c1.subarray(1)));
    }
    if (data.length > 0) reader.push(data);
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
