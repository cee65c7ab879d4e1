/**
 * The publisher's side of the RTMP conversation, against a scripted server over an in-memory
 * transport: every message the spec obliges the client to answer, and every server answer it must
 * survive. (The real servers are in publisher-errors.test.ts and push.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LivePusherError, StatusCode } from '../../src/core/codes.js';
import { ByteWriter } from '../../src/media/bytes/byte-writer.js';
import { decodeAmf0, encodeAmf0, type Amf0Value } from '../../src/media/amf0.js';
import { buildOnMetaData } from '../../src/media/flv/metadata.js';
import { FlvTagType } from '../../src/media/flv/tag.js';
import { ChunkReader } from '../../src/rtmp/chunk-reader.js';
import { ChunkWriter } from '../../src/rtmp/chunk-writer.js';
import { MessageType, type RtmpMessage } from '../../src/rtmp/message.js';
import { RtmpPublisher } from '../../src/rtmp/publisher.js';
import type { Transport, TransportHandlers } from '../../src/transport/transport.js';

type Reply = (server: ScriptedServer, transaction: number, args: Amf0Value[]) => void;

/** A server that completes the handshake and answers commands as the test scripts it. */
class ScriptedServer {
  readonly received: RtmpMessage[] = [];
  private readonly writer = new ChunkWriter();
  private readonly reader = new ChunkReader((m) => this.onMessage(m));
  private handshakeBytes = 0;
  constructor(
    private readonly transport: MemoryTransport,
    readonly replies: Partial<Record<string, Reply>>,
  ) {}

  receive(bytes: Uint8Array): void {
    let data = bytes;
    if (this.handshakeBytes < 1 + 1536 * 2) {
      const take = Math.min(data.length, 1 + 1536 * 2 - this.handshakeBytes);
      const before = this.handshakeBytes;
      this.handshakeBytes += take;
      data = data.subarray(take);
      if (before < 1537 && this.handshakeBytes >= 1537) {
        const s = new Uint8Array(1 + 1536 * 2);
        s[0] = 3;
        this.transport.deliver(s);
      }
    }
    if (data.length > 0) this.reader.push(data);
  }

  send(typeId: number, payload: Uint8Array, streamId = 0): void {
    this.transport.deliver(this.writer.write({ csid: 3, typeId, streamId, timestamp: 0, payload }));
  }

  command(...values: Amf0Value[]): void {
    this.send(MessageType.CommandAmf0, encodeAmf0(...values));
  }

  status(level: string, code: string): void {
    this.send(MessageType.CommandAmf0, encodeAmf0('onStatus', 0, null, { level, code, description: `${code} (scripted)` }), 1);
  }

  /** Bytes as they are, not chunked. */
  raw(bytes: Uint8Array): void {
    this.transport.deliver(bytes);
  }

  setChunkSize(size: number): void {
    this.send(MessageType.SetChunkSize, new ByteWriter(4).writeU32BE(size).toBytes());
    this.writer.setChunkSize(size);
  }

  hangUp(): void {
    this.transport.hangUp();
  }

  commands(): string[] {
    return this.received.filter((m) => m.typeId === MessageType.CommandAmf0).map((m) => decodeAmf0(m.payload)[0] as string);
  }

  private onMessage(m: RtmpMessage): void {
    this.received.push(m);
    if (m.typeId !== MessageType.CommandAmf0) return;
    const [name, transaction, , ...args] = decodeAmf0(m.payload);
    const reply = this.replies[name as string] ?? DEFAULT_REPLIES[name as string];
    reply?.(this, transaction as number, args);
  }
}

const DEFAULT_REPLIES: Record<string, Reply> = {
  connect: (s, t) => s.command('_result', t, { fmsVer: 'scripted' }, { level: 'status', code: 'NetConnection.Connect.Success' }),
  createStream: (s, t) => s.command('_result', t, null, 1),
  publish: (s) => s.status('status', 'NetStream.Publish.Start'),
};

/** Hands the publisher's bytes to the server and the server's bytes back, a microtask later. */
class MemoryTransport implements Transport {
  server: ScriptedServer | undefined;
  /** Bytes "on the network"; writes beyond it wait while `holding`. */
  bytesSent = 0;
  written = 0;
  holding = false;
  bufferedAmount = 0;
  private handlers: TransportHandlers | undefined;
  private closed = false;

