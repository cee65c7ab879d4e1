/**
 * Self-tests of the shared test infrastructure: real nginx-rtmp and
 * node-media-server on loopback, the ffprobe/FLV inspection helpers and the
 * fake servers. Run with `npx tsx --test test/support/*.test.ts`.
 *
 * What these tests establish about packet-for-packet checks (ffmpeg 5.1,
 * nginx 1.22.1 + Debian libnginx-mod-rtmp, node-media-server 4.4.3):
 *
 * nginx-rtmp `record all` recording vs the FLV the publisher sent:
 * - Every audio/video packet survives exactly: same count, order, dts, pts
 *   (so composition time too, checked with B-frames), size, keyframe flag
 *   and payload MD5, and the same codec extradata (AVC/AAC sequence headers).
 *   So `probePackets(input)` equals `probePackets(recording)` per codec type.
 * - onMetaData (script data) is NOT recorded: the recording has no tag 18.
 * - nginx writes the sequence headers it has cached from its codec module
 *   before the first recorded A/V message, stamped with that message's time.
 *   The publisher's own video sequence header is then skipped (nginx drops
 *   video until the first real keyframe), but its audio sequence header is
 *   written again: with ffmpeg's order (video header, audio header, media)
 *   the recording starts `AVC hdr, AAC hdr, AAC hdr (duplicate), media…`.
 *   ffprobe folds sequence headers into extradata, so packets still match.
 * - Timestamps are stored relative to the first recorded A/V message (nginx
 *   `epoch`); ffmpeg sends sequence headers at 0, so they come out unchanged
 *   (also with -output_ts_offset 10, media stays at 10000 ms+).
 * - Per ngx_rtmp_record_module.c (not exercised here): video before the
 *   first keyframe and AAC audio before the AAC header are dropped
 *   ("skipping until keyframe/AAC header").
 * - The FLV header keeps the audio+video flags.
 *
 * Publish answers (rtmp-probe): nginx and NMS both answer connect and
 * createStream with _result, never answer releaseStream/FCPublish, and answer
 * publish with onStatus NetStream.Publish.Start — also when they refuse it
 * (nginx `deny`, NMS duplicate stream name), in which case the TCP connection
 * is closed right after. ffmpeg exit codes do not reliably show an NMS
 * refusal; the NMS child's postPublish `accepted` flag does.
 *
 * node-media-server relaying to an HTTP-FLV player that attached before the
 * publish started: the raw HTTP body (startHttpFlvCapture) has every A/V tag
 * byte-identical to the input FLV (type, timestamp, body). The only
 * difference is the script tag: NMS relays the RTMP data message verbatim,
 * so the FLV's first tag is `@setDataFrame, onMetaData, {…}` (ffmpeg's live
 * metadata, not the file's). An ffmpeg -c copy capture (captureFlv) also
 * gives identical packets per ffprobe, but ffmpeg rewrites timestamps around
 * discontinuities (e.g. a republish restarting at 0), so use the raw capture
 * for timestamp checks.
 */
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { freePort, canConnect } from './ports.js';
import { fixture, FIXTURE_NAMES } from './fixtures.js';
import { frameMd5, packetsOf, probePackets, probeStreams, pushFile, startCapture, type Packet } from './ffprobe.js';
import { readFlv, scriptName } from './flv-tags.js';
import { startNginxRtmp, type NginxRtmp } from './nginx-rtmp.js';
import { startNodeMediaServer, type Nms } from './node-media-server.js';
import { startHttpFlvCapture } from './http-flv.js';
import { startDroppingServer, startGarbageHandshakeServer, startSilentServer } from './fake-servers.js';
import { formatProbe, probePublish, type ProbeEvent } from './rtmp-probe.js';

/** The command names and status codes a probe saw, plus eof/closed, in order. */
const transcript = (events: ProbeEvent[]): string[] =>
  events.flatMap((e) => {
    if (e.kind === 'command') return [`${e.name}(${e.transactionId})${e.codes.length ? ' ' + e.codes.join(',') : ''}`];
    if (e.kind === 'eof' || e.kind === 'closed') return [e.kind];
    return [];
  });

/** Accepted publish: connect and createStream answered, releaseStream/FCPublish not, Publish.Start, connection kept. */
const ACCEPTED = ['_result(1) NetConnection.Connect.Success', '_result(4)', 'onStatus(0) NetStream.Publish.Start'];
/** Refused publish: the same, and then the server closes the connection. */
const REFUSED = [...ACCEPTED, 'eof', 'closed'];

/** Packet fields that must survive a server untouched (stream indexes may differ). */
const comparable = (packets: Packet[], type: string): Omit<Packet, 'streamIndex'>[] =>
  packetsOf(packets, type).map(({ streamIndex: _ignored, ...rest }) => rest);

function assertSamePackets(actual: Packet[], expected: Packet[]): void {
  for (const type of ['video', 'audio']) {
    const want = comparable(expected, type);
    assert.ok(want.length > 0, `input has ${type} packets`);
    assert.deepEqual(comparable(actual, type), want, `${type} packets identical`);
  }
}

