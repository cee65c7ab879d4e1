/**
 * The `mode` presets of spec §2 and how they combine with `aspect`, `orientation` and explicit
 * `video-width`/`video-height`/`min-bitrate`/`max-bitrate`/`fps` (spec §1) into the settings the
 * encoders get; and the audio settings of spec §1 (`audio-quality`, `enable-agc`, `enable-ans`,
 * `audio-volume-type`). Pure functions: no DOM, no Node APIs.
 */
import { ATTRIBUTE_SCHEMA, type PusherAttributes, type PusherMode, type PusherProperty } from './attributes.js';

/** One row of spec §2: the portrait size, the adaptive bitrate range and the frame rate of a mode. */
export interface ModePreset {
  readonly width: number;
  readonly height: number;
  readonly minBitrateKbps: number;
  readonly maxBitrateKbps: number;
  readonly fps: number;
}

/** The presets of spec §2 (portrait sizes; a horizontal orientation turns them sideways). */
export const MODE_PRESETS: Readonly<Record<PusherMode, ModePreset>> = Object.freeze({
  QVGA: { width: 240, height: 320, minBitrateKbps: 100, maxBitrateKbps: 400, fps: 15 },
  HVGA: { width: 320, height: 480, minBitrateKbps: 150, maxBitrateKbps: 600, fps: 15 },
  SD: { width: 360, height: 640, minBitrateKbps: 300, maxBitrateKbps: 800, fps: 15 },
  HD: { width: 540, height: 960, minBitrateKbps: 600, maxBitrateKbps: 1500, fps: 15 },
  FHD: { width: 720, height: 1280, minBitrateKbps: 600, maxBitrateKbps: 1800, fps: 15 },
  RTC: { width: 360, height: 640, minBitrateKbps: 200, maxBitrateKbps: 1000, fps: 15 },
});

/** What the video encoder and the adaptive bitrate get (spec §1, §2). */
export interface VideoSettings {
  /** Pushed width in pixels, even. */
  width: number;
  /** Pushed height in pixels, even. */
  height: number;
  /** Frames per second, 1–30. */
  fps: number;
  /** Lower bound of adaptive bitrate, kbps. */
  minBitrateKbps: number;
  /** Upper bound and starting target, kbps; never below `minBitrateKbps`. */
  maxBitrateKbps: number;
}

/** {@link VideoSettings} plus the warnings (spec §1: ready for `console.warn`) for values that were fixed. */
export interface ResolvedVideoSettings extends VideoSettings {
  warnings: string[];
}

/** The attributes {@link resolveVideoSettings} reads (spec §1, §2). */
export type VideoAttributes = Pick<
  PusherAttributes,
  'mode' | 'aspect' | 'orientation' | 'videoWidth' | 'videoHeight' | 'minBitrate' | 'maxBitrate' | 'fps'
>;

const SIZE = ATTRIBUTE_SCHEMA.videoWidth;
const FPS = ATTRIBUTE_SCHEMA.fps;

/** Floors to a multiple of 2 (H.264 4:2:0 needs even sizes) within the attribute range. */
function evenSize(n: number): number {
  const clamped = Math.min(SIZE.max, Math.max(SIZE.min, n));
  return Math.floor(clamped / 2) * 2;
}

/**
 * The pushed video settings (spec §2): the `mode` preset, overridden by every property in
 * `explicit` (the properties the app set, by attribute or property):
 *
 * 1. Size from the mode: the preset's portrait size; `aspect="3:4"` keeps the width and makes the
 *    height width×4/3. `orientation="horizontal"` turns it sideways (FHD → 1280×720).
 * 2. Explicit `video-width` and `video-height` win. Only one of them explicit: the other follows
 *    the shape of step 1 (RTC + `video-width=720` → 720×1280; horizontal → 720×404).
 *    Both explicit and horizontal: the larger side becomes the width, so portrait numbers written
 *    out (`360`×`640`) give 640×360 and landscape numbers (`1280`×`720`) stay as they are.
 * 3. Sizes are floored to even numbers within 16–4096 (an odd explicit value warns).
 * 4. `fps` and the bitrates come from the preset unless explicit; fps is clamped to 1–30.
 *    When `min-bitrate` > `max-bitrate`: both explicit → min is lowered to max with a warning;
 *    one explicit → the preset's other bound follows it silently.
 */
