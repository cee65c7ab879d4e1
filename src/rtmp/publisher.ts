/**
 * The RTMP publishing client (RTMP spec §7.2, and the FMLE command flow every ingest expects):
 *
 *   handshake → connect → releaseStream, FCPublish, createStream → publish → media …
 *   … → (createStream as a barrier) → FCUnpublish, deleteStream → close
 *
 * Platform-neutral: it speaks through a {@link Transport} and never opens sockets. It reports
 * status codes (1001, 1002, 3003–3005) through `onStatus` and ends with one `onClose`.
 */
import { LivePusherError, StatusCode, describeStatus } from '../core/codes.js';
import { decodeAmf0, encodeAmf0, type Amf0Object, type Amf0Value } from '../media/amf0.js';
import { FormatError } from '../media/errors.js';
import { withSetDataFrame } from '../media/flv/metadata.js';
import { FlvTagType, type FlvTag } from '../media/flv/tag.js';
import type { Transport } from '../transport/transport.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import { ClientHandshake } from './handshake.js';
import {
  ChunkStream,
  MessageType,
  UserControlEvent,
  acknowledgementMessage,
  parsePeerBandwidth,
  parseUserControl,
  pingResponseMessage,
  readU32Payload,
  setChunkSizeMessage,
  windowAckSizeMessage,
  type OutgoingMessage,
  type RtmpMessage,
} from './message.js';
import { parseRtmpUrl, type RtmpTarget } from './url.js';

/** Chunk size we announce: large chunks cost less header and CPU (ffmpeg and OBS use 4096+). */
export const OUT_CHUNK_SIZE = 4096;

/** How many frames may wait in `queued` before a send prunes it. */
const PRUNE_EVERY = 64;

export interface RtmpPublisherOptions {
  /** `rtmp://host[:port]/app/stream[?query]` or `rtmps://…`. */
  url: string;
  transport: Transport;
  /** How long to wait for the handshake and for each answer during set-up. Default 10 s. */
  responseTimeoutMs?: number;
  /** `flashVer` sent in `connect`; some ingests key behaviour on the "FMLE/3.0" prefix. */
  flashVer?: string;
  /** Status codes as the session reaches them (1001 connected, 1002 publishing). */
  onStatus?: (code: StatusCode, message: string) => void;
  /**
   * Called once when the connection ends: without an error after `stop()`, with a
   * `LivePusherError` (3003/3004/3005) when it failed or the server ended it.
   */
  onClose?: (error?: LivePusherError) => void;
}

type Phase = 'idle' | 'handshake' | 'connecting' | 'publishing' | 'stopping' | 'closed';

interface Pending {
  resolve(values: Amf0Value[]): void;
  reject(error: LivePusherError): void;
}

/** Statistics the netstatus meter and the CLI read. */
export interface PublisherCounters {
  /** Media bytes (tag bodies) handed to the transport, by tag type. */
  audioBytes: number;
  videoBytes: number;
  audioFrames: number;
  videoFrames: number;
  /** Bytes the server says it has received (its Acknowledgement messages), if it sends them. */
  bytesAcknowledged: number;
}

export class RtmpPublisher {
  readonly target: RtmpTarget;
  readonly counters: PublisherCounters = { audioBytes: 0, videoBytes: 0, audioFrames: 0, videoFrames: 0, bytesAcknowledged: 0 };
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly options: RtmpPublisherOptions;
  private readonly writer: ChunkWriter;
  private readonly reader = new ChunkReader((msg) => this.onMessage(msg));
  private handshake: ClientHandshake | undefined = new ClientHandshake();
  private handshakeDone: { resolve(): void; reject(e: LivePusherError): void } | undefined;
  private phase: Phase = 'idle';
  private nextTransaction = 1;
  private readonly pending = new Map<number, Pending>();
  private publishWaiter: Pending | undefined;
  private streamId = 0;
  private bytesReceived = 0;
  private ackWindow = 0;
  private lastAck = 0;
  private lastWindowSent = 0;
  private closeError: LivePusherError | undefined;
  private closed = false;
  /** The server answered the stop barrier: a close after this is the expected goodbye. */
  private barrierPassed = false;
  /**
   * Media frames not yet fully handed to the network: where each ends (in bytes written) and
   * whether it is audio, from `queueHead` on. Pruned every PRUNE_EVERY sends, so it stays about
   * as long as the transport's backlog whether or not anyone reads `cachedFrames` (pruning on
   * every send made the transport's byte count part of every tag's work).
   */
  private readonly queued: { end: number; audio: boolean }[] = [];
  private queueHead = 0;
  private queuedAudio = 0;
  private bytesWritten = 0;
  private sentBeforeUs = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(options: RtmpPublisherOptions) {
    this.options = options;
    this.target = parseRtmpUrl(options.url);
    this.transport = options.transport;
    this.writer = new ChunkWriter({ reuseOutput: options.transport.copiesWrites === true });
    this.timeoutMs = options.responseTimeoutMs ?? 10_000;
  }