let scratch = '';
before(async () => {
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'support-test-'));
});
after(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

describe('ports and fixtures', () => {
  test('freePort returns a bindable loopback port', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    assert.equal(await canConnect('127.0.0.1', port), true);
    await new Promise((resolve) => server.close(resolve));
  });

  test('fixture makes H.264 + AAC media once and rejects unknown names', async () => {
    assert.ok(FIXTURE_NAMES.includes('testsrc-5s.flv'));
    const file = await fixture('testsrc-5s.flv');
    assert.equal(await fixture('testsrc-5s.flv'), file);
    const streams = await probeStreams(file);
    const video = streams.find((s) => s.codecType === 'video');
    const audio = streams.find((s) => s.codecType === 'audio');
    assert.equal(video?.codecName, 'h264');
    assert.equal(video?.width, 640);
    assert.equal(video?.avgFrameRate, '25/1');
    assert.equal(audio?.codecName, 'aac');
    assert.equal(audio?.sampleRate, 44100);
    await assert.rejects(fixture('no-such-fixture'), /unknown fixture/);
  });

  test('B-frame fixture has composition offsets; framemd5 lists every packet', async () => {
    const file = await fixture('bframes-5s.flv');
    const packets = await probePackets(file);
    assert.ok(packetsOf(packets, 'video').some((p) => p.ptsMs !== p.dtsMs), 'some video pts != dts');
    const frames = await frameMd5(file);
    assert.equal(frames.length, packets.length);
    assert.equal(frames[0]?.md5, packets[0]?.hash.replace(/^MD5:/, ''));
  });
});

describe('nginx-rtmp', () => {
  let nginx: NginxRtmp;
  before(async () => {
    nginx = await startNginxRtmp();
  });
  after(async () => {
    await nginx?.stop();
  });

  for (const name of ['testsrc-5s.flv', 'bframes-5s.flv']) {
    test(`recording of ${name} matches the input packet for packet`, async () => {
      const input = await fixture(name);
      const stream = name.replace(/\W/g, '_');
      const push = await pushFile(input, nginx.url('live', stream));
      assert.equal(push.code, 0, push.stderr);
      const rec = await nginx.waitForRecording(stream, { timeoutMs: 10_000 });
      assert.equal(rec, nginx.recordingPath(stream));

      assertSamePackets(await probePackets(rec), await probePackets(input));
      const extradata = async (f: string): Promise<(string | undefined)[]> =>
        (await probeStreams(f)).map((s) => `${s.codecType}:${s.extradataHash}`).sort();
      assert.deepEqual(await extradata(rec), await extradata(input));

      // Tag level: no onMetaData, one extra AAC sequence header, rest identical.
      const sent = readFlv(input).tags;
      const got = readFlv(rec).tags;
      assert.equal(scriptName(sent[0]!), 'onMetaData');
      assert.equal(got.filter((t) => t.type === 18).length, 0, 'no script data recorded');
      const isAacHeader = (t: { type: number; data: Buffer }): boolean => t.type === 8 && t.data[1] === 0;
      assert.equal(got.filter(isAacHeader).length, 2, 'AAC sequence header written twice');
      const key = (t: { type: number; timestamp: number; md5: string }): string => `${t.type}@${t.timestamp}:${t.md5}`;
      const gotDeduped = got.filter((t, i) => !(i > 0 && key(t) === key(got[i - 1]!)));
      assert.deepEqual(gotDeduped.map(key), sent.filter((t) => t.type !== 18).map(key));
    });
  }

  test('publishing to application deny is refused', async () => {
    const push = await pushFile(await fixture('testsrc-5s.flv'), nginx.url('deny', 'x'));
    assert.notEqual(push.code, 0, 'ffmpeg must fail');
    assert.match(nginx.logs(), /access forbidden by rule/);
  });

  test('protocol: accepted publish vs deny (Publish.Start, then EOF)', async () => {
    const ok = await probePublish(nginx.port, 'live', 'probe', { holdMs: 300 });
    assert.deepEqual(transcript(ok), ACCEPTED, formatProbe(ok));
    const denied = await probePublish(nginx.port, 'deny', 'probe', { holdMs: 2000 });
    assert.deepEqual(transcript(denied), REFUSED, formatProbe(denied));
  });

  test('restart kills nginx and listens on the same port again', async () => {
    const port = nginx.port;
    await nginx.restart();
    assert.equal(nginx.port, port);
    const push = await pushFile(await fixture('testsrc-5s.flv'), nginx.url('live', 'after_restart'));
    assert.equal(push.code, 0, push.stderr);
    await nginx.waitForRecording('after_restart', { timeoutMs: 10_000 });
  });
});