  open(_target: unknown, handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    return Promise.resolve();
  }
  write(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    this.written += bytes.length;
    if (!this.holding) this.bytesSent = this.written;
    const copy = bytes.slice();
    queueMicrotask(() => this.server?.receive(copy));
    return true;
  }
  deliver(bytes: Uint8Array): void {
    queueMicrotask(() => !this.closed && this.handlers?.data(bytes));
  }
  /** The server hangs up. */
  hangUp(): void {
    queueMicrotask(() => this.close('peer'));
  }
  end(): Promise<void> {
    this.close('local');
    return Promise.resolve();
  }
  destroy(): void {
    this.close('local');
  }
  private close(by: 'peer' | 'local'): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.close({ by });
  }
}

function setup(replies: Partial<Record<string, Reply>> = {}) {
  const transport = new MemoryTransport();
  const server = new ScriptedServer(transport, replies);
  transport.server = server;
  const statuses: number[] = [];
  const closes: (LivePusherError | undefined)[] = [];
  const publisher = new RtmpPublisher({
    url: 'rtmp://scripted.test/live/key?token=1',
    transport,
    responseTimeoutMs: 500,
    onStatus: (code) => statuses.push(code),
    onClose: (e) => closes.push(e),
  });
  return { transport, server, publisher, statuses, closes };
}

