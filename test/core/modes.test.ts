import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ATTRIBUTES, PUSHER_MODES, type PusherAttributes, type PusherProperty } from '../../src/core/attributes.js';
import { MODE_PRESETS, resolveAudioSettings, resolveVideoSettings, type VideoSettings } from '../../src/core/modes.js';

const attrs = (over: Partial<PusherAttributes>): PusherAttributes => ({ ...DEFAULT_ATTRIBUTES, ...over });
const explicitOf = (over: Partial<PusherAttributes>, props: PusherProperty[] = []) =>
  new Set<PusherProperty>([...(Object.keys(over) as PusherProperty[]).filter((p) => !['mode', 'aspect', 'orientation'].includes(p)), ...props]);

test('presets are spec §2', () => {
  assert.deepEqual(Object.keys(MODE_PRESETS), [...PUSHER_MODES]);
  assert.deepEqual(MODE_PRESETS.FHD, { width: 720, height: 1280, minBitrateKbps: 600, maxBitrateKbps: 1800, fps: 15 });
  assert.deepEqual(MODE_PRESETS.RTC, { width: 360, height: 640, minBitrateKbps: 200, maxBitrateKbps: 1000, fps: 15 });
});

// Every mode × orientation × aspect with sizes from the mode: [mode, width, height] portrait 9:16, 3:4 heights.
const SIZES: [mode: PusherAttributes['mode'], w: number, h: number, h34: number, min: number, max: number][] = [
  ['QVGA', 240, 320, 320, 100, 400],
  ['HVGA', 320, 480, 426, 150, 600],
  ['SD', 360, 640, 480, 300, 800],
  ['HD', 540, 960, 720, 600, 1500],
  ['FHD', 720, 1280, 960, 600, 1800],
  ['RTC', 360, 640, 480, 200, 1000],
];

test('mode × orientation × aspect, sizes from the mode', () => {
  for (const [mode, w, h, h34, minBitrateKbps, maxBitrateKbps] of SIZES) {
    const cases: [PusherAttributes['orientation'], PusherAttributes['aspect'], number, number][] = [
      ['vertical', '9:16', w, h],
      ['vertical', '3:4', w, h34],
      ['horizontal', '9:16', h, w],
      ['horizontal', '3:4', h34, w],
    ];
    for (const [orientation, aspect, width, height] of cases) {
      const r = resolveVideoSettings(attrs({ mode, orientation, aspect }), new Set());
      const expected: VideoSettings = { width, height, fps: 15, minBitrateKbps, maxBitrateKbps };
      assert.deepEqual(r, { ...expected, warnings: [] }, `${mode} ${orientation} ${aspect}`);
    }
  }
});

// Explicit overrides: [label, attribute overrides, expected (partial), warning pattern or null].
const OVERRIDES: [label: string, over: Partial<PusherAttributes>, expected: Partial<VideoSettings>, warning: RegExp | null][] = [
  ['FHD horizontal', { mode: 'FHD', orientation: 'horizontal' }, { width: 1280, height: 720 }, null],
  ['both sizes win over the mode', { mode: 'FHD', videoWidth: 480, videoHeight: 864 }, { width: 480, height: 864, maxBitrateKbps: 1800 }, null],
  ['explicit sizes ignore aspect', { mode: 'SD', aspect: '3:4', videoWidth: 360, videoHeight: 640 }, { width: 360, height: 640 }, null],
  ['portrait numbers + horizontal → landscape', { videoWidth: 360, videoHeight: 640, orientation: 'horizontal' }, { width: 640, height: 360 }, null],
  ['landscape numbers + horizontal stay', { videoWidth: 1280, videoHeight: 720, orientation: 'horizontal' }, { width: 1280, height: 720 }, null],
  ['landscape numbers + vertical stay', { videoWidth: 1280, videoHeight: 720 }, { width: 1280, height: 720 }, null],
  ['width only follows the mode shape', { videoWidth: 720 }, { width: 720, height: 1280 }, null],
  ['height only follows the mode shape', { mode: 'HD', videoHeight: 1280 }, { width: 720, height: 1280 }, null],
  ['width only, 3:4', { aspect: '3:4', videoWidth: 480 }, { width: 480, height: 640 }, null],
  ['width only, horizontal', { orientation: 'horizontal', videoWidth: 720 }, { width: 720, height: 404 }, null],
  ['height only, horizontal', { orientation: 'horizontal', videoHeight: 720 }, { width: 1280, height: 720 }, null],
  ['odd width', { videoWidth: 721, videoHeight: 1280 }, { width: 720, height: 1280 }, /video-width=721 is odd.*720 used instead/],
  ['odd height, swapped by horizontal', { videoWidth: 360, videoHeight: 641, orientation: 'horizontal' }, { width: 640, height: 360 }, /video-height=641 is odd/],
  ['derived height beyond 4096', { videoWidth: 4096 }, { width: 4096, height: 4096 }, /derived as 7282.*4096 used instead/],
  ['explicit fps', { mode: 'HD', fps: 24 }, { fps: 24 }, null],
  ['fractional fps kept', { fps: 29.97 }, { fps: 29.97 }, null],
  ['fps out of range (hand-built attrs)', { fps: 60 }, { fps: 30 }, /fps=60 is outside 1–30; 30 used/],
  ['fps NaN (hand-built attrs)', { fps: Number.NaN }, { fps: 15 }, /fps=NaN/],
  ['explicit bitrates', { mode: 'FHD', minBitrate: 800, maxBitrate: 3000 }, { minBitrateKbps: 800, maxBitrateKbps: 3000 }, null],
  ['min > max, both explicit', { minBitrate: 900, maxBitrate: 500 }, { minBitrateKbps: 500, maxBitrateKbps: 500 }, /min-bitrate=900 is above max-bitrate=500; 500 used/],
  ['explicit min above preset max', { mode: 'QVGA', minBitrate: 600 }, { minBitrateKbps: 600, maxBitrateKbps: 600 }, null],
  ['explicit max below preset min', { mode: 'HD', maxBitrate: 300 }, { minBitrateKbps: 300, maxBitrateKbps: 300 }, null],
  ['explicit max only', { mode: 'SD', maxBitrate: 2000 }, { minBitrateKbps: 300, maxBitrateKbps: 2000 }, null],
];

