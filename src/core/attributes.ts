/**
 * The attribute schema of `<live-pusher>` (spec §1, plus the web extension `gateway` of spec §5):
 * one table row per attribute with its kebab-case name, camelCase property, type, default, allowed
 * values or range and the mini-program version that introduced it, and the parsing rules shared by
 * attributes and property sets. Platform-neutral: no DOM, no Node APIs.
 *
 * The rules (spec §1, lit conventions):
 * - A bad value never throws. It falls back to the default (or is clamped into range) and the
 *   parse returns exactly ONE {@link AttributeWarning} naming the attribute, the value and what was
 *   used instead. This module never logs; the element warns once per attribute/value.
 * - A removed attribute (`raw === null`) restores the default, silently. This matters for the
 *   booleans whose default is `true` (`enable-camera`, `auto-focus`, `enable-mic`): as in the
 *   mini-program, leaving the attribute out means the default, not `false`.
 * - Booleans: present = true, except `"false"` and `"0"` (trimmed, any case), which mean false:
 *   mini-program markup writes `autopush="{{false}}"`, and `{{0}}` is falsy there too. `""`,
 *   `"true"`, `"1"` and the attribute's own name mean true silently; any other text (`"off"`,
 *   `"no"`) means true, as presence does in HTML, with a warning that says how to turn it off.
 * - Numbers parse with `Number()`; a blank string or NaN falls back to the default; out of range is
 *   clamped; integer-only attributes are rounded. Enumerated numbers (`audio-reverb-type`,
 *   `voice-changer-type`) fall back to the default when not listed.
 * - String enumerations match case-insensitively after trimming and are stored in their canonical
 *   spelling (`mode="hd"` is `HD`); an unknown or blank value falls back to the default.
 * - The one exception to "fall back": a `waiting-image-hash` that is not 32 hex digits is kept (and
 *   warned about), so the waiting image fails with 10004 instead of loading unchecked.
 */
import { LivePusherError, StatusCode } from './codes.js';
import { parseRtmpUrl, type RtmpTarget } from '../rtmp/url.js';

/** The `mode` presets (spec §1 `mode`, values in spec §2). */
export const PUSHER_MODES = ['QVGA', 'HVGA', 'SD', 'HD', 'FHD', 'RTC'] as const;
/** A `mode` value (spec §2). */
export type PusherMode = (typeof PUSHER_MODES)[number];

/** The `filter` names of spec §1, `solor` spelled as in the original. */
export const PUSHER_FILTERS = [
  'standard', 'pink', 'nostalgia', 'blues', 'romantic', 'cool', 'fresher', 'solor', 'aestheticism', 'whitening', 'cerisered',
] as const;

/** One entry of `picture-in-picture-mode` (spec §1). */
export type PictureInPictureMode = 'push' | 'pop';
const PIP_MODES: readonly PictureInPictureMode[] = ['push', 'pop'];

/** `audio-reverb-type` values (spec §1): 0 off, 1 KTV … 7 magnetic. */
const REVERB_TYPES = [0, 1, 2, 3, 4, 5, 6, 7] as const;
/** `voice-changer-type` values (spec §1): 5 is not used by the original. */
const VOICE_CHANGER_TYPES = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11] as const;

/** A boolean attribute: presence = true, `"false"`/`"0"` = false (spec §1). */
interface BooleanSpec {
  readonly kind: 'boolean';
  readonly default: boolean;
}
/** A number attribute clamped into `[min, max]`, rounded when `integer` (spec §1). */
interface NumberSpec {
  readonly kind: 'number';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  readonly unit?: string;
}
/** A number attribute limited to listed values (spec §1 reverb and voice changer types). */
interface NumberChoiceSpec {
  readonly kind: 'number-choice';
  readonly default: number;
  readonly values: readonly number[];
}
/** A string enumeration; `valueAliases` are other accepted spellings mapped onto a value. */
interface EnumSpec {
  readonly kind: 'enum';
  readonly default: string;
  readonly values: readonly string[];
  readonly valueAliases?: Readonly<Record<string, string>>;
}
/** Free text; `check` returns why a non-empty value is refused (then the default is used). */
interface StringSpec {
  readonly kind: 'string';
  readonly default: string;
  readonly check?: 'md5' | 'gateway';
}
/** `picture-in-picture-mode`: "", push, pop, or a list of them (spec §1). */
interface PipSpec {
  readonly kind: 'pip-mode';
  readonly default: readonly PictureInPictureMode[];
}

