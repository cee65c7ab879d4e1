/**
 * What the mode preset gives a size, bitrate or fps attribute that is not set (spec §2), so an
 * unset control can show the value in force instead of the schema's default. Mirrors step 1 of
 * resolveVideoSettings (src/core/modes.ts): the preset, `aspect` 3:4, `orientation` horizontal.
 */
import type { ModePreset } from '../../../core/modes.js';

/** The properties a mode decides while they are unset. */
export const MODE_PROPERTIES = ['videoWidth', 'videoHeight', 'minBitrate', 'maxBitrate', 'fps'] as const;

/** The preset's value of `property` for the element's current mode, orientation and aspect; undefined when the mode does not decide it. */
export function modeValue(property: string, element: HTMLElement, presets: Record<string, ModePreset>): number | undefined {
  const el = element as unknown as { mode: string; orientation: string; aspect: string };
  const preset = presets[el.mode];
  if (!preset) return undefined;
  let width = preset.width;
  let height = el.aspect === '3:4' ? Math.round((preset.width * 4) / 3) : preset.height;
  if (el.orientation === 'horizontal') [width, height] = [height, width];
  switch (property) {
    case 'videoWidth':
      return width;
    case 'videoHeight':
      return height;
    case 'minBitrate':
      return preset.minBitrateKbps;
    case 'maxBitrate':
      return preset.maxBitrateKbps;
    case 'fps':
      return preset.fps;
    default:
      return undefined;
  }
}
