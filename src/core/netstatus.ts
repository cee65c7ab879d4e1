/**
 * The `netstatus` figures (spec §4, NetStatusInfo), measured rather than estimated: the meter
 * counts what the encoders produced and what the transport actually sent, and turns the counts
 * into per-second rates each time it is sampled (about once a second).
 */

export interface NetStatusInfo {
  /** Video encoder output over the last interval, kbps. */
  videoBitrate: number;
  /** Audio encoder output, kbps. */
  audioBitrate: number;
  /** Video frames produced per second. */
  videoFPS: number;
  /** Keyframe interval in seconds (media time between the last two keyframes). */
  videoGOP: number;
  /** Bytes handed to the network per second, kbps. */
  netSpeed: number;
  /** Mean change of netSpeed between recent samples, kbps: larger is less stable. */
  netJitter: number;
  /** 0 unknown, 1 best … 6 unusable, from how much media waits to be sent. */
  netQualityLevel: number;
  videoWidth: number;
  videoHeight: number;
  /** Video frames waiting to be sent. */
  videoCache: number;
  /** Audio frames waiting to be sent. */
  audioCache: number;
}

/** What the meter reads from the sending side at each sample. */
export interface SendState {
  /** Total bytes handed to the network so far. */
  bytesSent: number;
  videoCache: number;
  audioCache: number;
  videoWidth: number;
  videoHeight: number;
}

const JITTER_SAMPLES = 5;
/** AAC frames per second at 48 kHz (1024 samples a frame): the audio-only queue yardstick. */
const AUDIO_FRAMES_PER_SECOND = 47;

export class NetStatusMeter {
  private videoBytes = 0;
  private audioBytes = 0;
  private videoFrames = 0;
  private lastKeyframeMs: number | undefined;
  private gopSeconds = 0;
  private lastSampleAt: number | undefined;
  private lastBytesSent = 0;
  private readonly speeds: number[] = [];

  /** Counts one encoded video frame; `timestampMs` is its media time. */
  recordVideo(bytes: number, keyframe: boolean, timestampMs: number): void {
    this.videoBytes += bytes;
    this.videoFrames++;
    if (keyframe) {
      if (this.lastKeyframeMs !== undefined && timestampMs > this.lastKeyframeMs) {
        this.gopSeconds = (timestampMs - this.lastKeyframeMs) / 1000;
      }
      this.lastKeyframeMs = timestampMs;
    }
  }

  /** Counts one encoded audio frame. */
  recordAudio(bytes: number): void {
    this.audioBytes += bytes;
  }

  /**
   * Rates since the previous sample. `nowMs` is a monotonic clock. The first call starts the
   * interval and reports netQualityLevel 0 (unknown).
   */
  sample(nowMs: number, state: SendState): NetStatusInfo {
    const first = this.lastSampleAt === undefined;
    const seconds = first ? 0 : Math.max(0.001, (nowMs - this.lastSampleAt!) / 1000);
    const kbps = (bytes: number) => (seconds > 0 ? Math.round((bytes * 8) / 1000 / seconds) : 0);
    const netSpeed = kbps(state.bytesSent - this.lastBytesSent);
    const videoFPS = seconds > 0 ? Math.round((this.videoFrames / seconds) * 10) / 10 : 0;
    const info: NetStatusInfo = {
      videoBitrate: kbps(this.videoBytes),
      audioBitrate: kbps(this.audioBytes),
      videoFPS,
      videoGOP: this.gopSeconds,
      netSpeed,
      netJitter: 0,
      netQualityLevel: 0,
      videoWidth: state.videoWidth,
      videoHeight: state.videoHeight,
      videoCache: state.videoCache,
      audioCache: state.audioCache,
    };
    if (!first) {
      this.speeds.push(netSpeed);
      if (this.speeds.length > JITTER_SAMPLES) this.speeds.shift();
      info.netJitter = meanAbsoluteChange(this.speeds);
      info.netQualityLevel = qualityLevel(state, videoFPS);
    }
    this.lastSampleAt = nowMs;
    this.lastBytesSent = state.bytesSent;
    this.videoBytes = 0;
    this.audioBytes = 0;
    this.videoFrames = 0;
    return info;
  }
}

function meanAbsoluteChange(values: number[]): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (let i = 1; i < values.length; i++) sum += Math.abs(values[i]! - values[i - 1]!);
  return Math.round(sum / (values.length - 1));
}

/**
 * Seconds of media waiting to be sent decide the level: nothing waiting is best; a backlog of
 * half a second is fair, of four seconds or more unusable (the point where players stall).
 */
function qualityLevel(state: SendState, videoFPS: number): number {
  const backlog = videoFPS > 0 ? state.videoCache / videoFPS : state.audioCache / AUDIO_FRAMES_PER_SECOND;
  if (backlog <= 0.1) return 1;
  if (backlog <= 0.25) return 2;
  if (backlog <= 0.5) return 3;
  if (backlog <= 1) return 4;
  if (backlog <= 4) return 5;
  return 6;
}
