/**
 * What the studio server tells its page (embedded in the HTML as JSON, read by client/main.ts):
 * where to push, where to play back, and the attribute schema the controls are generated from.
 * Types only on the page side, so the page needs no second copy of the schema code.
 */
import type { AttributeSpec } from '../../core/attributes.js';
import type { ModePreset } from '../../core/modes.js';

export interface StudioPageConfig {
  /** The `url` the page's `<live-pusher>` pushes to. */
  rtmpUrl: string;
  /** HTTP-FLV address the player reads the stream back from; absent when there is none (external server without `--play-url`). */
  flvUrl?: string;
  /** Whether the RTMP server is the embedded one (the page says so). */
  embedded: boolean;
  /** `ATTRIBUTE_SCHEMA` of src/core/attributes.ts, keyed by camelCase property. */
  schema: Record<string, AttributeSpec>;
  /** `MODE_PRESETS` of src/core/modes.ts: what sizes, bitrates and fps are when not set (spec §2). */
  modes: Record<string, ModePreset>;
}