/** What every row of {@link ATTRIBUTE_SCHEMA} holds besides its type (spec §1). */
interface RowCommon {
  /** The canonical kebab-case attribute name. */
  readonly attribute: string;
  /** Other attribute spellings that set the same property (lower-case, as HTML parsers give them). */
  readonly aliases?: readonly string[];
  /** The mini-program base library version that introduced it; `web` for extensions. */
  readonly since: string;
  /** Deprecated attributes keep working (spec §1 compatibility rule); this says what replaces them. */
  readonly deprecated?: string;
}

/** One row of the schema (spec §1). */
export type AttributeSpec = RowCommon & (BooleanSpec | NumberSpec | NumberChoiceSpec | EnumSpec | StringSpec | PipSpec);

/**
 * The schema of every attribute of spec §1 and the `gateway` extension of spec §5, keyed by the
 * camelCase property name. Ranges not given by the spec are this project's (see each row).
 */
export const ATTRIBUTE_SCHEMA = {
  url: { attribute: 'url', kind: 'string', default: '', since: '1.7.0' },
  mode: { attribute: 'mode', kind: 'enum', default: 'RTC', values: PUSHER_MODES, since: '1.7.0' },
  autopush: { attribute: 'autopush', kind: 'boolean', default: false, since: '1.7.0' },
  enableVideoCustomRender: {
    attribute: 'enable-video-custom-render', aliases: ['enablevideocustomrender'], kind: 'boolean', default: false, since: '2.29.0',
  },
  muted: { attribute: 'muted', kind: 'boolean', default: false, since: '1.7.0', deprecated: 'enable-mic="false"' },
  enableCamera: { attribute: 'enable-camera', kind: 'boolean', default: true, since: '1.7.0' },
  autoFocus: { attribute: 'auto-focus', kind: 'boolean', default: true, since: '1.7.0' },
  orientation: { attribute: 'orientation', kind: 'enum', default: 'vertical', values: ['vertical', 'horizontal'], since: '1.7.0' },
  beauty: { attribute: 'beauty', kind: 'number', default: 0, min: 0, max: 9, since: '1.7.0' },
  whiteness: { attribute: 'whiteness', kind: 'number', default: 0, min: 0, max: 9, since: '1.7.0' },
  // 4:3 and 16:9 name the same shapes turned sideways (spec §1 aspect); orientation does the turning.
  aspect: { attribute: 'aspect', kind: 'enum', default: '9:16', values: ['9:16', '3:4'], valueAliases: { '16:9': '9:16', '4:3': '3:4' }, since: '1.7.0' },
  // Bitrate range: ours. Below 10 kbps no encoder produces a picture; 50 Mbps is beyond any uplink.
  minBitrate: { attribute: 'min-bitrate', kind: 'number', default: 200, min: 10, max: 50_000, integer: true, unit: 'kbps', since: '1.7.0' },
  maxBitrate: { attribute: 'max-bitrate', kind: 'number', default: 1000, min: 10, max: 50_000, integer: true, unit: 'kbps', since: '1.7.0' },
  audioQuality: { attribute: 'audio-quality', kind: 'enum', default: 'high', values: ['high', 'low'], since: '1.7.0' },
  waitingImage: { attribute: 'waiting-image', kind: 'string', default: '', since: '1.7.0' },
  waitingImageHash: { attribute: 'waiting-image-hash', kind: 'string', default: '', check: 'md5', since: '1.7.0' },
  zoom: { attribute: 'zoom', kind: 'boolean', default: false, since: '2.1.0' },
  devicePosition: { attribute: 'device-position', kind: 'enum', default: 'front', values: ['front', 'back'], since: '2.3.0' },
  backgroundMute: { attribute: 'background-mute', kind: 'boolean', default: false, since: '1.7.0', deprecated: 'nothing: audio is always muted while hidden' },
  mirror: { attribute: 'mirror', kind: 'boolean', default: false, since: '2.7.0', deprecated: 'remote-mirror' },
  remoteMirror: { attribute: 'remote-mirror', kind: 'boolean', default: false, since: '2.10.0' },
  localMirror: { attribute: 'local-mirror', kind: 'enum', default: 'auto', values: ['auto', 'enable', 'disable'], since: '2.10.0' },
  audioReverbType: { attribute: 'audio-reverb-type', kind: 'number-choice', default: 0, values: REVERB_TYPES, since: '2.10.0' },
  enableMic: { attribute: 'enable-mic', kind: 'boolean', default: true, since: '2.10.0' },
  enableAgc: { attribute: 'enable-agc', kind: 'boolean', default: false, since: '2.10.0' },
  enableAns: { attribute: 'enable-ans', kind: 'boolean', default: false, since: '2.10.0' },
  audioVolumeType: { attribute: 'audio-volume-type', kind: 'enum', default: 'auto', values: ['auto', 'media', 'voicecall'], since: '2.10.0' },
  // Size range: ours. 16 px is the smallest macroblock; 4096 the largest side H.264 level 5.2 encoders take.
  videoWidth: { attribute: 'video-width', kind: 'number', default: 360, min: 16, max: 4096, integer: true, unit: 'px', since: '2.10.0' },
  videoHeight: { attribute: 'video-height', kind: 'number', default: 640, min: 16, max: 4096, integer: true, unit: 'px', since: '2.10.0' },
  beautyStyle: { attribute: 'beauty-style', kind: 'enum', default: 'smooth', values: ['smooth', 'nature'], since: '2.12.0' },
  filter: { attribute: 'filter', kind: 'enum', default: 'standard', values: PUSHER_FILTERS, since: '2.12.0' },
  pictureInPictureMode: { attribute: 'picture-in-picture-mode', kind: 'pip-mode', default: Object.freeze([]), since: '2.25.0' },
  voiceChangerType: { attribute: 'voice-changer-type', kind: 'number-choice', default: 0, values: VOICE_CHANGER_TYPES, since: '2.31.0' },
  customEffect: { attribute: 'custom-effect', kind: 'boolean', default: false, since: '2.29.1' },
  skinWhiteness: { attribute: 'skin-whiteness', kind: 'number', default: 0, min: 0, max: 1, since: '2.29.1' },
  skinSmoothness: { attribute: 'skin-smoothness', kind: 'number', default: 0, min: 0, max: 1, since: '2.29.1' },
  faceThinness: { attribute: 'face-thinness', kind: 'number', default: 0, min: 0, max: 1, since: '2.29.1' },
  eyeBigness: { attribute: 'eye-bigness', kind: 'number', default: 0, min: 0, max: 1, since: '2.29.1' },
  fps: { attribute: 'fps', kind: 'number', default: 15, min: 1, max: 30, unit: 'fps', since: '2.31.0' },
  // Web extension (spec §5): '' means `/tunnel` on the page's own origin, resolved by the element.
  gateway: { attribute: 'gateway', kind: 'string', default: '', check: 'gateway', since: 'web' },
} as const satisfies Record<string, AttributeSpec>;

