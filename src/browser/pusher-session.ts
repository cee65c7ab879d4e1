/**
 * One push session of `<live-pusher>` (DESIGN.md "Data flow (browser)"): capture → video stage →
 * preview and H.264 encoder, and microphone → AAC encoder → FLV tags → RTMP publisher → tunnel.
 * It owns the lifecycle and is the only thing that reports status codes, netstatus and errors
 * (through its sink), so the codes of spec §4 come from one place in a consistent order.
 *
 * Lifetimes (issue 6: the preview shows what viewers get): the camera, its frame source, the
 * stage with its effects and the face tracker start with the preview; a push adds the encoders
 * to them and a stop ends them all (spec §3 stop: "stop push and preview").
 */
import { LivePusherError, StatusCode, describeStatus } from '../core/codes.js';
import type { AudioSettings, VideoSettings } from '../core/modes.js';
import { NetStatusMeter, type NetStatusInfo } from '../core/netstatus.js';
import { ReconnectPolicy, type ReconnectOptions } from '../core/reconnect.js';
import { SessionStateMachine, type SessionEvent, type SessionState } from '../core/session-state.js';
import { buildOnMetaData } from '../media/flv/metadata.js';
import { FlvTagType, type FlvTag } from '../media/flv/tag.js';
import { isKeyFrame, StreamStartGate } from '../media/flv/stream-start.js';
import { RtmpPublisher } from '../rtmp/publisher.js';
import type { Transport } from '../transport/transport.js';
import { closeCapture, openCapture, processingMatches, type Capture, type GetUserMedia } from './capture.js';
import { AudioPipeline } from './audio-pipeline.js';
import type { PlayOptions } from './audio/bgm.js';
import { NO_SOUND_EFFECTS, type SoundEffectSettings } from './audio/sound-effects.js';
import { SessionClock } from './media/clock.js';
import { FrameSource } from './media/frame-source.js';
import { H264Encoder } from './media/video-encoder.js';
import { PreviewTrack } from './media/preview-track.js';
import { changesPicture } from './effects/yuv-picture.js';
import { CpuPicture } from './media/cpu-picture.js';
import { VideoStage, type CpuRoute, type StagePass } from './media/video-stage.js';
import { NO_PICTURE_EFFECTS, PictureEffects, type PictureSettings } from './effects/picture-effects.js';
import { WaitingImage, type WaitingImageSource } from './effects/waiting-image.js';
import { CustomRender } from './effects/custom-render.js';
import { FaceTracker } from './effects/face-tracker.js';

/** The element's states (spec §5 `state`). */
export type PusherState = SessionState;

/** Where the session reports (the element turns these into DOM events). */
export interface SessionSink {
  status(code: StatusCode, message: string): void;
  /** An `error` event (spec §1 events): permission refusals, load failures, fatal errors. */
  error(code: StatusCode, message: string): void;
  netStatus(info: NetStatusInfo): void;
  state(state: PusherState): void;
  /**
   * The preview's stream, or undefined when there is none: the pictures as pushed (crop, remote
   * mirror, effects, custom render), the same stream for the preview's whole life.
   */
  preview(stream: MediaStream | undefined): void;
  /** Microphone level 0–100, several times a second while capturing. */
  volume?(level: number): void;
  /** Background music events (spec §1 bgmstart, bgmprogress, bgmcomplete). */
  bgm?(event: 'bgmstart' | 'bgmprogress' | 'bgmcomplete', detail: object): void;
  /**
   * Something the app should know that is not a status code, or that cannot be done here and the
   * push goes on without (the element warns once).
   */
  warn?(message: string): void;
}

/** Everything a session needs from the element's attributes, resolved. */
export interface SessionSettings {
  url: string;
  video: VideoSettings;
  audio: AudioSettings;
  camera: boolean;
  mic: boolean;
  facingMode: 'user' | 'environment';
  remoteMirror: boolean;
  /** beauty, whiteness, beauty-style, filter, custom-effect (issue 6); none when absent. */
  picture?: PictureSettings;
  /** voice-changer-type, audio-reverb-type (issue 7); none when absent. */
  sound?: SoundEffectSettings;
  /** waiting-image and waiting-image-hash (spec §1). */
  waitingImage?: WaitingImageSource;
  /** enableVideoCustomRender (spec §1): the app's canvas is pushed. */
  customRender?: boolean;
}

export interface PusherSessionOptions {
  sink: SessionSink;
  /** A fresh transport for each connection attempt (the tunnel in the element). */
  createTransport(): Transport;
  /** Where camera and microphone come from, read at each capture; default the browser's devices. */
  captureSource?: () => GetUserMedia | undefined;
  /** Backoff after a dropped connection (core/reconnect.ts defaults: five attempts in about 30 s). */
  reconnect?: ReconnectOptions;
}