test('explicit attributes win over the preset', () => {
  for (const [label, over, expected, warning] of OVERRIDES) {
    const r = resolveVideoSettings(attrs(over), explicitOf(over));
    for (const [key, value] of Object.entries(expected)) assert.equal(r[key as keyof VideoSettings], value, `${label}: ${key}`);
    assert.equal(r.width % 2, 0, label);
    assert.equal(r.height % 2, 0, label);
    assert.ok(r.minBitrateKbps <= r.maxBitrateKbps, label);
    if (warning) {
      assert.equal(r.warnings.length, 1, `${label}: ${JSON.stringify(r.warnings)}`);
      assert.match(r.warnings[0]!, warning, label);
    } else {
      assert.deepEqual(r.warnings, [], label);
    }
  }
});

test('explicit size, fps and bitrates win over every mode, in both orientations', () => {
  for (const mode of PUSHER_MODES) {
    for (const aspect of ['9:16', '3:4'] as const) {
      const over: Partial<PusherAttributes> = { videoWidth: 480, videoHeight: 864, fps: 25, minBitrate: 111, maxBitrate: 2222 };
      const v = resolveVideoSettings(attrs({ mode, aspect, ...over }), explicitOf(over));
      assert.deepEqual(v, { width: 480, height: 864, fps: 25, minBitrateKbps: 111, maxBitrateKbps: 2222, warnings: [] }, `${mode} ${aspect}`);
      const h = resolveVideoSettings(attrs({ mode, aspect, orientation: 'horizontal', ...over }), explicitOf(over));
      assert.deepEqual([h.width, h.height], [864, 480], `${mode} ${aspect} horizontal`);
    }
  }
});

test('values equal to the attribute default but not explicit do not override the mode', () => {
  // video-width/height default to 360×640, min/max to 200/1000: FHD must not take them unless set.
  const r = resolveVideoSettings(attrs({ mode: 'FHD' }), new Set());
  assert.deepEqual([r.width, r.height, r.minBitrateKbps, r.maxBitrateKbps], [720, 1280, 600, 1800]);
  const s = resolveVideoSettings(attrs({ mode: 'FHD' }), new Set<PusherProperty>(['videoWidth', 'videoHeight']));
  assert.deepEqual([s.width, s.height], [360, 640]);
});

const AUDIO: [label: string, over: Partial<PusherAttributes>, expected: ReturnType<typeof resolveAudioSettings>][] = [
  ['defaults (RTC, auto)', {}, { sampleRate: 48000, channels: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false }],
  ['low quality', { audioQuality: 'low' }, { sampleRate: 16000, channels: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false }],
  ['auto outside RTC', { mode: 'HD' }, { sampleRate: 48000, channels: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false }],
  ['voicecall', { mode: 'HD', audioVolumeType: 'voicecall' }, { sampleRate: 48000, channels: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false }],
  ['media', { audioVolumeType: 'media' }, { sampleRate: 48000, channels: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false }],
  ['agc + ans', { enableAgc: true, enableAns: true, audioVolumeType: 'media' }, { sampleRate: 48000, channels: 1, echoCancellation: false, noiseSuppression: true, autoGainControl: true }],
];

test('audio settings', () => {
  for (const [label, over, expected] of AUDIO) assert.deepEqual(resolveAudioSettings(attrs(over)), expected, label);
});