async function rejectsWith(promise: Promise<unknown>, code: number, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof LivePusherError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('the FMLE publish flow, in order, with the stream name and its query string', async () => {
  const { server, publisher, statuses } = setup();
  await publisher.start();
  assert.deepEqual(statuses, [StatusCode.Connected, StatusCode.PushBegin]);
  assert.equal(server.received[0]?.typeId, MessageType.SetChunkSize, 'Set Chunk Size goes first');
  assert.deepEqual(server.commands(), ['connect', 'releaseStream', 'FCPublish', 'createStream', 'publish', 'createStream']);
  const connect = decodeAmf0(server.received.find((m) => m.typeId === MessageType.CommandAmf0)!.payload);
  assert.deepEqual([connect[0], (connect[2] as Record<string, unknown>)['app'], (connect[2] as Record<string, unknown>)['tcUrl']], ['connect', 'live', 'rtmp://scripted.test/live']);
  const publish = server.received.filter((m) => m.typeId === MessageType.CommandAmf0).map((m) => decodeAmf0(m.payload)).find((v) => v[0] === 'publish')!;
  assert.deepEqual(publish.slice(3), ['key?token=1', 'live']);

  publisher.sendTag({ type: FlvTagType.Script, timestamp: 0, data: buildOnMetaData({ width: 360, height: 640 }) });
  publisher.sendTag({ type: FlvTagType.Video, timestamp: 0, data: new Uint8Array(9000).fill(7) });
  await publisher.stop();
  const data = server.received.find((m) => m.typeId === MessageType.DataAmf0)!;
  assert.deepEqual(decodeAmf0(data.payload).slice(0, 2), ['@setDataFrame', 'onMetaData']);
  const video = server.received.find((m) => m.typeId === MessageType.Video)!;
  assert.equal(video.payload.length, 9000, 'a 9000-byte frame crosses 4096-byte chunks intact');
  assert.equal(video.streamId, 1);
  assert.deepEqual(server.commands().slice(-3), ['createStream', 'FCUnpublish', 'deleteStream']);
});

test('acknowledgements, ping responses and the window after Set Peer Bandwidth (RTMP §5.4, §7.1.7)', async () => {
  const { server, publisher } = setup();
  await publisher.start();
  server.send(MessageType.WindowAckSize, Uint8Array.of(0, 0, 0x03, 0xe8)); // 1000 bytes
  server.send(MessageType.DataAmf0, encodeAmf0('onFiller', 'x'.repeat(2500)));
  server.send(MessageType.UserControl, Uint8Array.of(0, 6, 0, 0, 0x04, 0xd2)); // PingRequest 1234
  server.send(MessageType.SetPeerBandwidth, Uint8Array.of(0, 0x26, 0x25, 0xa0, 2)); // 2500000, dynamic
  server.send(MessageType.SetPeerBandwidth, Uint8Array.of(0, 0x26, 0x25, 0xa0, 2)); // same again
  server.setChunkSize(4096);
  server.send(MessageType.DataAmf0, encodeAmf0('onBig', 'y'.repeat(6000))); // read with the new chunk size
  await tick();
  const acks = server.received.filter((m) => m.typeId === MessageType.Acknowledgement);
  assert.ok(acks.length >= 1, 'an acknowledgement once the window is reached');
  assert.ok(new DataView(acks[0]!.payload.buffer).getUint32(0) >= 1000);
  const pong = server.received.find((m) => m.typeId === MessageType.UserControl)!;
  assert.deepEqual([...pong.payload], [0, 7, 0, 0, 0x04, 0xd2]);
  const windows = server.received.filter((m) => m.typeId === MessageType.WindowAckSize);
  assert.equal(windows.length, 1, 'one Window Acknowledgement Size for two identical Set Peer Bandwidth');
  assert.deepEqual([...windows[0]!.payload], [0, 0x26, 0x25, 0xa0]);
  await publisher.stop();
});

test('cachedFrames counts the frames still waiting in the transport, by kind', async () => {
  const { transport, publisher } = setup();
  await publisher.start();
  transport.holding = true;
  for (let i = 0; i < 3; i++) publisher.sendTag({ type: FlvTagType.Video, timestamp: i * 66, data: new Uint8Array(500) });
  for (let i = 0; i < 2; i++) publisher.sendTag({ type: FlvTagType.Audio, timestamp: i * 21, data: new Uint8Array(50) });
  assert.deepEqual(publisher.cachedFrames, { video: 3, audio: 2 });
  transport.bytesSent = transport.written - 1; // all but the last byte of the last audio frame
  assert.deepEqual(publisher.cachedFrames, { video: 0, audio: 1 });
  transport.holding = false;
  transport.bytesSent = transport.written;
  assert.deepEqual(publisher.cachedFrames, { video: 0, audio: 0 });
  await publisher.stop();
});

test('servers that never answer releaseStream and FCPublish (node-media-server) are fine', async () => {
  const { publisher } = setup({ releaseStream: () => {}, FCPublish: () => {} });
  await publisher.start();
  await publisher.stop();
});

test('servers that answer releaseStream and FCPublish with _error (some CDNs) are fine', async () => {
  const { publisher } = setup({
    releaseStream: (s, t) => s.command('_error', t, null, { level: 'error', code: 'NetConnection.Call.Failed' }),
    FCPublish: (s, t) => s.command('_error', t, null, { level: 'error', code: 'NetConnection.Call.Failed' }),
  });
  await publisher.start();
  await publisher.stop();
});

test('3004: connect refused with _error, and the server says why', async () => {
  const { publisher, closes } = setup({
    connect: (s, t) => s.command('_error', t, null, { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'bad auth' }),
  });
  await rejectsWith(publisher.start(), StatusCode.ServerClosed, /Connect\.Rejected/);
  assert.equal(closes.length, 1);
});

test('3004: onStatus level error and NetStream.Publish.BadName refuse the publish', async () => {
  for (const [level, code] of [['error', 'NetStream.Publish.Denied'], ['status', 'NetStream.Publish.BadName'], ['error', 'NetStream.Publish.Failed']]) {
    const { publisher, statuses } = setup({ publish: (s) => s.status(level!, code!) });
    await rejectsWith(publisher.start(), StatusCode.ServerClosed, new RegExp(code!.replace(/\./g, '\\.')));
    assert.deepEqual(statuses, [StatusCode.Connected]);
  }
});

test('3004: a server that accepts publish and then hangs up; and one that hangs up mid-stream', async () => {
  const refused = setup({
    publish: (s) => {
      s.status('status', 'NetStream.Publish.Start');
      s.hangUp();
    },
  });
  await rejectsWith(refused.publisher.start(), StatusCode.ServerClosed, /accepted the publish and then closed/);
  assert.deepEqual(refused.statuses, [StatusCode.Connected], 'no 1002 for a refused publish');

  const dropped = setup();
  await dropped.publisher.start();
  dropped.transport.hangUp();
  await tick();
  assert.equal(dropped.closes[0]?.code, StatusCode.ServerClosed);
  assert.throws(() => dropped.publisher.sendTag({ type: FlvTagType.Audio, timestamp: 0, data: new Uint8Array(4) }), LivePusherError);
  await rejectsWith(dropped.publisher.stop(), StatusCode.ServerClosed);
});

test('3004: an error status after publishing started ends the session', async () => {
  const { server, publisher, closes } = setup();
  await publisher.start();
  server.status('error', 'NetStream.Publish.Failed');
  await tick();
  assert.equal(closes[0]?.code, StatusCode.ServerClosed);
});

test('3003: no answer to connect; 3005: bytes that are not RTMP after the handshake', async () => {
  const silent = setup({ connect: () => {} });
  await rejectsWith(silent.publisher.start(), StatusCode.HandshakeFailed, /connect/);

  // A type-3 header on a chunk stream never opened: not RTMP.
  const garbage = setup({ connect: (s) => s.raw(Uint8Array.of(0xc9, 1, 2, 3)) });
  await rejectsWith(garbage.publisher.start(), StatusCode.ReadWriteFailed, /bad data from the server/);
});