const NETSTATUS_INTERVAL_MS = 1000;
/** Frames per second pushed while paused: the picture does not change, viewers need only a trickle. */
const PAUSED_FPS = 5;
/** Seconds of video waiting in the transport past which the uplink counts as too slow (1101). */
const CONGESTED_BACKLOG_S = 1;
/** Adaptive bitrate steps (spec §1 min/max-bitrate): down fast when congested, up slowly when clear. */
const BITRATE_DOWN = 0.7;
const BITRATE_UP = 1.1;
const CLEAR_SECONDS_BEFORE_UP = 5;
/** Longest wait for the first encoded frame before connecting anyway. */
const ENCODER_START_WAIT_MS = 3000;
/** Audio frames held while the first key frame encodes: 3 s at 48 kHz is far more than it takes. */
const MAX_HELD_AUDIO = 150;
/** The face landmark worker and its model files, shipped beside the bundle (scripts/bundle.mjs). */
const FACE_WORKER_URL = new URL('./face-worker.js', import.meta.url);
/** The picture worker (the stage's CPU route under software WebGL), beside the bundle. */
const PICTURE_WORKER_URL = new URL('./picture-worker.js', import.meta.url);
const FACE_MODEL_URL = new URL('./face-models/', import.meta.url);

export class PusherSession {
  private readonly options: PusherSessionOptions;
  private readonly sink: SessionSink;
  private settings: SessionSettings;
  private readonly clock = new SessionClock();
  private readonly machine = new SessionStateMachine();
  private readonly reported = new WeakSet<LivePusherError>();
  private readonly reconnectPolicy: ReconnectPolicy;
  private capture: Capture | undefined;
  private frameSource: FrameSource | undefined;
  /** The one stage: its pictures go to the preview and, while pushing, to the encoder. */
  private stage: VideoStage | undefined;
  /** Whether the stage's canvas holds the newest picture (not so while the preview shows the camera). */
  private staged = false;
  /** The stage's CPU route's runner, from its first frame until the stage closes. */
  private cpuPicture: CpuPicture | undefined;
  /** The picture worker failed: the GPU route takes every frame until the stage is made again. */
  private cpuPictureFailed = false;
  private preview: PreviewTrack | undefined;
  /** The effect passes; kept across previews, so effects set while none runs show in the next. */
  private readonly picture = new PictureEffects({ onWarning: (message) => this.sink.warn?.(message) });
  /** Pushed while paused or hidden; a load or hash failure is statechange and error 10004. */
  private readonly waiting = new WaitingImage((message) => {
    this.status(StatusCode.WaitingImageFailed, `${describeStatus(StatusCode.WaitingImageFailed)}: ${message}`);
    this.sink.error(StatusCode.WaitingImageFailed, message);
  });
  /** Face landmarks, while an effect needs them (face-thinness, eye-bigness, face stickers, makeup). */
  private face: FaceTracker | undefined;
  /** @internal onCustomRendererEvent / createOffscreenCanvas (the context reaches it). */
  readonly customRender = new CustomRender();
  /** The page is hidden (visibilitychange): the waiting image and silence are pushed. */
  private hidden = false;
  private encoder: H264Encoder | undefined;
  private audio: AudioPipeline | undefined;
  private publisher: RtmpPublisher | undefined;
  private meter = new NetStatusMeter();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private pausedTimer: ReturnType<typeof setInterval> | undefined;
  /** Sequence headers, kept to start every (re)connection with them. */
  private videoHeader: FlvTag | undefined;
  private audioHeader: FlvTag | undefined;
  /** Each connection's media starts at a key frame, audio and video together. */
  private readonly streamStart = new StreamStartGate(MAX_HELD_AUDIO);
  /** Resolves when the video encoder produced its first frame (1008); resolved when there is no video. */
  private videoStarted: Promise<void> = Promise.resolve();
  private firstFrameSeen = false;
  private lastFrame: VideoFrame | undefined;
  private bitrateKbps: number;
  private clearSeconds = 0;
  private congested = false;
  /** Paused when the connection dropped: pause is re-applied after reconnecting. */
  private resumePaused = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by stop(): work started before it finds itself stale and undoes itself. */
  private generation = 0;

  constructor(settings: SessionSettings, options: PusherSessionOptions) {
    this.settings = settings;
    this.options = options;
    this.sink = options.sink;
    this.bitrateKbps = settings.video.maxBitrateKbps;
    this.reconnectPolicy = new ReconnectPolicy(options.reconnect);
    this.machine.onChange(({ to }) => this.sink.state(to));
  }

  get state(): PusherState {
    return this.machine.state;
  }

  /**
   * @internal Session time (µs, `performance.now()` × 1000) that FLV timestamp 0 stands for; null
   * before the first push. bench/latency joins capture and arrival times with it.
   */
  get clockOrigin(): number | null {
    return this.clock.origin;
  }

  /** Moves the state machine when the table allows `event`; reports whether it did. */
  private move(event: SessionEvent): boolean {
    if (!this.machine.can(event)) return false;
    this.machine.transition(event);
    return true;
  }

  private status(code: StatusCode, message: string = describeStatus(code)): void {
    this.sink.status(code, message);
  }

  /** A failure's statechange, once however many layers it passes through. */
  private report(error: LivePusherError): void {
    if (this.reported.has(error)) return;
    this.reported.add(error);
    this.status(error.code, error.message);
  }

