/**
 * Background music (spec §3 playBGM, stopBGM, pauseBGM, resumeBGM, setBGMVolume): a file decoded
 * whole with decodeAudioData and played by an AudioBufferSourceNode through one gain into both the
 * pushed mix (the capture's `mixBus`) and the speakers (played locally, spec §3 playBGM).
 *
 *   AudioBufferSourceNode ─► bgmGain (setBGMVolume) ─┬─► mixBus (pushed)
 *                                                    └─► destination (heard locally)
 *
 * Why a decoded buffer rather than a media element: the level setBGMVolume asks for must be exact
 * in the pushed audio (an element's own volume and output path vary by browser), the segment
 * startTimeMs–endTimeMs is a plain `start(when, offset, duration)`, and a file that does not
 * decode is known before anything plays (10003) instead of stalling silently.
 *
 * Buffer sources cannot be paused, so pause stops the node and remembers the position; resume
 * starts a new node from there.
 */

/** What the player reports; the session turns these into element events and codes. */
export interface BgmEvents {
  start(): void;
  /** Position and length of the played segment, seconds. */
  progress(progress: number, duration: number): void;
  complete(): void;
}

export interface PlayOptions {
  url: string;
  startTimeMs?: number | undefined;
  endTimeMs?: number | undefined;
}

/** bgmprogress every quarter second: "a few times a second" (spec §1), cheap on the main thread. */
const PROGRESS_INTERVAL_MS = 250;
/** Gain changes ramp with this time constant (s) so that volume steps do not click. */
const GAIN_SMOOTHING_S = 0.01;

export class BackgroundMusic {
  private readonly gain: GainNode;
  private buffer: AudioBuffer | undefined;
  private source: AudioBufferSourceNode | undefined;
  /** The segment of the file being played, seconds into the file. */
  private segmentStart = 0;
  private segmentEnd = 0;
  /** Position within the segment when (re)started, and the context time it was started at. */
  private offset = 0;
  private startedAt = 0;
  private paused = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Bumped by every play/stop so a slow load or a stale `ended` cannot act on a newer song. */
  private generation = 0;

  constructor(
    private readonly context: BaseAudioContext,
    mixBus: AudioNode,
    private readonly events: BgmEvents,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {
    this.gain = new GainNode(context, { gain: 1 });
    this.gain.connect(mixBus);
    this.gain.connect(context.destination);
  }

  /** True while a song is loaded and not stopped (playing or paused). */
  get active(): boolean {
    return this.buffer !== undefined;
  }

  /**
   * Loads, decodes and plays `url` from startTimeMs to endTimeMs (default: the whole file),
   * replacing whatever played. Rejects when the file cannot be fetched or decoded; the caller
   * reports 10003.
   */
  async play(options: PlayOptions): Promise<void> {
    this.stop();
    const generation = this.generation;
    const response = await this.fetchImpl(options.url);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${options.url}`);
    const data = await response.arrayBuffer();
    const buffer = await this.context.decodeAudioData(data);
    if (generation !== this.generation) return; // stopped or replaced while loading
    const start = Math.min(buffer.duration, (options.startTimeMs ?? 0) / 1000);
    const end = options.endTimeMs !== undefined && options.endTimeMs > 0 ? Math.min(buffer.duration, options.endTimeMs / 1000) : buffer.duration;
    if (end <= start) throw new Error(`endTimeMs ${options.endTimeMs} is not after startTimeMs ${options.startTimeMs ?? 0}`);
    this.buffer = buffer;
    this.segmentStart = start;
    this.segmentEnd = end;
    this.offset = 0;
    this.paused = false;
    this.startSource();
    this.events.start();
    this.timer = setInterval(() => this.events.progress(this.position, this.duration), PROGRESS_INTERVAL_MS);
  }

  /** Seconds into the segment. */
  get position(): number {
    if (!this.buffer) return 0;
    if (this.paused || !this.source) return this.offset;
    return Math.min(this.duration, this.offset + (this.context.currentTime - this.startedAt));
  }

  /** Length of the segment, seconds. */
  get duration(): number {
    return this.segmentEnd - this.segmentStart;
  }

  pause(): void {
    if (!this.buffer || this.paused) return;
    this.offset = this.position;
    this.paused = true;
    this.stopSource();
  }

  resume(): void {
    if (!this.buffer || !this.paused) return;
    this.paused = false;
    this.startSource();
  }

  /** Stops and forgets the song. No bgmcomplete: that is for a song that played to its end. */
  stop(): void {
    this.generation++;
    this.stopSource();
    clearInterval(this.timer);
    this.timer = undefined;
    this.buffer = undefined;
    this.paused = false;
  }

  /** setBGMVolume, 0–1: a linear gain on the music alone. */
  setVolume(volume: number): void {
    this.gain.gain.setTargetAtTime(volume, this.context.currentTime, GAIN_SMOOTHING_S);
  }

  close(): void {
    this.stop();
    this.gain.disconnect();
  }

  private startSource(): void {
    const buffer = this.buffer!;
    const source = new AudioBufferSourceNode(this.context, { buffer });
    source.connect(this.gain);
    const generation = this.generation;
    source.onended = () => {
      // `ended` also fires after stop(); only a source that ran out is the song completing.
      if (source !== this.source || generation !== this.generation) return;
      this.source = undefined;
      this.events.progress(this.duration, this.duration);
      this.stop();
      this.events.complete();
    };
    this.startedAt = this.context.currentTime;
    source.start(this.startedAt, this.segmentStart + this.offset, this.duration - this.offset);
    this.source = source;
  }

  private stopSource(): void {
    const source = this.source;
    this.source = undefined;
    if (!source) return;
    source.onended = null;
    try {
      source.stop();
    } catch {
      // never started: nothing to stop
    }
    source.disconnect();
  }
}