/** A camelCase property name of `<live-pusher>` (spec §1). */
export type PusherProperty = keyof typeof ATTRIBUTE_SCHEMA;

/** The typed value a schema row stores. */
type ValueOf<S> = S extends { kind: 'boolean' }
  ? boolean
  : S extends { kind: 'number' }
    ? number
    : S extends { kind: 'number-choice'; values: readonly (infer V)[] }
      ? V
      : S extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : S extends { kind: 'string' }
          ? string
          : S extends { kind: 'pip-mode' }
            ? readonly PictureInPictureMode[]
            : never;

/**
 * Every attribute's typed, validated value (spec §1 and §5 `gateway`). Strings without a default
 * in the spec (`url`, `waiting-image`, `waiting-image-hash`, `gateway`) are `''` when unset.
 */
export type PusherAttributes = { -readonly [P in PusherProperty]: ValueOf<(typeof ATTRIBUTE_SCHEMA)[P]> };

const PROPERTIES = Object.keys(ATTRIBUTE_SCHEMA) as PusherProperty[];

function rowOf(property: PusherProperty): AttributeSpec {
  return ATTRIBUTE_SCHEMA[property];
}

/** The defaults of spec §1, frozen. Copy it (`{ ...DEFAULT_ATTRIBUTES }`) to get a mutable set. */
export const DEFAULT_ATTRIBUTES: Readonly<PusherAttributes> = Object.freeze(
  Object.fromEntries(PROPERTIES.map((p) => [p, rowOf(p).default])) as PusherAttributes,
);

const PROPERTY_BY_ATTRIBUTE: ReadonlyMap<string, PusherProperty> = new Map(
  PROPERTIES.flatMap((p) => [rowOf(p).attribute, ...(rowOf(p).aliases ?? [])].map((name) => [name, p] as const)),
);

/**
 * Every attribute name the element observes (spec §1, §5), lower-case as HTML parsers deliver
 * them: the canonical kebab-case names plus aliases (`enablevideocustomrender`, which is what
 * `enableVideoCustomRender="…"` in HTML markup becomes). Excludes the read-only `state` reflection.
 */