  /** Opens the camera and microphone and shows the preview (spec §3 startPreview). */
  async startPreview(): Promise<void> {
    if (this.capture) return;
    const generation = this.generation;
    const { capture, failures } = await openCapture(this.settings, this.options.captureSource?.());
    if (generation !== this.generation) {
      closeCapture(capture);
      return;
    }
    for (const failure of failures) {
      this.report(failure.error);
      if (failure.refusal) this.sink.error(failure.refusal.code, failure.refusal.message);
    }
    if (failures.length > 0 && !capture.video && !capture.audio) {
      throw failures[0]!.error;
    }
    this.capture = capture;
    if (capture.video) {
      this.status(StatusCode.CameraOpened);
      capture.video.addEventListener('ended', this.onTrackEnded);
      this.startPicture(capture.video);
    }
    capture.audio?.addEventListener('ended', this.onTrackEnded);
    this.move('startPreview'); // only from idle/stopped: inside start() the state is already connecting
  }

  /**
   * Camera → frame source → stage → preview, from the preview on (the encoder joins at a push).
   * Without WebGL2 the preview shows the camera and says once why the effects are missing; a push
   * then fails as it needs the stage.
   */
  private startPicture(track: MediaStreamTrack): void {
    this.preview = new PreviewTrack();
    this.sink.preview(this.preview.stream);
    try {
      this.openStage();
    } catch (e) {
      this.sink.warn?.(`the preview shows the camera without effects: ${e instanceof Error ? e.message : String(e)}`);
    }
    void this.waiting.set(this.settings.waitingImage);
    this.frameSource = this.createFrameSource(track);
    this.frameSource.start();
  }

  /** The stage at the pushed size, running the current effects, with the face tracker they need. */
  private openStage(): void {
    const { video } = this.settings;
    this.stage = new VideoStage({ width: video.width, height: video.height, mirror: this.settings.remoteMirror });
    this.stage.setEffects(this.picture.update(this.settings.picture ?? NO_PICTURE_EFFECTS));
    this.cpuPictureFailed = false;
    this.syncFaceTracker();
  }

  /** Ends the frame source, the stage and its face tracker, the encoder and the preview. */
  private stopPicture(): void {
    void this.frameSource?.stop();
    this.frameSource = undefined;
    this.stopVideoEncoder();
    this.stage?.close();
    this.stage = undefined;
    this.cpuPicture?.close();
    this.cpuPicture = undefined;
    this.staged = false;
    this.syncFaceTracker();
    this.preview?.close();
    this.preview = undefined;
    this.lastFrame?.close();
    this.lastFrame = undefined;
    this.firstFrameSeen = false;
  }

  /** Closes the devices (spec §3 stopPreview); a running push stops with them. */
  async stopPreview(): Promise<void> {
    if (this.state !== 'previewing') return this.stop();
    this.releaseCapture();
    this.move('stopPreview');
  }

  /** Starts preview (if needed), the encoders and the push (spec §3 start). */
  async start(): Promise<void> {
    if (!this.move('start')) return; // already connecting, pushing, paused or reconnecting
    const generation = ++this.generation;
    try {
      await this.startPreview();
      await this.startEncoders();
      // The mini-program's order is 1003, 1007, 1008, then 1001: connect once the first frame is
      // encoded (a camera that delivers nothing does not hold the push up for long).
      await Promise.race([this.videoStarted, new Promise((resolve) => setTimeout(resolve, ENCODER_START_WAIT_MS))]);
      if (generation !== this.generation) return;
      await this.connect();
      if (generation !== this.generation) return;
      this.ticker = setInterval(() => this.tick(), NETSTATUS_INTERVAL_MS);
    } catch (e) {
      if (generation !== this.generation) return;
      const error = e instanceof LivePusherError ? e : new LivePusherError(StatusCode.ConnectFailed, String(e), { cause: e });
      this.report(error);
      this.move('fail');
      await this.stop();
      throw error;
    }
  }

  /** Stops the push and the preview (spec §3 stop). */
  async stop(): Promise<void> {
    this.generation++;
    clearInterval(this.ticker);
    clearInterval(this.pausedTimer);
    clearTimeout(this.reconnectTimer);
    this.ticker = this.pausedTimer = this.reconnectTimer = undefined;
    const publisher = this.publisher;
    this.publisher = undefined;
    this.stopEncoders();
    this.releaseCapture();
    if (publisher) {
      try {
        await publisher.stop();
      } catch {
        // The server already went away; nothing left to end.
      }
    }
    this.move('stop');
  }

  /** Keeps the connection and pushes the last frame and silence (spec §3 pause). */
  pause(): void {
    if (!this.move('pause')) return;
    this.audio?.setPaused(true);
    this.startHold();
  }

  resume(): void {
    if (!this.move('resume')) return;
    if (this.hidden) return; // still hidden: the waiting image and silence go on until it shows
    clearInterval(this.pausedTimer);
    this.pausedTimer = undefined;
    this.audio?.setPaused(false);
  }

  /**
   * The page was hidden or shown (the element's visibilitychange): while hidden, a push sends the
   * waiting image (or the last frame) at a low rate with the sound muted, as while paused.
   */
  setHidden(hidden: boolean): void {
    if (hidden === this.hidden) return;
    this.hidden = hidden;
    if (this.state !== 'pushing') return; // paused already holds; other states push nothing
    this.audio?.setPaused(hidden);
    if (hidden) this.startHold();
    else {
      clearInterval(this.pausedTimer);
      this.pausedTimer = undefined;
    }
  }

