/**
 * The `blendMode` of the makeup methods (spec §3 applyLipStickMakeup and the others): how the
 * makeup picture's colour combines with the face under it before it is laid over at `alpha`. The
 * mini-program does not list its values; these are the separable blend modes of W3C Compositing
 * and Blending Level 1 §10.2, named as CSS `mix-blend-mode` names them (`soft-light`; `softLight`
 * and `soft_light` are read the same). Pure: the names are Node-tested, the GLSL runs in the
 * overlay pass.
 */

export const BLEND_MODES = [
  'normal',
  'multiply',
  'screen',
  'overlay',
  'darken',
  'lighten',
  'color-dodge',
  'color-burn',
  'hard-light',
  'soft-light',
  'difference',
  'exclusion',
] as const;

export type BlendMode = (typeof BLEND_MODES)[number];

/** A `blendMode` argument: one of {@link BLEND_MODES} (default normal); throws a TypeError naming the known ones. */
export function parseBlendMode(value: unknown): BlendMode {
  if (value === undefined || value === null || value === '') return 'normal';
  const name = typeof value === 'string' ? value.trim().replace(/([a-z])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase() : undefined;
  const mode = BLEND_MODES.find((m) => m === name);
  if (!mode) throw new TypeError(`blendMode must be one of ${BLEND_MODES.join(', ')}, got ${JSON.stringify(value)}`);
  return mode;
}

/** The mode's number in {@link BLEND_GLSL}'s `blendColour` (its index in {@link BLEND_MODES}). */
export function blendModeIndex(mode: BlendMode): number {
  return BLEND_MODES.indexOf(mode);
}

/**
 * GLSL: `blendColour(mode, backdrop, source)` per W3C Compositing §10.2 (colours 0–1, straight
 * alpha; the result is then laid over the backdrop at the source's alpha).
 */
export const BLEND_GLSL = `
float softLight(float b, float s) {
  float d = b <= 0.25 ? ((16.0 * b - 12.0) * b + 4.0) * b : sqrt(b);
  return s <= 0.5 ? b - (1.0 - 2.0 * s) * b * (1.0 - b) : b + (2.0 * s - 1.0) * (d - b);
}
float hardLight(float b, float s) {
  return s <= 0.5 ? b * 2.0 * s : 1.0 - (1.0 - b) * (1.0 - (2.0 * s - 1.0));
}
float colorDodge(float b, float s) {
  return b <= 0.0 ? 0.0 : (s >= 1.0 ? 1.0 : min(1.0, b / (1.0 - s)));
}
float colorBurn(float b, float s) {
  return b >= 1.0 ? 1.0 : (s <= 0.0 ? 0.0 : 1.0 - min(1.0, (1.0 - b) / s));
}
vec3 blendColour(int mode, vec3 b, vec3 s) {
  switch (mode) {
    case 1: return b * s;
    case 2: return b + s - b * s;
    case 3: return vec3(hardLight(s.r, b.r), hardLight(s.g, b.g), hardLight(s.b, b.b));
    case 4: return min(b, s);
    case 5: return max(b, s);
    case 6: return vec3(colorDodge(b.r, s.r), colorDodge(b.g, s.g), colorDodge(b.b, s.b));
    case 7: return vec3(colorBurn(b.r, s.r), colorBurn(b.g, s.g), colorBurn(b.b, s.b));
    case 8: return vec3(hardLight(b.r, s.r), hardLight(b.g, s.g), hardLight(b.b, s.b));
    case 9: return vec3(softLight(b.r, s.r), softLight(b.g, s.g), softLight(b.b, s.b));
    case 10: return abs(b - s);
    case 11: return b + s - 2.0 * b * s;
    default: return s;
  }
}`;