export const ATTRIBUTE_NAMES: readonly string[] = Object.freeze([...PROPERTY_BY_ATTRIBUTE.keys()]);

/** The property an attribute name sets (spec §1; case-insensitive), or undefined for an unknown name. */
export function propertyForAttribute(name: string): PusherProperty | undefined {
  return PROPERTY_BY_ATTRIBUTE.get(name.toLowerCase());
}

/** The canonical kebab-case attribute of a property (spec §1). */
export function attributeForProperty(property: PusherProperty): string {
  return ATTRIBUTE_SCHEMA[property].attribute;
}

/**
 * The one warning a bad value produces (spec §1): `message` names the attribute (or property),
 * the value given and the value used instead, ready for `console.warn`.
 */
export interface AttributeWarning {
  property: PusherProperty;
  /** The attribute name as given, or `property` for a property set. */
  name: string;
  /** The value as given. */
  given: unknown;
  /** The value stored instead. */
  used: unknown;
  message: string;
}

/** A parsed attribute or property value (spec §1): which property it sets, the typed value, any warning. */
export type ParsedAttribute = {
  [P in PusherProperty]: { property: P; value: PusherAttributes[P]; warning?: AttributeWarning };
}[PusherProperty];

/** A parse result; `kept` marks a doubtful value stored as given (the warning then says so). */
type Outcome = { value: unknown; problem?: string; kept?: true };

const FALSE_WORDS = new Set(['false', '0']);
const TRUE_WORDS = new Set(['', 'true', '1']);

function parseBoolean(spec: BooleanSpec & RowCommon, raw: string): Outcome {
  const word = raw.trim().toLowerCase();
  if (FALSE_WORDS.has(word)) return { value: false };
  if (TRUE_WORDS.has(word) || word === spec.attribute || spec.aliases?.includes(word)) return { value: true };
  return { value: true, problem: 'is not "true" or "false" (write "false" to turn it off), so the attribute counts as present' };
}

function parseNumber(spec: NumberSpec, n: number): Outcome {
  if (Number.isNaN(n)) return { value: spec.default, problem: 'is not a number' };
  if (n < spec.min) return { value: spec.min, problem: `is below the minimum ${spec.min}` };
  if (n > spec.max) return { value: spec.max, problem: `is above the maximum ${spec.max}` };
  if (spec.integer && !Number.isInteger(n)) return { value: Math.round(n), problem: 'is not a whole number' };
  return { value: n };
}

function parseNumberChoice(spec: NumberChoiceSpec, n: number): Outcome {
  if (spec.values.includes(n)) return { value: n };
  return { value: spec.default, problem: `is not one of ${spec.values.join(', ')}` };
}

function parseEnum(spec: EnumSpec, raw: string): Outcome {
  const word = raw.trim().toLowerCase();
  const hit = spec.values.find((v) => v.toLowerCase() === word) ?? spec.valueAliases?.[word];
  if (hit !== undefined) return { value: hit };
  return { value: spec.default, problem: `is not one of ${spec.values.join(', ')}` };
}

const MD5_HEX = /^[0-9a-f]{32}$/;
const GATEWAY_SCHEMES = new Set(['ws:', 'wss:', 'http:', 'https:']);

function parseString(spec: StringSpec, raw: string): Outcome {
  const value = raw.trim();
  if (value === '') return { value: spec.default };
  switch (spec.check) {
    case undefined:
      return { value };
    case 'md5': {
      const hex = value.toLowerCase();
      // Fail closed: a hash no image can match makes the waiting image fail with 10004 (spec §1),
      // rather than silently dropping the integrity check the app asked for.
      return MD5_HEX.test(hex) ? { value: hex } : { value, kept: true, problem: 'is not an MD5 digest (32 hex digits): no image can match it (error 10004)' };
    }
    case 'gateway': {
      let scheme: string;
      try {
        // A relative address resolves against the page later; only its scheme matters here.
        scheme = new URL(value, 'ws://page.invalid/').protocol;
      } catch {
        return { value: spec.default, problem: 'is not a URL' };
      }
      return GATEWAY_SCHEMES.has(scheme) ? { value } : { value: spec.default, problem: `has scheme ${scheme} (use ws:, wss: or a path)` };
    }
    default:
      return assertNever(spec.check);
  }
}