  /** Pushes held frames (pause, hidden page) at {@link PAUSED_FPS} instead of camera frames. */
  private startHold(): void {
    clearInterval(this.pausedTimer);
    this.pausedTimer = setInterval(() => this.pushHeldFrame(), 1000 / PAUSED_FPS);
  }

  /**
   * One frame of the waiting image, or a copy of the last camera frame when there is none, to
   * the encoder and the preview (which shows what viewers get: it holds too).
   */
  private pushHeldFrame(): void {
    if (!this.stage || !this.encoder) return;
    const timestamp = this.clock.nowUs();
    const frame = this.waiting.frame(timestamp) ?? (this.lastFrame ? new VideoFrame(this.lastFrame, { timestamp }) : undefined);
    if (!frame) return;
    try {
      this.deliver(this.stage.process(frame));
      this.staged = true;
    } finally {
      frame.close();
    }
  }

  /** Front ↔ back camera (spec §3 switchCamera): reopens the camera with the other facingMode. */
  async switchCamera(): Promise<void> {
    this.settings = { ...this.settings, facingMode: this.settings.facingMode === 'user' ? 'environment' : 'user' };
    await this.reopenCamera();
  }

  /** Opens the camera the settings name (facingMode) in place of the current one, mid-push too. */
  private async reopenCamera(): Promise<void> {
    const track = await this.reopenDevice('video');
    if (!track) return;
    // The preview's stream stays: the new camera's pictures follow the old one's in it.
    if (this.frameSource) {
      await this.frameSource.stop();
      this.frameSource = this.createFrameSource(track);
      this.frameSource.start();
    }
  }

  /**
   * Opens the microphone again with the processing the settings ask for (enable-agc, enable-ans,
   * audio-volume-type): Chromium does not change echo cancellation, noise suppression or gain
   * control on a live track (applyConstraints resolves and nothing changes), so a new track takes
   * the old one's place in the sound graph, with no gap in the pushed stream.
   */
  private async reopenMicrophone(): Promise<void> {
    const track = await this.reopenDevice('audio');
    if (track && !processingMatches(track, this.settings.audio)) {
      // While echo cancellation runs, Chromium keeps one processing configuration per device and
      // hands the new track the old one's: only with the old track stopped first does the new
      // configuration take (a short silence in the pushed sound, the price of the switch).
      await this.reopenDevice('audio', true);
    }
  }

  /**
   * A new track of `kind` from the current settings, swapped into the capture for the old one
   * (stopped), without a gap; `releaseFirst` stops the old track before opening the new one.
   */
  private async reopenDevice(kind: 'video' | 'audio', releaseFirst = false): Promise<MediaStreamTrack | undefined> {
    const old = this.capture?.[kind];
    if (!old) return undefined;
    if (releaseFirst) old.stop();
    const { capture, failures } = await openCapture({ ...this.settings, camera: kind === 'video', mic: kind === 'audio' }, this.options.captureSource?.());
    if (failures[0]) throw failures[0].error;
    const track = capture[kind]!;
    if (this.capture?.[kind] !== old) {
      // stopped or reopened again meanwhile: this track came too late
      track.stop();
      return undefined;
    }
    old.removeEventListener('ended', this.onTrackEnded);
    this.capture.stream.removeTrack(old);
    this.capture.stream.addTrack(track);
    this.capture[kind] = track;
    track.addEventListener('ended', this.onTrackEnded);
    if (kind === 'audio') this.audio?.replaceMicrophone(track);
    old.stop();
    return track;
  }

  /** Applies changed settings while running (attributes set during a push). */
  update(settings: SessionSettings): void {
    const before = this.settings;
    this.settings = settings;
    if (before.remoteMirror !== settings.remoteMirror) this.stage?.setMirror(settings.remoteMirror);
    const reportFailure = (e: unknown) => {
      if (e instanceof LivePusherError) this.report(e);
    };
    // device-position during a push reopens the camera (issue 4); the microphone's processing
    // switches reopen the microphone.
    if (before.facingMode !== settings.facingMode) this.reopenCamera().catch(reportFailure);
    const { audio } = settings;
    if (
      before.audio.echoCancellation !== audio.echoCancellation ||
      before.audio.noiseSuppression !== audio.noiseSuppression ||
      before.audio.autoGainControl !== audio.autoGainControl
    ) {
      this.reopenMicrophone().catch(reportFailure);
    }
    if (before.audio.sampleRate !== audio.sampleRate) {
      this.audio?.setSettings(audio).catch((e: unknown) => {
        const error = e instanceof LivePusherError ? e : new LivePusherError(StatusCode.AudioEncodeFailed, `audio-quality ${audio.sampleRate} Hz: ${String(e)}`, { cause: e });
        this.report(error);
        this.sink.error(error.code, error.message);
      });
    }
    // Effects take hold on the next frame, without restarting anything.
    const passes = this.picture.update(settings.picture ?? NO_PICTURE_EFFECTS);
    this.stage?.setEffects(passes);
    this.syncFaceTracker();
    void this.waiting.set(settings.waitingImage);
    if (before.mic !== settings.mic) this.audio?.setMicEnabled(settings.mic);
    const sound = settings.sound ?? NO_SOUND_EFFECTS;
    const soundBefore = before.sound ?? NO_SOUND_EFFECTS;
    if (sound.reverbType !== soundBefore.reverbType || sound.voiceChangerType !== soundBefore.voiceChangerType) void this.audio?.setEffects(sound);
    if (before.video.fps !== settings.video.fps) this.frameSource?.setFps(settings.video.fps);
    const sizeChanged = before.video.width !== settings.video.width || before.video.height !== settings.video.height;
    if (sizeChanged) void this.resizeVideo();
    if (before.video.maxBitrateKbps !== settings.video.maxBitrateKbps || before.video.minBitrateKbps !== settings.video.minBitrateKbps) {
      this.setBitrate(Math.min(settings.video.maxBitrateKbps, Math.max(settings.video.minBitrateKbps, this.bitrateKbps)));
    }
  }

