/**
 * A deliberately tiny, independent RTMP client for observing how a server
 * answers the publish command sequence (connect, releaseStream, FCPublish,
 * createStream, publish) at the protocol level — what ffmpeg does not show.
 * It sends no media. Not a publisher: the project's own client lives in src/.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

/** One thing the probe observed, with ms since the TCP connect. */
export type ProbeEvent =
  | { at: number; kind: 'command'; name: string; transactionId: number; streamId: number; codes: string[] }
  | { at: number; kind: 'message'; type: number; length: number }
  | { at: number; kind: 'eof' }
  | { at: number; kind: 'closed' }
  | { at: number; kind: 'error'; message: string };

/** Options for {@link probePublish}. */
export interface ProbeOptions {
  /** How long to stay connected after sending `publish` (default 500 ms). */
  holdMs?: number;
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
}

const amfString = (s: string): Buffer => {
  const b = Buffer.alloc(3 + Buffer.byteLength(s));
  b[0] = 0x02;
  b.writeUInt16BE(Buffer.byteLength(s), 1);
  b.write(s, 3);
  return b;
};
const amfNumber = (n: number): Buffer => {
  const b = Buffer.alloc(9);
  b.writeDoubleBE(n, 1);
  return b;
};
const amfNull = Buffer.from([0x05]);
const amfObject = (o: Record<string, string>): Buffer =>
  Buffer.concat([
    Buffer.from([0x03]),
    ...Object.entries(o).flatMap(([k, v]) => {
      const key = Buffer.alloc(2 + k.length);
      key.writeUInt16BE(k.length);
      key.write(k, 2, 'latin1');
      return [key, amfString(v)];
    }),
    Buffer.from([0, 0, 0x09]),
  ]);

/** An AMF0 command message on chunk stream 3, split into 128-byte chunks. */
function command(streamId: number, ...values: Buffer[]): Buffer {
  const payload = Buffer.concat(values);
  const header = Buffer.alloc(12);
  header[0] = 3; // fmt 0, csid 3
  header.writeUIntBE(payload.length, 4, 3);
  header[7] = 20; // AMF0 command
  header.writeUInt32LE(streamId, 8);
  const parts = [header];
  for (let off = 0; off < payload.length; off += 128) {
    if (off > 0) parts.push(Buffer.from([0xc3]));
    parts.push(payload.subarray(off, off + 128));
  }
  return Buffer.concat(parts);
}

/**
 * Connects to rtmp://127.0.0.1:<port>/<app>, sends connect, releaseStream,
 * FCPublish, createStream and (after its _result) publish(<stream>, 'live'),
 * holds the connection for `holdMs`, and returns everything the server sent
 * (commands with their NetConnection/NetStream codes), plus EOF/close.
 */