function parsePipEntries(entries: readonly unknown[]): Outcome {
  const used: PictureInPictureMode[] = [];
  const refused: string[] = [];
  for (const entry of entries) {
    const word = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    const mode = PIP_MODES.find((m) => m === word);
    if (mode === undefined) refused.push(JSON.stringify(entry) ?? String(entry));
    else if (!used.includes(mode)) used.push(mode);
  }
  const value = Object.freeze(used);
  return refused.length ? { value, problem: `has unknown mode ${refused.join(', ')} (known: push, pop)` } : { value };
}

function parsePip(spec: PipSpec, raw: string): Outcome {
  const text = raw.trim();
  if (text === '') return { value: spec.default };
  if (text.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      return { value: spec.default, problem: 'is not a JSON array' };
    }
    if (!Array.isArray(list)) return { value: spec.default, problem: 'is not a JSON array' };
    return parsePipEntries(list);
  }
  return parsePipEntries(text.split(/[\s,]+/));
}

/** Parses text (an attribute value, or a string set as a property) by the row's kind. */
function parseText(spec: AttributeSpec, raw: string): Outcome {
  switch (spec.kind) {
    case 'boolean':
      return parseBoolean(spec, raw);
    case 'number':
    case 'number-choice': {
      if (raw.trim() === '') return { value: spec.default, problem: 'is empty' };
      const n = Number(raw);
      return spec.kind === 'number' ? parseNumber(spec, n) : parseNumberChoice(spec, n);
    }
    case 'enum':
      return parseEnum(spec, raw);
    case 'string':
      return parseString(spec, raw);
    case 'pip-mode':
      return parsePip(spec, raw);
    default:
      return assertNever(spec);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function finish(property: PusherProperty, name: string, given: unknown, outcome: Outcome, label: string): ParsedAttribute {
  const parsed = { property, value: outcome.value } as ParsedAttribute;
  if (outcome.problem !== undefined) {
    const shown = typeof given === 'string' ? JSON.stringify(given) : describeValue(given);
    parsed.warning = {
      property,
      name,
      given,
      used: outcome.value,
      message: `<live-pusher> ${label}${shown} ${outcome.problem}; ${outcome.kept ? 'kept as given' : `${describeValue(outcome.value)} used instead`}`,
    };
  }
  return parsed;
}

/**
 * Parses one attribute value (spec §1). `name` is any observed attribute name (case-insensitive);
 * `raw === null` (attribute removed) gives the default without a warning. Never throws for a bad
 * value: it falls back or clamps and returns one warning. Returns undefined for a name that is not
 * an attribute of `<live-pusher>`.
 */
export function parseAttribute(name: string, raw: string | null): ParsedAttribute | undefined {
  const property = propertyForAttribute(name);
  if (property === undefined) return undefined;
  const spec = rowOf(property);
  if (raw === null) return { property, value: spec.default } as ParsedAttribute;
  return finish(property, name, raw, parseText(spec, raw), `attribute ${name}=`);
}

/**
 * Coerces a value assigned to a property (`el.beauty = 5`) with the same rules as attributes
 * (spec §1): strings parse as attribute text; `null`/`undefined` restore the default; booleans
 * take any number (0 and NaN false) and numbers take booleans as 1/0; string properties (`url`,
 * `waitingImage`, `gateway` …) take a `URL` object as its `href`; `picture-in-picture-mode` takes
 * a string or an array. Any other type falls back to the default with one warning.
 */
export function coerceProperty<P extends PusherProperty>(
  property: P,
  value: unknown,
): { value: PusherAttributes[P]; warning?: AttributeWarning } {
  const { value: coerced, warning } = finish(property, property, value, coerceOutcome(rowOf(property), value), `property ${property} = `);
  const result: { value: PusherAttributes[P]; warning?: AttributeWarning } = { value: coerced as PusherAttributes[P] };
  if (warning) result.warning = warning;
  return result;
}

function coerceOutcome(spec: AttributeSpec, value: unknown): Outcome {
  if (value === null || value === undefined) return { value: spec.default };
  if (typeof value === 'string') return parseText(spec, value);
  if (spec.kind === 'string' && value instanceof URL) return parseText(spec, value.href);
  const wrongType = (): Outcome => ({ value: spec.default, problem: `is a ${typeof value}, not a ${spec.kind}` });
  switch (spec.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (typeof value === 'number') return { value: value !== 0 && !Number.isNaN(value) };
      return wrongType();
    case 'number':
    case 'number-choice': {
      if (typeof value !== 'number' && typeof value !== 'boolean') return wrongType();
      const n = Number(value);
      return spec.kind === 'number' ? parseNumber(spec, n) : parseNumberChoice(spec, n);
    }
    case 'enum':
    case 'string':
      return wrongType();
    case 'pip-mode':
      return Array.isArray(value) ? parsePipEntries(value) : wrongType();
    default:
      return assertNever(spec);
  }
}

/** The exhaustiveness check of `switch` statements over the schema's unions. */
function assertNever(x: never): never {
  throw new Error(`live-pusher internal error: unexpected ${JSON.stringify(x)}`);
}

// ── Where deprecated aliases combine (spec §1 compatibility rule) ────────────────────────────

/** Whether the microphone is pushed: `enable-mic` and not the deprecated `muted` (spec §1). */
export function effectiveMicEnabled(attrs: Pick<PusherAttributes, 'enableMic' | 'muted'>): boolean {
  return attrs.enableMic && !attrs.muted;
}

/**
 * Whether viewers see a mirrored picture: `remote-mirror`, or its deprecated alias `mirror`
 * (spec §1). Either one set to true mirrors.
 */
export function effectiveRemoteMirror(attrs: Pick<PusherAttributes, 'remoteMirror' | 'mirror'>): boolean {
  return attrs.remoteMirror || attrs.mirror;
}

/** Whether the local preview is mirrored (spec §1 `local-mirror`): `auto` mirrors the front camera. */
export function effectiveLocalMirror(attrs: Pick<PusherAttributes, 'localMirror' | 'devicePosition'>): boolean {
  switch (attrs.localMirror) {
    case 'enable':
      return true;
    case 'disable':
      return false;
    case 'auto':
      return attrs.devicePosition === 'front';
    default:
      return assertNever(attrs.localMirror);
  }
}

/**
 * Whether audio is muted while the page is hidden: always (spec §1 `background-mute`, deprecated;
 * the flag is kept and read back but changes nothing).
 */
export function effectiveBackgroundMute(_attrs?: Pick<PusherAttributes, 'backgroundMute'>): true {
  return true;
}

/** The `getUserMedia` `facingMode` for `device-position` (spec §1). */
export function facingMode(attrs: Pick<PusherAttributes, 'devicePosition'>): 'user' | 'environment' {
  switch (attrs.devicePosition) {
    case 'front':
      return 'user';
    case 'back':
      return 'environment';
    default:
      return assertNever(attrs.devicePosition);
  }
}

/** The four custom-effect strengths (spec §1), all 0 unless `custom-effect` is on. */
export interface CustomEffectSettings {
  skinWhiteness: number;
  skinSmoothness: number;
  faceThinness: number;
  eyeBigness: number;
}

/** The custom-effect strengths in force: the attributes when `custom-effect` is on, else zeros (spec §1). */
export function effectiveCustomEffects(
  attrs: Pick<PusherAttributes, 'customEffect' | 'skinWhiteness' | 'skinSmoothness' | 'faceThinness' | 'eyeBigness'>,
): CustomEffectSettings {
  const on = attrs.customEffect;
  return {
    skinWhiteness: on ? attrs.skinWhiteness : 0,
    skinSmoothness: on ? attrs.skinSmoothness : 0,
    faceThinness: on ? attrs.faceThinness : 0,
    eyeBigness: on ? attrs.eyeBigness : 0,
  };
}

// ── url (spec §1) ──────────────────────────────────────────────────────────────────────────────

/** The outcome of {@link validatePushUrl} (spec §1 `url`): the parsed target, or the status-3002 error to report. */
export type PushUrlCheck = { ok: true; target: RtmpTarget } | { ok: false; error: LivePusherError };

/**
 * Checks a `url` before pushing (spec §1 `url`): `rtmp://` or `rtmps://` with an app and a stream
 * name, parsed by `parseRtmpUrl`. Anything else (empty, https, no stream key) is a
 * {@link LivePusherError} with status 3002 and a message saying what was wrong. Never throws.
 */
export function validatePushUrl(url: string): PushUrlCheck {
  if (url.trim() === '') {
    return { ok: false, error: new LivePusherError(StatusCode.ConnectFailed, 'no push url: set the url attribute to rtmp://host/app/stream') };
  }
  try {
    return { ok: true, target: parseRtmpUrl(url) };
  } catch (error) {
    if (error instanceof LivePusherError) return { ok: false, error };
    return { ok: false, error: new LivePusherError(StatusCode.ConnectFailed, `invalid push url ${JSON.stringify(url)}`, { cause: error }) };
  }
}