  /** Carries `text` in the next video frame as an SEI user_data_unregistered message (spec §3 sendMessage). */
  sendMessage(text: string): void {
    if (!this.encoder) throw new LivePusherError(StatusCode.VideoEncodeFailed, 'not pushing video');
    this.encoder.sendMessage(text);
  }

  /** applyFilter (spec §3): a lookup table of `size`³ RGBA texels mixed at `alpha` after the filter. */
  applyLookup(table: Uint8Array, size: number, alpha: number): void {
    const passes = this.picture.applyLookup(table, size, alpha);
    this.stage?.setEffects(passes);
  }

  /** clearFilters (spec §3). */
  clearLookup(): void {
    const passes = this.picture.clearLookup();
    this.stage?.setEffects(passes);
  }

  /**
   * Changes stickers or makeup (spec §3 applySticker, clearStickers, the makeup methods) through
   * `change`, which returns the passes to run; the landmark worker starts or stops as they need.
   */
  changeOverlays(change: (picture: PictureEffects) => StagePass[]): void {
    this.stage?.setEffects(change(this.picture));
    this.syncFaceTracker();
  }

  /** The last pushed picture as a bitmap (snapshot `view` fits and mirrors it); the caller closes it. */
  async pictureBitmap(): Promise<ImageBitmap> {
    return this.currentPicture().snapshotBitmap();
  }

  /** The pushed picture (`stream`) as an image (spec §3 snapshot), while previewing too. */
  async snapshot(type: 'image/png' | 'image/jpeg'): Promise<{ blob: Blob; width: number; height: number }> {
    const stage = this.currentPicture();
    const blob = await stage.snapshot({ type, quality: 0.9 });
    return { blob, ...stage.size };
  }

  /**
   * The stage, its canvas holding the newest picture: while the preview showed the camera
   * directly, the last camera frame is rendered now (nothing changes it, so it is what a push
   * would send).
   */
  private currentPicture(): VideoStage {
    if (!this.stage) throw new Error('no picture yet: start the preview first');
    if (!this.staged && this.lastFrame) {
      this.stage.process(this.lastFrame).close();
      this.staged = true;
    }
    return this.stage;
  }

  setMicVolume(volume: number): void {
    this.audio?.setVolume(volume);
  }