export function probePublish(port: number, app: string, stream: string, opts: ProbeOptions = {}): Promise<ProbeEvent[]> {
  const holdMs = opts.holdMs ?? 500;
  return new Promise((resolve) => {
    const events: ProbeEvent[] = [];
    const t0 = Date.now();
    const at = (): number => Date.now() - t0;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (): void => {
      clearTimeout(timeout);
      clearTimeout(hold);
      socket.destroy();
      resolve(events);
    };
    const timeout = setTimeout(finish, opts.timeoutMs ?? 5000);
    let hold: NodeJS.Timeout | undefined;
    let buf = Buffer.alloc(0);
    let handshaking = true;
    let chunkSize = 128;
    const chunkStreams = new Map<number, { length: number; type: number; streamId: number; parts: Buffer[]; got: number }>();

    const onCommand = (payload: Buffer, streamId: number): void => {
      const nameLength = payload.readUInt16BE(1);
      const name = payload.toString('utf8', 3, 3 + nameLength);
      const transactionId = payload.readDoubleBE(4 + nameLength);
      const codes = payload.toString('latin1').match(/Net(Connection|Stream)\.[A-Za-z.]+/g) ?? [];
      events.push({ at: at(), kind: 'command', name, transactionId, streamId, codes });
      if (name === '_result' && transactionId === 4) {
        const newStreamId = payload.readDoubleBE(payload.length - 8);
        socket.write(command(newStreamId, amfString('publish'), amfNumber(5), amfNull, amfString(stream), amfString('live')));
        hold = setTimeout(finish, holdMs);
      }
    };

    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(8), randomBytes(1528)])));
    socket.on('end', () => events.push({ at: at(), kind: 'eof' }));
    socket.on('close', () => {
      events.push({ at: at(), kind: 'closed' });
      finish();
    });
    socket.on('error', (e) => events.push({ at: at(), kind: 'error', message: e.message }));
    socket.on('data', (data: Buffer) => {
      buf = Buffer.concat([buf, data]);
      if (handshaking) {
        if (buf.length < 1 + 1536 * 2) return;
        socket.write(buf.subarray(1, 1 + 1536)); // C2 = S1
        buf = buf.subarray(1 + 1536 * 2);
        handshaking = false;
        const tcUrl = `rtmp://127.0.0.1:${port}/${app}`;
        socket.write(command(0, amfString('connect'), amfNumber(1), amfObject({ app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; rtmp-probe)', tcUrl })));
        socket.write(command(0, amfString('releaseStream'), amfNumber(2), amfNull, amfString(stream)));
        socket.write(command(0, amfString('FCPublish'), amfNumber(3), amfNull, amfString(stream)));
        socket.write(command(0, amfString('createStream'), amfNumber(4), amfNull));
      }
      // Chunk parser (enough for control and command messages).
      for (;;) {
        if (buf.length < 1) return;
        const fmt = buf[0]! >> 6;
        let csid = buf[0]! & 0x3f;
        let off = 1;
        if (csid === 0) {
          if (buf.length < 2) return;
          csid = 64 + buf[1]!;
          off = 2;
        } else if (csid === 1) {
          if (buf.length < 3) return;
          csid = 64 + buf[1]! + buf[2]! * 256;
          off = 3;
        }
        const headerLength = [11, 7, 3, 0][fmt]!;
        if (buf.length < off + headerLength) return;
        const extended = fmt < 3 && buf.readUIntBE(off, 3) === 0xffffff ? 4 : 0;
        if (buf.length < off + headerLength + extended) return;
        const cs = chunkStreams.get(csid) ?? { length: 0, type: 0, streamId: 0, parts: [], got: 0 };
        if (fmt <= 1) {
          cs.length = buf.readUIntBE(off + 3, 3);
          cs.type = buf[off + 6]!;
        }
        if (fmt === 0) cs.streamId = buf.readUInt32LE(off + 7);
        off += headerLength + extended;
        const n = Math.min(chunkSize, cs.length - cs.got);
        if (buf.length < off + n) return;
        cs.parts.push(buf.subarray(off, off + n));
        cs.got += n;
        buf = buf.subarray(off + n);
        chunkStreams.set(csid, cs);
        if (cs.got < cs.length) continue;
        const payload = Buffer.concat(cs.parts);
        cs.parts = [];
        cs.got = 0;
        if (cs.type === 1) chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
        if (cs.type === 20) onCommand(payload, cs.streamId);
        else events.push({ at: at(), kind: 'message', type: cs.type, length: payload.length });
      }
    });
  });
}

/** Compact one-line-per-event rendering for assertion messages. */
export function formatProbe(events: readonly ProbeEvent[]): string {
  return events
    .map((e) => {
      switch (e.kind) {
        case 'command':
          return `${e.name}(${e.transactionId}) sid=${e.streamId} ${e.codes.join(',')}`;
        case 'message':
          return `msg type=${e.type} len=${e.length}`;
        case 'error':
          return `error ${e.message}`;
        default:
          return e.kind;
      }
    })
    .join('\n');
}