  /** The stream has been accepted (1002) and media can be sent. */
  get isPublishing(): boolean {
    return this.phase === 'publishing';
  }

  /** Bytes queued in the transport and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /** Bytes of this connection handed to the network so far. */
  get bytesSent(): number {
    return this.transport.bytesSent - this.sentBeforeUs;
  }

  /** Media frames written but still waiting in the transport queue, by kind (netstatus caches). */
  get cachedFrames(): { audio: number; video: number } {
    this.pruneQueue();
    const waiting = this.queued.length - this.queueHead;
    return { audio: this.queuedAudio, video: waiting - this.queuedAudio };
  }

  private pruneQueue(): void {
    const sent = this.bytesSent;
    while (this.queueHead < this.queued.length && this.queued[this.queueHead]!.end <= sent) {
      if (this.queued[this.queueHead]!.audio) this.queuedAudio--;
      this.queueHead++;
    }
    if (this.queueHead > 256 && this.queueHead * 2 > this.queued.length) {
      this.queued.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /**
   * Connects, handshakes and publishes. Resolves once the server has started the stream (1002).
   * Rejects with a LivePusherError: 3001/3002 from the transport, 3003 for a failed handshake or a
   * server that stops answering, 3004 when the server refuses or closes.
   */
  async start(): Promise<void> {
    if (this.phase !== 'idle') throw new Error(`start() called in phase ${this.phase}`);
    const { target } = this;
    this.phase = 'handshake';
    await this.transport.open(
      { host: target.host, port: target.port, tls: target.scheme === 'rtmps' },
      {
        data: (bytes) => this.onData(bytes),
        drain: () => this.flushDrainWaiters(),
        close: (info) => {
          const error =
            info.by === 'local'
              ? undefined
              : info.error instanceof LivePusherError
                ? info.error // the transport knows better (the tunnel's 3005 for a failed relay)
                : new LivePusherError(
                  StatusCode.ServerClosed,
                  `the server closed the connection${info.error ? ` (${(info.error as { code?: string }).code ?? info.error.message})` : ''}` +
                    (this.phase === 'publishing' || this.phase === 'stopping' ? '' : ` during ${this.phase}`),
                );
          this.finish(error);
        },
      },
    );
    this.sentBeforeUs = this.transport.bytesSent;
    try {
      await this.withTimeout('the RTMP handshake', StatusCode.HandshakeFailed, (resolve, reject) => {
        this.handshakeDone = { resolve: () => resolve([]), reject };
        this.write(this.handshake!.start(Date.now() % 2 ** 32));
      });
      this.phase = 'connecting';
      this.send(setChunkSizeMessage(OUT_CHUNK_SIZE));
      this.writer.setChunkSize(OUT_CHUNK_SIZE);
      // Answers are [name, transaction, command object or null, info or result].
      const [, , , info] = await this.call('connect', {
        app: target.app,
        type: 'nonprivate',
        flashVer: this.options.flashVer ?? 'FMLE/3.0 (compatible; live-pusher)',
        tcUrl: target.tcUrl,
      });
      this.options.onStatus?.(StatusCode.Connected, `${describeStatus(StatusCode.Connected)}: ${describeInfo(info)}`);

      // FMLE sends these two before createStream; ingests such as node-media-server never answer
      // them, so they are sent without waiting.
      this.sendCommand('releaseStream', this.nextTransaction++, null, target.streamName);
      this.sendCommand('FCPublish', this.nextTransaction++, null, target.streamName);
      const [, , , streamId] = await this.call('createStream');
      if (typeof streamId !== 'number' || !Number.isInteger(streamId) || streamId < 0 || streamId > 0xffffffff) {
        throw new LivePusherError(StatusCode.ServerClosed, `createStream returned ${JSON.stringify(streamId)}, not a stream id`);
      }
      this.streamId = streamId;
      await this.withTimeout('the answer to publish', StatusCode.HandshakeFailed, (resolve, reject) => {
        this.publishWaiter = { resolve, reject };
        this.send(this.commandMessage(this.streamId, 'publish', 0, null, target.streamName, 'live'));
      });
      // nginx-rtmp and node-media-server answer Publish.Start first and only then check the name
      // (in use, denied) and drop the connection: 1002 waits for the round trip that proves the
      // server kept us.
      await this.confirmServerHolds('accepted the publish and then closed the connection (stream name in use or not allowed?)');
      this.phase = 'publishing';
      this.options.onStatus?.(StatusCode.PushBegin, describeStatus(StatusCode.PushBegin));
    } catch (e) {
      const error = e instanceof LivePusherError ? e : new LivePusherError(StatusCode.ReadWriteFailed, String(e), { cause: e });
      this.abort(error);
      throw error; // the caller's error says what step failed; onClose already had the plain one
    }
  }

  /**
   * Sends one FLV tag as the matching RTMP message. `onMetaData` script tags are wrapped in
   * `@setDataFrame`, the form servers store and pass to players (FMLE convention).
   * Returns false when the transport queue is above its high-water mark (see `waitForDrain`).
   */
  sendTag(tag: FlvTag): boolean {
    if (this.phase !== 'publishing') {
      throw this.closeError ?? new LivePusherError(StatusCode.ReadWriteFailed, `cannot send media while ${this.phase}`);
    }
    let typeId: number;
    let csid: number;
    let payload = tag.data;
    switch (tag.type) {
      case FlvTagType.Audio:
        typeId = MessageType.Audio;
        csid = ChunkStream.Audio;
        this.counters.audioBytes += payload.length;
        this.counters.audioFrames++;
        break;
      case FlvTagType.Video:
        typeId = MessageType.Video;
        csid = ChunkStream.Video;
        this.counters.videoBytes += payload.length;
        this.counters.videoFrames++;
        break;
      case FlvTagType.Script:
        typeId = MessageType.DataAmf0;
        csid = ChunkStream.Data;
        payload = withSetDataFrame(payload);
        break;
      default: {
        const never: never = tag.type;
        throw new TypeError(`unknown FLV tag type ${String(never)}`);
      }
    }
    const ok = this.send({ csid, typeId, streamId: this.streamId, timestamp: tag.timestamp, payload });
    if (tag.type !== FlvTagType.Script) {
      const audio = tag.type === FlvTagType.Audio;
      this.queued.push({ end: this.bytesWritten, audio });
      if (audio) this.queuedAudio++;
      if (this.queued.length - this.queueHead >= PRUNE_EVERY) this.pruneQueue();
    }
    return ok;
  }

  /** Resolves when the transport queue drains below its high-water mark, or the connection ends. */
  waitForDrain(): Promise<void> {
    if (this.closed || this.transport.bufferedAmount === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Ends the publish cleanly: confirms the server read every media byte and still holds the
   * stream (a server that dropped us is 3004, not a silent success), then FCUnpublish,
   * deleteStream, and a graceful close.
   */
  async stop(): Promise<void> {
    if (this.closed) {
      if (this.closeError) throw this.closeError;
      return;
    }
    if (this.phase === 'publishing') {
      this.phase = 'stopping';
      try {
        await this.confirmServerHolds('closed the connection before it had read the whole stream');
        this.barrierPassed = true;
      } catch (e) {
        this.abort(e as LivePusherError);
        throw this.closeError;
      }
      this.sendCommand('FCUnpublish', this.nextTransaction++, null, this.target.streamName);
      this.send(this.commandMessage(0, 'deleteStream', this.nextTransaction++, null, this.streamId));
    }
    this.phase = 'stopping';
    this.barrierPassed = true; // nothing was published, so there is nothing to confirm
    await this.transport.end(this.timeoutMs);
    this.finish(undefined);
  }

  /**
   * A round trip through a request every server answers (`createStream`; RTMP has no client
   * ping). TCP keeps order, so the answer proves the server read everything sent before it and
   * still holds the connection. Rejects with 3004 and `what` when the server closed instead.
   */
  private async confirmServerHolds(what: string): Promise<void> {
    try {
      await this.call('createStream');
    } catch (e) {
      const error = e as LivePusherError;
      throw error.code === StatusCode.ServerClosed ? new LivePusherError(StatusCode.ServerClosed, `the server ${what}`, { cause: e }) : error;
    }
  }

  /** Drops the connection at once (no goodbye to the server). */
  destroy(): void {
    this.abort(undefined);
  }

  private abort(error: LivePusherError | undefined): void {
    this.closeError ??= error;
    this.transport.destroy();
    this.finish(error);
  }

  private finish(error: LivePusherError | undefined): void {
    if (this.closed) return;
    // A server that closes once it answered the stop barrier did its part.
    const err = this.barrierPassed && !this.closeError ? undefined : (this.closeError ?? error);
    this.closeError = err;
    this.closed = true;
    this.phase = 'closed';
    const failure = err ?? new LivePusherError(StatusCode.ServerClosed, 'the connection was closed');
    this.handshakeDone?.reject(failure);
    this.publishWaiter?.reject(failure);
    for (const p of this.pending.values()) p.reject(failure);
    this.pending.clear();
    this.flushDrainWaiters();
    this.options.onClose?.(err);
  }

  private flushDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private write(bytes: Uint8Array): boolean {
    this.bytesWritten += bytes.length;
    return this.transport.write(bytes);
  }

  private send(msg: OutgoingMessage): boolean {
    return this.write(this.writer.write(msg));
  }

  private commandMessage(streamId: number, name: string, transaction: number, ...args: Amf0Value[]): OutgoingMessage {
    return { csid: ChunkStream.Command, typeId: MessageType.CommandAmf0, streamId, timestamp: 0, payload: encodeAmf0(name, transaction, ...args) };
  }

  private sendCommand(name: string, transaction: number, ...args: Amf0Value[]): void {
    this.send(this.commandMessage(0, name, transaction, ...args));
  }

  /** Sends a NetConnection command and resolves with the `_result` values. `_error` → 3004. */
  private call(name: string, commandObject: Amf0Object | null = null): Promise<Amf0Value[]> {
    const transaction = this.nextTransaction++;
    return this.withTimeout(`the answer to ${name}`, StatusCode.HandshakeFailed, (resolve, reject) => {
      this.pending.set(transaction, {
        resolve,
        reject: (e) => reject(new LivePusherError(e.code, `${name}: ${e.message}`)),
      });
      this.sendCommand(name, transaction, commandObject);
    }).finally(() => this.pending.delete(transaction));
  }

  private withTimeout(
    what: string,
    code: StatusCode,
    begin: (resolve: (v: Amf0Value[]) => void, reject: (e: LivePusherError) => void) => void,
  ): Promise<Amf0Value[]> {
    return new Promise<Amf0Value[]>((resolve, reject) => {
      if (this.closed) {
        reject(this.closeError ?? new LivePusherError(StatusCode.ServerClosed, 'the connection was closed'));
        return;
      }
      const timer = setTimeout(
        () => reject(new LivePusherError(code, `${describeStatus(code)}: no reply to ${what} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      begin(settle(resolve), settle(reject));
    });
  }

  private onData(bytes: Uint8Array): void {
    if (this.closed) return;
    this.bytesReceived += bytes.length;
    try {
      if (this.handshake) {
        const step = this.handshake.push(bytes, Date.now() % 2 ** 32);
        if (!step.done) return;
        this.handshake = undefined;
        this.write(step.c2);
        this.handshakeDone?.resolve();
        this.handshakeDone = undefined;
        if (step.rest.length > 0) this.reader.push(step.rest);
      } else {
        this.reader.push(bytes);
      }
      this.acknowledge();
    } catch (e) {
      if (e instanceof LivePusherError) this.abort(e);
      else if (e instanceof FormatError) this.abort(new LivePusherError(StatusCode.ReadWriteFailed, `bad data from the server: ${e.message}`, { cause: e }));
      else throw e;
    }
  }

  /** Acknowledgement owed once a window's worth of bytes arrived since the last one (§5.4.3). */
  private acknowledge(): void {
    if (this.ackWindow > 0 && this.bytesReceived - this.lastAck >= this.ackWindow) {
      this.lastAck = this.bytesReceived;
      this.send(acknowledgementMessage(this.bytesReceived));
    }
  }

  private onMessage(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case MessageType.WindowAckSize:
        this.ackWindow = readU32Payload(msg.payload);
        break;
      case MessageType.SetPeerBandwidth: {
        // §5.4.5: answer with our window when it differs from the last one we announced.
        const { size } = parsePeerBandwidth(msg.payload);
        if (size !== this.lastWindowSent) {
          this.lastWindowSent = size;
          this.send(windowAckSizeMessage(size));
        }
        break;
      }
      case MessageType.Acknowledgement:
        this.counters.bytesAcknowledged = readU32Payload(msg.payload);
        break;
      case MessageType.UserControl: {
        const uc = parseUserControl(msg.payload);
        if (uc.event === UserControlEvent.PingRequest) this.send(pingResponseMessage(uc.value));
        break;
      }
      case MessageType.CommandAmf0:
        this.onCommand(decodeAmf0(msg.payload));
        break;
      case MessageType.CommandAmf3:
        // AMF3 command messages start with a format byte, then AMF0 values (§7.1.1).
        this.onCommand(decodeAmf0(msg.payload.subarray(1)));
        break;
      default:
        break; // Set Chunk Size and Abort were applied by the reader; media from a server is ignored.
    }
  }

  private onCommand(values: Amf0Value[]): void {
    const [name, transaction] = values;
    if (name === '_result' || name === '_error') {
      const pending = typeof transaction === 'number' ? this.pending.get(transaction) : undefined;
      if (!pending) return; // answers to releaseStream / FCPublish that some servers send
      if (name === '_result') pending.resolve(values);
      else pending.reject(new LivePusherError(StatusCode.ServerClosed, `the server refused: ${describeInfo(values[3])}`));
    } else if (name === 'onStatus') {
      this.onStatus(values[3]);
    }
    // onBWDone, onFCPublish, |RtmpSampleAccess and the like need no answer.
  }

  private onStatus(info: Amf0Value): void {
    const { level, code } = statusFields(info);
    const refused = level === 'error' || code === 'NetStream.Publish.BadName' || code === 'NetStream.Publish.Denied';
    if (this.publishWaiter) {
      if (code === 'NetStream.Publish.Start') {
        this.publishWaiter.resolve([]);
        this.publishWaiter = undefined;
      } else if (refused) {
        this.publishWaiter.reject(new LivePusherError(StatusCode.ServerClosed, `the server refused the publish: ${describeInfo(info)}`));
        this.publishWaiter = undefined;
      }
      return;
    }
    if (refused && (this.phase === 'publishing' || this.phase === 'stopping')) {
      this.abort(new LivePusherError(StatusCode.ServerClosed, `the server ended the publish: ${describeInfo(info)}`));
    }
  }
}

function statusFields(info: Amf0Value): { level: string; code: string; description: string } {
  const obj = info !== null && typeof info === 'object' && !Array.isArray(info) && !(info instanceof Date) ? (info as Amf0Object) : {};
  const str = (v: Amf0Value) => (typeof v === 'string' ? v : '');
  return { level: str(obj['level']), code: str(obj['code']), description: str(obj['description']) };
}

function describeInfo(info: Amf0Value): string {
  const { code, description } = statusFields(info);
  return [code, description].filter(Boolean).join(' ') || JSON.stringify(info ?? null);
}