export function resolveVideoSettings(attrs: VideoAttributes, explicit: ReadonlySet<PusherProperty>): ResolvedVideoSettings {
  const warnings: string[] = [];
  const preset = MODE_PRESETS[attrs.mode];
  const horizontal = attrs.orientation === 'horizontal';

  // Step 1: the mode's shape.
  let baseW = preset.width;
  let baseH = attrs.aspect === '3:4' ? (preset.width * 4) / 3 : preset.height;
  if (horizontal) [baseW, baseH] = [baseH, baseW];

  // Step 2: explicit sizes.
  const hasW = explicit.has('videoWidth');
  const hasH = explicit.has('videoHeight');
  let width: number;
  let height: number;
  if (hasW && hasH) {
    [width, height] = horizontal && attrs.videoHeight > attrs.videoWidth ? [attrs.videoHeight, attrs.videoWidth] : [attrs.videoWidth, attrs.videoHeight];
  } else if (hasW) {
    [width, height] = [attrs.videoWidth, (attrs.videoWidth * baseH) / baseW];
  } else if (hasH) {
    [width, height] = [(attrs.videoHeight * baseW) / baseH, attrs.videoHeight];
  } else {
    [width, height] = [baseW, baseH];
  }

  // Step 3: even sizes in range.
  const fixSize = (value: number, isExplicit: boolean, attribute: string): number => {
    const fixed = evenSize(value);
    const rounded = Math.floor(value / 2) * 2;
    if (isExplicit && fixed !== value) {
      warnings.push(`<live-pusher> ${attribute}=${value} is odd (H.264 needs even sizes); ${fixed} used instead`);
    } else if (!isExplicit && fixed !== rounded) {
      warnings.push(`<live-pusher> ${attribute} derived as ${Math.round(value)} is outside ${SIZE.min}–${SIZE.max}; ${fixed} used instead`);
    }
    return fixed;
  };
  // Which attribute a side came from, after a possible swap in step 2.
  const swapped = hasW && hasH && width !== attrs.videoWidth;
  width = fixSize(width, swapped ? hasH : hasW, swapped ? 'video-height' : 'video-width');
  height = fixSize(height, swapped ? hasW : hasH, swapped ? 'video-width' : 'video-height');

  // Step 4: frame rate and bitrates.
  const wantedFps = explicit.has('fps') ? attrs.fps : preset.fps;
  const fps = Math.min(FPS.max, Math.max(FPS.min, Number.isFinite(wantedFps) ? wantedFps : FPS.default));
  if (fps !== wantedFps) warnings.push(`<live-pusher> fps=${wantedFps} is outside ${FPS.min}–${FPS.max}; ${fps} used instead`);

  const hasMin = explicit.has('minBitrate');
  const hasMax = explicit.has('maxBitrate');
  let minBitrateKbps = hasMin ? attrs.minBitrate : preset.minBitrateKbps;
  let maxBitrateKbps = hasMax ? attrs.maxBitrate : preset.maxBitrateKbps;
  if (minBitrateKbps > maxBitrateKbps) {
    if (hasMin && hasMax) {
      warnings.push(`<live-pusher> min-bitrate=${minBitrateKbps} is above max-bitrate=${maxBitrateKbps}; ${maxBitrateKbps} used instead`);
      minBitrateKbps = maxBitrateKbps;
    } else if (hasMin) {
      maxBitrateKbps = minBitrateKbps;
    } else {
      minBitrateKbps = maxBitrateKbps;
    }
  }
  return { width, height, fps, minBitrateKbps, maxBitrateKbps, warnings };
}

/** What `getUserMedia` audio constraints and the audio encoder get (spec §1 audio attributes). */
export interface AudioSettings {
  /** `audio-quality`: high = 48 kHz, low = 16 kHz. */
  sampleRate: 48000 | 16000;
  /** Always 1: microphones are mono, and the mini-program pushes mono too. */
  channels: 1;
  /** `audio-volume-type`: voicecall on, media off, auto on only in the conversational RTC mode. */
  echoCancellation: boolean;
  /** `enable-ans`. */
  noiseSuppression: boolean;
  /** `enable-agc`. */
  autoGainControl: boolean;
}

/** The attributes {@link resolveAudioSettings} reads (spec §1). */
export type AudioAttributes = Pick<PusherAttributes, 'audioQuality' | 'enableAgc' | 'enableAns' | 'audioVolumeType' | 'mode'>;

const SAMPLE_RATES: Readonly<Record<PusherAttributes['audioQuality'], AudioSettings['sampleRate']>> = { high: 48000, low: 16000 };

/** Whether echo cancellation is on for an `audio-volume-type` (spec §1); `auto` depends on the mode. */
function echoCancellation(attrs: AudioAttributes): boolean {
  switch (attrs.audioVolumeType) {
    case 'voicecall':
      return true;
    case 'media':
      return false;
    case 'auto':
      return attrs.mode === 'RTC';
    default: {
      const never: never = attrs.audioVolumeType;
      throw new Error(`live-pusher internal error: audio-volume-type ${String(never)}`);
    }
  }
}

/** The audio settings of spec §1: sample rate, channels and the three capture processing switches. */
export function resolveAudioSettings(attrs: AudioAttributes): AudioSettings {
  return {
    sampleRate: SAMPLE_RATES[attrs.audioQuality],
    channels: 1,
    echoCancellation: echoCancellation(attrs),
    noiseSuppression: attrs.enableAns,
    autoGainControl: attrs.enableAgc,
  };
}