describe('node-media-server', () => {
  let nms: Nms;
  before(async () => {
    nms = await startNodeMediaServer();
  });
  after(async () => {
    await nms?.stop();
  });

  test('HTTP-FLV relay (raw body) delivers every A/V tag byte for byte', async () => {
    const input = await fixture('bframes-5s.flv');
    const out = path.join(scratch, 'nms-raw.flv');
    const capture = startHttpFlvCapture(nms.flvUrl('live', 'raw'), out, { idleTimeoutMs: 500 });
    await nms.waitForEvent('postPlay', { streamPath: '/live/raw', protocol: 'flv' });
    const push = await pushFile(input, nms.url('live', 'raw'));
    assert.equal(push.code, 0, push.stderr);
    await capture.done;
    const key = (t: { type: number; timestamp: number; md5: string }): string => `${t.type}@${t.timestamp}:${t.md5}`;
    const sent = readFlv(input).tags;
    const got = readFlv(out).tags;
    assert.equal(scriptName(got[0]!), '@setDataFrame', 'metadata relayed as sent over RTMP');
    assert.deepEqual(got.slice(1).map(key), sent.filter((t) => t.type !== 18).map(key));
  });

  test('HTTP-FLV relay captured by ffmpeg has the input packets', async () => {
    const input = await fixture('testsrc-5s.flv');
    const out = path.join(scratch, 'nms-s1.flv');
    const capture = startCapture(nms.flvUrl('live', 's1'), out, { idleTimeoutMs: 1000 });
    await nms.waitForEvent('postPlay', { streamPath: '/live/s1', protocol: 'flv' });
    const push = await pushFile(input, nms.url('live', 's1'));
    assert.equal(push.code, 0, push.stderr);
    await nms.waitForEvent('publisherClosed', { streamPath: '/live/s1' });
    await capture.done; // ends on idle: NMS keeps players attached
    assertSamePackets(await probePackets(out), await probePackets(input));
  });

  test('protocol: no answer to releaseStream/FCPublish; duplicate publish gets Publish.Start, then EOF', async () => {
    const first = probePublish(nms.rtmpPort, 'live', 'probe', { holdMs: 1500 });
    await nms.waitForEvent('postPublish', { streamPath: '/live/probe' });
    const second = await probePublish(nms.rtmpPort, 'live', 'probe', { holdMs: 1000 });
    assert.deepEqual(transcript(second), REFUSED, formatProbe(second));
    const firstEvents = await first;
    assert.deepEqual(transcript(firstEvents), ACCEPTED, formatProbe(firstEvents));
  });

  test('a second publisher of a live stream is refused', async () => {
    const input = await fixture('testsrc-5s.flv');
    const abort = new AbortController();
    const first = pushFile(input, nms.url('live', 'dup'), { realtime: true, signal: abort.signal });
    try {
      const accepted = await nms.waitForEvent('postPublish', { streamPath: '/live/dup' });
      assert.equal(accepted.accepted, true);
      await pushFile(input, nms.url('live', 'dup'));
      // ffmpeg itself may or may not notice (exit 0 or 1): NMS answers
      // Publish.Start and then only closes the socket. The server's verdict:
      const verdicts = nms.events.filter((e) => e.event === 'postPublish' && e.streamPath === '/live/dup');
      assert.deepEqual(verdicts.map((e) => e.accepted), [true, false]);
    } finally {
      abort.abort();
      await first;
    }
  });
});

describe('fake servers', () => {
  const connect = async (port: number): Promise<net.Socket> => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return socket;
  };
  /** Reads until at least `n` bytes arrived. */
  const readAtLeast = (socket: net.Socket, n: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer): void => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= n) {
          socket.off('data', onData);
          resolve(buf);
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error(`closed after ${buf.length} bytes`)));
    });
  const c0c1 = (): Buffer => Buffer.concat([Buffer.from([3]), Buffer.alloc(8), randomBytes(1528)]);

  test('garbage handshake server answers with a non-3 version byte', async () => {
    const server = await startGarbageHandshakeServer();
    try {
      const socket = await connect(server.port);
      socket.write(c0c1());
      const reply = await readAtLeast(socket, 1 + 1536 * 2);
      assert.notEqual(reply[0], 3);
      socket.destroy();
    } finally {
      await server.stop();
    }
  });

  test('dropping server completes the handshake, then closes on the first command', async () => {
    const server = await startDroppingServer();
    try {
      const socket = await connect(server.port);
      const c1 = c0c1();
      socket.write(c1);
      const reply = await readAtLeast(socket, 1 + 1536 * 2);
      assert.equal(reply[0], 3);
      assert.deepEqual(reply.subarray(1 + 1536, 1 + 1536 * 2), c1.subarray(1), 'S2 echoes C1');
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(Buffer.concat([reply.subarray(1, 1 + 1536), Buffer.from([0x03, 0, 0, 0])]));
      await closed;
      assert.equal(server.connections, 1);
    } finally {
      await server.stop();
    }
  });

  test('silent server accepts and never answers', async () => {
    const server = await startSilentServer();
    try {
      const socket = await connect(server.port);
      socket.write(c0c1());
      const got = await Promise.race([
        new Promise<string>((resolve) => socket.once('data', () => resolve('data'))),
        new Promise<string>((resolve) => setTimeout(() => resolve('silence'), 300)),
      ]);
      assert.equal(got, 'silence');
      assert.equal(server.connections, 1);
      socket.destroy();
    } finally {
      await server.stop();
    }
  });
});