  /**
   * Background music into the pushed sound (spec §3 playBGM). It needs the push's audio graph,
   * so it works while pushing; a file that cannot be fetched or decoded is statechange and error
   * 10003 (spec §4), and the call fails.
   */
  async playBgm(options: PlayOptions): Promise<void> {
    const audio = this.requireAudio();
    try {
      await audio.playBgm(options);
    } catch (e) {
      const error = new LivePusherError(StatusCode.BgmLoadFailed, `${describeStatus(StatusCode.BgmLoadFailed)}: ${options.url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      this.status(error.code, error.message);
      this.sink.error(error.code, error.message);
      throw error;
    }
  }

  stopBgm(): void {
    this.requireAudio().stopBgm();
  }

  pauseBgm(): void {
    this.requireAudio().pauseBgm();
  }

  resumeBgm(): void {
    this.requireAudio().resumeBgm();
  }

  setBgmVolume(volume: number): void {
    this.requireAudio().setBgmVolume(volume);
  }

  private requireAudio(): AudioPipeline {
    if (!this.audio) throw new Error('no audio is being pushed: start the push (with a microphone) first');
    return this.audio;
  }

  /** The live camera track (for zoom and torch constraints), if any. */
  get cameraTrack(): MediaStreamTrack | undefined {
    return this.capture?.video;
  }

  private readonly onTrackEnded = () => {
    this.status(StatusCode.DeviceInterrupted);
  };

  private releaseCapture(): void {
    this.stopPicture();
    this.capture?.video?.removeEventListener('ended', this.onTrackEnded);
    this.capture?.audio?.removeEventListener('ended', this.onTrackEnded);
    closeCapture(this.capture);
    this.capture = undefined;
    this.sink.preview(undefined);
  }

  private createFrameSource(track: MediaStreamTrack): FrameSource {
    return new FrameSource({
      track,
      clock: this.clock,
      fps: this.settings.video.fps,
      onFrame: (frame) => this.onFrame(frame),
      onEnded: () => this.status(StatusCode.DeviceInterrupted),
    });
  }

  private async startEncoders(): Promise<void> {
    if (this.capture?.video) await this.startVideo();
    this.audio = await AudioPipeline.create({
      track: this.capture?.audio,
      settings: this.settings.audio,
      micEnabled: this.settings.mic,
      clock: this.clock,
      onTag: (tag) => this.onAudioTag(tag),
      onLevel: (level) => this.sink.volume?.(level),
      onError: (error) => {
        this.status(error.code, error.message);
        this.sink.error(error.code, error.message);
      },
      bgmEvents: {
        start: () => this.sink.bgm?.('bgmstart', {}),
        progress: (progress, duration) => this.sink.bgm?.('bgmprogress', { progress, duration }),
        complete: () => this.sink.bgm?.('bgmcomplete', {}),
      },
      effects: this.settings.sound ?? NO_SOUND_EFFECTS,
      onWarning: (message) => this.sink.warn?.(message),
    });
  }

  /** The H.264 encoder joins the running stage (created here when the preview could not make one). */
  private async startVideo(): Promise<void> {
    const { video } = this.settings;
    let started!: () => void;
    this.videoStarted = new Promise((resolve) => (started = resolve));
    if (!this.stage) this.openStage(); // throws without WebGL2: no push without the stage
    this.encoder = await H264Encoder.create({
      width: video.width,
      height: video.height,
      fps: video.fps,
      bitrate: this.bitrateKbps * 1000,
      clock: this.clock,
      onTag: (tag) => this.onVideoTag(tag),
      onEvent: (event) => {
        switch (event.type) {
          case 'started':
            started();
            return this.status(StatusCode.EncoderStarted, `${describeStatus(StatusCode.EncoderStarted)}: ${event.codec}, ${event.acceleration}`);
          case 'software-fallback':
            return this.status(StatusCode.SoftwareEncoderFallback, `${describeStatus(StatusCode.SoftwareEncoderFallback)}: ${event.reason}`);
          case 'restarted':
            return this.status(StatusCode.VideoEncoderRestarted);
          case 'failed':
            this.status(event.error.code, event.error.message);
            this.sink.error(event.error.code, event.error.message);
            this.move('fail');
            return void this.stop();
          default: {
            const never: never = event;
            return never;
          }
        }
      },
    });
  }

  private stopVideoEncoder(): void {
    this.encoder?.close();
    this.encoder = undefined;
    this.videoHeader = undefined;
  }

  private stopEncoders(): void {
    this.stopVideoEncoder();
    this.audio?.close();
    this.audio = undefined;
    this.audioHeader = undefined;
  }

  /**
   * A new pushed size: the stage draws at it from the next frame, and a push needs a new encoder
   * and sequence header (1005).
   */
  private async resizeVideo(): Promise<void> {
    const { width, height } = this.settings.video;
    this.stage?.setOutputSize(width, height);
    this.staged = false;
    if (!this.encoder) return;
    this.stopVideoEncoder();
    this.streamStart.awaitVideoKey();
    await this.startVideo();
    this.status(StatusCode.ResolutionChanged, `${describeStatus(StatusCode.ResolutionChanged)}: ${width}×${height}`);
  }

  private onFrame(frame: VideoFrame): void {
    if (!this.firstFrameSeen) {
      this.firstFrameSeen = true;
      this.status(StatusCode.FirstFrameCaptured);
    }
    if (this.state === 'paused' || this.pausedTimer !== undefined) {
      // Held frames go out instead (pushHeldFrame); this one is kept for them.
      this.keepLastFrame(frame);
      return;
    }
    try {
      if (!this.stage || (!this.encoder && this.pictureUnchanged())) {
        this.staged = false;
        const { width, height } = this.settings.video;
        this.preview?.showCamera(frame, width, height);
        return;
      }
      this.trackFace(frame);
      const route = this.cpuRoute(frame);
      if (route) {
        this.staged = false;
        if (!changesPicture(route.steps)) this.deliver(frame.clone());
        else (this.cpuPicture ??= this.createCpuPicture()).offer(frame.clone(), route);
        return;
      }
      const out = this.stage.process(frame);
      this.staged = true;
      this.deliver(this.settings.customRender ? this.customRender.render(out) : out);
    } finally {
      this.keepLastFrame(frame);
    }
  }

  /**
   * Whether the stage would hand the camera's picture on as it is (cropped): no effect, no remote
   * mirror, no custom render. Then, while only previewing, the preview shows the camera frames
   * directly (no GPU work); the crop is the stage's and the local mirror the same, so an effect
   * that starts or stops changes only the picture, not how it sits. While pushing the frames go
   * through the stage's routes all the same, so that the encoder gets one colour space
   * (`PUSHED_COLOUR`): the CPU route sends a camera frame already in it as it is.
   */
  private pictureUnchanged(): boolean {
    return !this.settings.remoteMirror && !this.settings.customRender && this.stage!.passes.length === 0;
  }

  /**
   * Whether a camera frame is the pushed picture's size and upright, as the CPU route needs: then
   * it goes to the encoder in its own YUV (converted to the pushed colour space where it is not
   * in it already). Through the stage, software WebGL held the frame handler 22–31 ms per
   * 1280×720 frame (the upload, then the wait for the canvas), which kept a 720p push without
   * effects at 25 fps of 30.
   */
  private isPushedPicture(frame: VideoFrame): boolean {
    const { width, height } = this.settings.video;
    const { rotation = 0, flip = false } = frame as VideoFrame & { rotation?: number; flip?: boolean };
    return frame.displayWidth === width && frame.displayHeight === height && rotation === 0 && !flip;
  }

  /**
   * The stage's CPU route for the frame (see `VideoStage.cpuRoute`), when it is the pushed
   * picture's size and upright, the app does not draw the picture itself and the picture worker
   * has not failed.
   */
  private cpuRoute(frame: VideoFrame): CpuRoute | null {
    if (this.cpuPictureFailed || this.settings.customRender || !this.isPushedPicture(frame)) return null;
    return this.stage!.cpuRoute(frame);
  }

  /** The picture worker's client, started with the CPU route's first frame of a stage. */
  private createCpuPicture(): CpuPicture {
    return new CpuPicture(PICTURE_WORKER_URL, {
      picture: (picture) => this.onCpuPicture(picture),
      failed: (error) => {
        // Said once; the GPU route takes every frame after, until the stage is made again.
        this.cpuPicture = undefined;
        this.cpuPictureFailed = true;
        this.sink.warn?.(`the picture effects run on WebGL from now on: ${error.message}`);
      },
    });
  }

  /**
   * A picture of the CPU route, finished after its frame's handler returned: delivered unless
   * the picture it belongs to changed meanwhile (paused, resized, stopped).
   */
  private onCpuPicture(picture: VideoFrame): void {
    const { width, height } = this.settings.video;
    const current = this.stage && this.state !== 'paused' && this.pausedTimer === undefined;
    if (!current || picture.displayWidth !== width || picture.displayHeight !== height) picture.close();
    else this.deliver(picture);
  }

  /** A picture (owned) to the preview and, while pushing, to the encoder. */
  private deliver(picture: VideoFrame): void {
    if (this.encoder) {
      // A clone shares the picture (no copy): the preview and the encoder each close their own.
      this.preview?.show(picture.clone());
      this.encoder.encode(picture);
    } else if (this.preview) this.preview.show(picture);
    else picture.close();
  }

  /**
   * Runs the landmark worker while the picture needs a face (spec §1 face-thinness, eye-bigness;
   * §3 face stickers, makeup): started with the stage, stopped with it or when nothing needs it
   * any more. A model that cannot load or run is said once, and the rest of the picture goes on
   * without what follows the face.
   */
  private syncFaceTracker(): void {
    const wanted = this.stage !== undefined && this.picture.needsLandmarks();
    if (wanted && !this.face) {
      this.face = new FaceTracker({
        workerUrl: FACE_WORKER_URL,
        modelUrl: FACE_MODEL_URL,
        onUnavailable: (message) => this.sink.warn?.(`face-thinness, eye-bigness, face stickers and makeup are off: ${message}`),
      });
    } else if (!wanted && this.face) {
      this.face.close();
      this.face = undefined;
      this.picture.setFace(null);
    }
  }

  /** Offers the frame to the landmark worker and gives the warp this frame's face. */
  private trackFace(frame: VideoFrame): void {
    if (!this.face || !this.stage) return;
    this.face.offer(frame);
    const face = this.face.face();
    this.picture.setFace(face && this.stage.sourceToStage(face.points), face?.presence);
  }

  /** Keeps the newest camera frame (for pause) and closes the one it replaces. */
  private keepLastFrame(frame: VideoFrame): void {
    this.lastFrame?.close();
    this.lastFrame = frame;
  }

  private onVideoTag(tag: FlvTag): void {
    if (tag.data[1] === 0) {
      this.videoHeader = tag;
      if (this.isSending()) this.publisher!.sendTag({ ...tag, timestamp: 0 });
      return;
    }
    if (!this.isSending()) return;
    for (const out of this.streamStart.video(tag)) {
      if (out.type === FlvTagType.Audio) this.sendAudio(out);
      else this.sendVideo(out);
    }
  }

  private onAudioTag(tag: FlvTag): void {
    if (tag.data[1] === 0) {
      // A header during the push is a new encoder's (audio-quality changed): it goes out in time
      // order, before the first frame it describes.
      this.audioHeader = tag;
      if (this.isSending()) this.publisher!.sendTag(tag);
      return;
    }
    if (!this.isSending()) return;
    for (const out of this.streamStart.audio(tag)) this.sendAudio(out);
  }

  private sendVideo(tag: FlvTag): void {
    this.meter.recordVideo(tag.data.length, isKeyFrame(tag), tag.timestamp);
    this.publisher!.sendTag(tag);
  }

  private sendAudio(tag: FlvTag): void {
    this.meter.recordAudio(tag.data.length);
    this.publisher!.sendTag(tag);
  }

  private isSending(): boolean {
    return this.publisher?.isPublishing === true && (this.state === 'pushing' || this.state === 'paused');
  }

  private async connect(): Promise<void> {
    const generation = this.generation;
    const publisher = new RtmpPublisher({
      url: this.settings.url,
      transport: this.options.createTransport(),
      onStatus: (code, message) => this.status(code, message),
      onClose: (error) => {
        // Only a connection that was pushing is retried: a first connection that fails (a refused
        // stream key, a wrong host) is reported by start() and left to the app.
        const live = this.state === 'pushing' || this.state === 'paused';
        if (error && live && this.publisher === publisher && generation === this.generation) this.onConnectionLost(error);
      },
    });
    this.publisher = publisher;
    await publisher.start();
    if (generation !== this.generation) {
      publisher.destroy();
      return;
    }
    if (this.clock.origin === null) this.clock.setOrigin(this.clock.nowUs());
    this.move(this.state === 'reconnecting' ? 'reconnected' : 'connected');
    this.sendHeaders();
  }

  /** Metadata and sequence headers, then media from the next key frame: what a (re)connection starts with. */
  private sendHeaders(): void {
    const publisher = this.publisher!;
    const { video, audio } = this.settings;
    const hasVideo = this.encoder !== undefined;
    publisher.sendTag({
      type: FlvTagType.Script,
      timestamp: 0,
      data: buildOnMetaData({
        ...(hasVideo ? { width: video.width, height: video.height, framerate: video.fps, videocodecid: 7, videodatarate: this.bitrateKbps } : {}),
        audiocodecid: 10,
        audiosamplerate: audio.sampleRate,
        stereo: audio.channels > 1,
        encoder: 'live-pusher',
      }),
    });
    if (this.videoHeader) publisher.sendTag({ ...this.videoHeader, timestamp: 0 });
    if (this.audioHeader) publisher.sendTag({ ...this.audioHeader, timestamp: 0 });
    this.streamStart.restart(hasVideo);
    this.encoder?.requestKeyFrame();
    this.meter = new NetStatusMeter();
    this.meter.sample(performance.now(), this.sendState());
  }

  /** The connection dropped: 1102 and retries with backoff, −1307 once the policy gives up (spec §4). */
  private onConnectionLost(error: LivePusherError): void {
    this.publisher = undefined;
    const wasPaused = this.state === 'paused';
    if (!this.move('connectionLost')) return;
    this.resumePaused = wasPaused;
    clearInterval(this.pausedTimer);
    this.pausedTimer = undefined;
    this.status(error.code, error.message);
    this.status(StatusCode.Reconnecting);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectPolicy.next();
    if (delay === undefined) {
      const message = `${describeStatus(StatusCode.ReconnectFailed)} (${this.reconnectPolicy.attempts} attempts)`;
      this.reconnectPolicy.reset();
      this.move('reconnectFailed');
      this.status(StatusCode.ReconnectFailed, message);
      this.sink.error(StatusCode.ReconnectFailed, message);
      void this.stop();
      return;
    }
    const generation = this.generation;
    this.reconnectTimer = setTimeout(async () => {
      if (generation !== this.generation) return;
      try {
        await this.connect();
        this.reconnectPolicy.succeeded();
        if (this.resumePaused) {
          this.resumePaused = false;
          this.pause();
        }
      } catch (e) {
        if (generation !== this.generation) return;
        this.publisher = undefined;
        const error = e instanceof LivePusherError ? e : new LivePusherError(StatusCode.ConnectFailed, String(e));
        this.status(error.code, error.message);
        this.scheduleReconnect();
      }
    }, delay);
  }

  private sendState() {
    const cache = this.publisher?.cachedFrames ?? { audio: 0, video: 0 };
    return {
      bytesSent: this.publisher?.bytesSent ?? 0,
      videoCache: cache.video + (this.encoder?.queueSize ?? 0),
      audioCache: cache.audio,
      videoWidth: this.encoder ? this.settings.video.width : 0,
      videoHeight: this.encoder ? this.settings.video.height : 0,
    };
  }

  /** Once a second: netstatus, congestion (1101) and adaptive bitrate (1006). */
  private tick(): void {
    if (this.state !== 'pushing' && this.state !== 'paused') return;
    const info = this.meter.sample(performance.now(), this.sendState());
    this.sink.netStatus(info);
    const fps = Math.max(1, info.videoFPS || this.settings.video.fps);
    const backlogSeconds = info.videoCache / fps;
    if (backlogSeconds > CONGESTED_BACKLOG_S) {
      this.clearSeconds = 0;
      if (!this.congested) {
        this.congested = true;
        this.status(StatusCode.UplinkSlow, `${describeStatus(StatusCode.UplinkSlow)}: ${backlogSeconds.toFixed(1)} s of video waiting`);
      }
      this.setBitrate(Math.max(this.settings.video.minBitrateKbps, Math.round(this.bitrateKbps * BITRATE_DOWN)));
    } else {
      this.congested = false;
      if (++this.clearSeconds >= CLEAR_SECONDS_BEFORE_UP && this.bitrateKbps < this.settings.video.maxBitrateKbps) {
        this.clearSeconds = 0;
        this.setBitrate(Math.min(this.settings.video.maxBitrateKbps, Math.round(this.bitrateKbps * BITRATE_UP)));
      }
    }
  }

  private setBitrate(kbps: number): void {
    if (kbps === this.bitrateKbps) return;
    this.bitrateKbps = kbps;
    this.encoder?.setBitrate(kbps * 1000);
    this.status(StatusCode.BitrateChanged, `${describeStatus(StatusCode.BitrateChanged)}: ${kbps} kbps`);
  }
}
