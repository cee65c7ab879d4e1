import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ATTRIBUTE_NAMES,
  ATTRIBUTE_SCHEMA,
  DEFAULT_ATTRIBUTES,
  attributeForProperty,
  coerceProperty,
  effectiveBackgroundMute,
  effectiveCustomEffects,
  effectiveLocalMirror,
  effectiveMicEnabled,
  effectiveRemoteMirror,
  facingMode,
  parseAttribute,
  propertyForAttribute,
  validatePushUrl,
  type PusherAttributes,
  type PusherProperty,
} from '../../src/core/attributes.js';
import { LivePusherError, StatusCode } from '../../src/core/codes.js';

// Spec §1, row by row: attribute, property, default, since.
const SPEC_TABLE: [attribute: string, property: PusherProperty, defaultValue: unknown, since: string][] = [
  ['url', 'url', '', '1.7.0'],
  ['mode', 'mode', 'RTC', '1.7.0'],
  ['autopush', 'autopush', false, '1.7.0'],
  ['enable-video-custom-render', 'enableVideoCustomRender', false, '2.29.0'],
  ['muted', 'muted', false, '1.7.0'],
  ['enable-camera', 'enableCamera', true, '1.7.0'],
  ['auto-focus', 'autoFocus', true, '1.7.0'],
  ['orientation', 'orientation', 'vertical', '1.7.0'],
  ['beauty', 'beauty', 0, '1.7.0'],
  ['whiteness', 'whiteness', 0, '1.7.0'],
  ['aspect', 'aspect', '9:16', '1.7.0'],
  ['min-bitrate', 'minBitrate', 200, '1.7.0'],
  ['max-bitrate', 'maxBitrate', 1000, '1.7.0'],
  ['audio-quality', 'audioQuality', 'high', '1.7.0'],
  ['waiting-image', 'waitingImage', '', '1.7.0'],
  ['waiting-image-hash', 'waitingImageHash', '', '1.7.0'],
  ['zoom', 'zoom', false, '2.1.0'],
  ['device-position', 'devicePosition', 'front', '2.3.0'],
  ['background-mute', 'backgroundMute', false, '1.7.0'],
  ['mirror', 'mirror', false, '2.7.0'],
  ['remote-mirror', 'remoteMirror', false, '2.10.0'],
  ['local-mirror', 'localMirror', 'auto', '2.10.0'],
  ['audio-reverb-type', 'audioReverbType', 0, '2.10.0'],
  ['enable-mic', 'enableMic', true, '2.10.0'],
  ['enable-agc', 'enableAgc', false, '2.10.0'],
  ['enable-ans', 'enableAns', false, '2.10.0'],
  ['audio-volume-type', 'audioVolumeType', 'auto', '2.10.0'],
  ['video-width', 'videoWidth', 360, '2.10.0'],
  ['video-height', 'videoHeight', 640, '2.10.0'],
  ['beauty-style', 'beautyStyle', 'smooth', '2.12.0'],
  ['filter', 'filter', 'standard', '2.12.0'],
  ['picture-in-picture-mode', 'pictureInPictureMode', [], '2.25.0'],
  ['voice-changer-type', 'voiceChangerType', 0, '2.31.0'],
  ['custom-effect', 'customEffect', false, '2.29.1'],
  ['skin-whiteness', 'skinWhiteness', 0, '2.29.1'],
  ['skin-smoothness', 'skinSmoothness', 0, '2.29.1'],
  ['face-thinness', 'faceThinness', 0, '2.29.1'],
  ['eye-bigness', 'eyeBigness', 0, '2.29.1'],
  ['fps', 'fps', 15, '2.31.0'],
  ['gateway', 'gateway', '', 'web'],
];

test('the schema holds every attribute of spec §1 and gateway, with its default and version', () => {
  assert.deepEqual(Object.keys(ATTRIBUTE_SCHEMA).sort(), SPEC_TABLE.map((r) => r[1]).sort());
  for (const [attribute, property, defaultValue, since] of SPEC_TABLE) {
    assert.equal(propertyForAttribute(attribute), property, attribute);
    assert.equal(attributeForProperty(property), attribute);
    assert.deepEqual(DEFAULT_ATTRIBUTES[property], defaultValue, attribute);
    assert.equal(ATTRIBUTE_SCHEMA[property].since, since, attribute);
    assert.ok(ATTRIBUTE_NAMES.includes(attribute), attribute);
    assert.deepEqual(parseAttribute(attribute, null), { property, value: defaultValue }, `${attribute} removed`);
  }
  assert.ok(Object.isFrozen(DEFAULT_ATTRIBUTES));
  assert.ok(Object.isFrozen(DEFAULT_ATTRIBUTES.pictureInPictureMode));
});

test('attribute names: lower-case, enableVideoCustomRender in both spellings, unknown names refused', () => {
  for (const name of ATTRIBUTE_NAMES) assert.equal(name, name.toLowerCase());
  assert.ok(ATTRIBUTE_NAMES.includes('enablevideocustomrender'));
  assert.equal(ATTRIBUTE_NAMES.length, new Set(ATTRIBUTE_NAMES).size);
  assert.equal(ATTRIBUTE_NAMES.includes('state'), false);
  for (const name of ['enableVideoCustomRender', 'enablevideocustomrender', 'enable-video-custom-render', 'ENABLE-VIDEO-CUSTOM-RENDER']) {
    assert.deepEqual(parseAttribute(name, ''), { property: 'enableVideoCustomRender', value: true }, name);
    assert.deepEqual(parseAttribute(name, 'false'), { property: 'enableVideoCustomRender', value: false }, name);
  }
  assert.equal(parseAttribute('enableCamera', 'false'), undefined);
  assert.equal(parseAttribute('state', 'pushing'), undefined);
  assert.equal(parseAttribute('bindstatechange', 'x'), undefined);
});

const BOOLEAN_PROPERTIES = SPEC_TABLE.filter((r) => typeof r[2] === 'boolean');

test('booleans: present = true, "false" and "0" = false, removed = default', () => {
  const cases: [raw: string, value: boolean][] = [
    ['', true], ['true', true], ['TRUE', true], ['1', true], [' true ', true],
    ['false', false], ['FALSE', false], [' false ', false], ['0', false],
  ];
  for (const [attribute, property] of BOOLEAN_PROPERTIES) {
    for (const [raw, value] of cases) {
      assert.deepEqual(parseAttribute(attribute, raw), { property, value }, `${attribute}=${JSON.stringify(raw)}`);
    }
    assert.deepEqual(parseAttribute(attribute, attribute), { property, value: true }, `${attribute}=${attribute}`);
  }
  // Default-true booleans: removing the attribute restores true (not false).
  assert.equal(parseAttribute('enable-camera', null)?.value, true);
  assert.equal(parseAttribute('enable-mic', null)?.value, true);
  assert.equal(parseAttribute('auto-focus', null)?.value, true);
});

// One bad value per attribute: [attribute, raw, value used, words the warning must contain].
const BAD_VALUES: [attribute: string, raw: string, used: unknown, reason: RegExp][] = [
  ['mode', 'UHD', 'RTC', /not one of QVGA, HVGA, SD, HD, FHD, RTC/],
  ['mode', '', 'RTC', /not one of/],
  ['autopush', 'off', true, /write "false"/],
  ['enable-video-custom-render', 'no', true, /counts as present/],
  ['muted', 'yes', true, /counts as present/],
  ['enable-camera', 'off', true, /counts as present/],
  ['auto-focus', 'nope', true, /counts as present/],
  ['orientation', 'landscape', 'vertical', /vertical, horizontal/],
  ['beauty', '12', 9, /above the maximum 9/],
  ['beauty', '-1', 0, /below the minimum 0/],
  ['beauty', 'soft', 0, /not a number/],
  ['beauty', '  ', 0, /empty/],
  ['whiteness', '10', 9, /above the maximum 9/],
  ['aspect', '1:1', '9:16', /not one of 9:16, 3:4/],
  ['min-bitrate', '0', 10, /below the minimum 10/],
  ['min-bitrate', '200.6', 201, /not a whole number/],
  ['max-bitrate', 'fast', 1000, /not a number/],
  ['max-bitrate', '1e9', 50000, /above the maximum 50000/],
  ['max-bitrate', 'Infinity', 50000, /above the maximum/],
  ['audio-quality', 'medium', 'high', /high, low/],
  ['waiting-image-hash', 'abc', 'abc', /not an MD5 digest.*10004\); kept as given$/],
  ['zoom', 'disabled', true, /counts as present/],
  ['device-position', 'side', 'front', /front, back/],
  ['background-mute', 'never', true, /counts as present/],
  ['mirror', 'x', true, /counts as present/],
  ['remote-mirror', 'x', true, /counts as present/],
  ['local-mirror', 'yes', 'auto', /auto, enable, disable/],
  ['audio-reverb-type', '8', 0, /not one of 0, 1, 2, 3, 4, 5, 6, 7/],
  ['audio-reverb-type', '1.5', 0, /not one of/],
  ['enable-mic', 'off', true, /counts as present/],
  ['enable-agc', 'on?', true, /counts as present/],
  ['enable-ans', 'x', true, /counts as present/],
  ['audio-volume-type', 'loud', 'auto', /auto, media, voicecall/],
  ['video-width', '8', 16, /below the minimum 16/],
  ['video-width', '99999', 4096, /above the maximum 4096/],
  ['video-height', 'tall', 640, /not a number/],
  ['video-height', '641.5', 642, /not a whole number/],
  ['beauty-style', 'glam', 'smooth', /smooth, nature/],
  ['filter', 'sepia', 'standard', /standard, pink/],
  ['picture-in-picture-mode', 'float', [], /unknown mode "float"/],
  ['picture-in-picture-mode', '["push","hover"]', ['push'], /unknown mode "hover"/],
  ['picture-in-picture-mode', '[push', [], /not a JSON array/],
  ['picture-in-picture-mode', '["push", 3]', ['push'], /unknown mode 3/],
  ['voice-changer-type', '5', 0, /not one of 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11/],
  ['voice-changer-type', '12', 0, /not one of/],
  ['custom-effect', 'x', true, /counts as present/],
  ['skin-whiteness', '2', 1, /above the maximum 1/],
  ['skin-smoothness', '-0.5', 0, /below the minimum 0/],
  ['face-thinness', 'thin', 0, /not a number/],
  ['eye-bigness', '1.01', 1, /above the maximum 1/],
  ['fps', '60', 30, /above the maximum 30/],
  ['fps', '0', 1, /below the minimum 1/],
  ['fps', 'NaN', 15, /not a number/],
  ['gateway', 'rtmp://host/app', '', /scheme rtmp:/],
  ['gateway', 'ftp://x/tunnel', '', /scheme ftp:/],
];

test('a bad value never throws: one warning naming the attribute, the value and what was used', () => {
  const covered = new Set<string>();
  for (const [attribute, raw, used, reason] of BAD_VALUES) {
    covered.add(attribute);
    const parsed = parseAttribute(attribute, raw);
    const label = `${attribute}=${JSON.stringify(raw)}`;
    assert.ok(parsed, label);
    assert.deepEqual(parsed.value, used, label);
    assert.ok(parsed.warning, `${label} warns`);
    assert.equal(parsed.warning.property, parsed.property);
    assert.equal(parsed.warning.name, attribute);
    assert.equal(parsed.warning.given, raw);
    assert.deepEqual(parsed.warning.used, used);
    assert.match(parsed.warning.message, reason, label);
    assert.ok(parsed.warning.message.includes(attribute), `${label}: message names the attribute`);
    assert.ok(parsed.warning.message.includes(JSON.stringify(raw)), `${label}: message names the value`);
    assert.match(parsed.warning.message, / used instead$|; kept as given$/, label);
  }
  // Every attribute that can hold a bad value has a case (url and waiting-image take any text).
  const free = new Set(['url', 'waiting-image']);
  for (const [attribute] of SPEC_TABLE) if (!free.has(attribute)) assert.ok(covered.has(attribute), `bad value for ${attribute}`);
});

test('warning message reads well', () => {
  assert.equal(parseAttribute('beauty', '12')?.warning?.message, '<live-pusher> attribute beauty="12" is above the maximum 9; 9 used instead');
  assert.equal(coerceProperty('fps', 60).warning?.message, '<live-pusher> property fps = 60 is above the maximum 30; 30 used instead');
});

// Good values: [attribute, raw, value] — including normalisation that does not warn.
const GOOD_VALUES: [attribute: string, raw: string, value: unknown][] = [
  ['url', ' rtmp://h/app/key ', 'rtmp://h/app/key'],
  ['url', 'https://not-checked-here', 'https://not-checked-here'],
  ['mode', 'hd', 'HD'],
  ['mode', ' FHD ', 'FHD'],
  ['orientation', 'Horizontal', 'horizontal'],
  ['beauty', '4.5', 4.5],
  ['beauty', '0x5', 5],
  ['aspect', '3:4', '3:4'],
  ['aspect', '4:3', '3:4'],
  ['aspect', '16:9', '9:16'],
  ['min-bitrate', '300', 300],
  ['max-bitrate', ' 1800 ', 1800],
  ['audio-quality', 'LOW', 'low'],
  ['waiting-image', 'https://cdn/x.png', 'https://cdn/x.png'],
  ['waiting-image-hash', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['device-position', 'back', 'back'],
  ['local-mirror', 'disable', 'disable'],
  ['audio-reverb-type', '7', 7],
  ['audio-volume-type', 'voicecall', 'voicecall'],
  ['video-width', '720', 720],
  ['beauty-style', 'nature', 'nature'],
  ['filter', 'solor', 'solor'],
  ['filter', 'cerisered', 'cerisered'],
  ['picture-in-picture-mode', '', []],
  ['picture-in-picture-mode', 'push', ['push']],
  ['picture-in-picture-mode', 'pop, push', ['pop', 'push']],
  ['picture-in-picture-mode', 'push pop push', ['push', 'pop']],
  ['picture-in-picture-mode', '["push","pop"]', ['push', 'pop']],
  ['picture-in-picture-mode', "[]", []],
  ['voice-changer-type', '11', 11],
  ['skin-whiteness', '0.3', 0.3],
  ['fps', '24', 24],
  ['fps', '29.97', 29.97],
  ['gateway', 'wss://gw.example/tunnel', 'wss://gw.example/tunnel'],
  ['gateway', '/tunnel', '/tunnel'],
  ['gateway', 'tunnel', 'tunnel'],
  ['gateway', '', ''],
];

test('good values parse silently, enumerations into their canonical spelling', () => {
  for (const [attribute, raw, value] of GOOD_VALUES) {
    assert.deepEqual(parseAttribute(attribute, raw), { property: propertyForAttribute(attribute), value }, `${attribute}=${JSON.stringify(raw)}`);
  }
});

// Property sets: [property, value assigned, value stored, warns].
const PROPERTY_SETS: [property: PusherProperty, given: unknown, stored: unknown, warns: boolean][] = [
  ['autopush', true, true, false],
  ['autopush', false, false, false],
  ['autopush', 'false', false, false],
  ['autopush', 0, false, false],
  ['autopush', 1, true, false],
  ['autopush', Number.NaN, false, false],
  ['autopush', {}, false, true],
  ['enableCamera', undefined, true, false],
  ['enableCamera', null, true, false],
  ['beauty', 5, 5, false],
  ['beauty', '5', 5, false],
  ['beauty', 20, 9, true],
  ['beauty', Number.NaN, 0, true],
  ['beauty', [], 0, true],
  ['videoWidth', 720.4, 720, true],
  ['mode', 'sd', 'SD', false],
  ['mode', 3, 'RTC', true],
  ['url', 'rtmp://h/a/s', 'rtmp://h/a/s', false],
  ['url', 42, '', true],
  ['audioReverbType', 3, 3, false],
  ['audioReverbType', 9, 0, true],
  ['voiceChangerType', 5, 0, true],
  ['pictureInPictureMode', ['push', 'pop'], ['push', 'pop'], false],
  ['pictureInPictureMode', ['pop', 'jump'], ['pop'], true],
  ['pictureInPictureMode', 'push', ['push'], false],
  ['pictureInPictureMode', '', [], false],
  ['pictureInPictureMode', 7, [], true],
  ['gateway', 'ws://localhost:8080/tunnel', 'ws://localhost:8080/tunnel', false],
  ['url', new URL('rtmp://h/app/key'), 'rtmp://h/app/key', false],
  ['gateway', new URL('wss://gw/tunnel'), 'wss://gw/tunnel', false],
  ['gateway', new URL('rtmp://gw/x'), '', true],
  ['mode', new URL('rtmp://h/a/b'), 'RTC', true],
];

test('property sets follow the same rules and never throw', () => {
  for (const [property, given, stored, warns] of PROPERTY_SETS) {
    const label = `${property} = ${String(given)}`;
    const result = coerceProperty(property, given);
    assert.deepEqual(result.value, stored, label);
    assert.equal(result.warning !== undefined, warns, label);
    if (result.warning) {
      assert.ok(result.warning.message.includes(`property ${property}`), label);
      assert.equal(result.warning.name, property);
    }
  }
});

test('typed values: PusherAttributes narrows enumerations', () => {
  const attrs: PusherAttributes = { ...DEFAULT_ATTRIBUTES };
  const m = coerceProperty('mode', 'fhd');
  attrs.mode = m.value; // typed as PusherMode
  assert.equal(attrs.mode, 'FHD');
  const parsed = parseAttribute('orientation', 'horizontal');
  if (parsed?.property === 'orientation') attrs.orientation = parsed.value;
  assert.equal(attrs.orientation, 'horizontal');
  // A frozen pip-mode list cannot be changed behind the element's back.
  assert.ok(Object.isFrozen(coerceProperty('pictureInPictureMode', ['push']).value));
});

test('deprecated aliases combine with what replaced them', () => {
  const a = (over: Partial<PusherAttributes>): PusherAttributes => ({ ...DEFAULT_ATTRIBUTES, ...over });
  const mic: [Partial<PusherAttributes>, boolean][] = [
    [{}, true], [{ muted: true }, false], [{ enableMic: false }, false], [{ muted: true, enableMic: false }, false],
  ];
  for (const [over, expected] of mic) assert.equal(effectiveMicEnabled(a(over)), expected, JSON.stringify(over));
  const mirror: [Partial<PusherAttributes>, boolean][] = [
    [{}, false], [{ mirror: true }, true], [{ remoteMirror: true }, true], [{ mirror: true, remoteMirror: true }, true],
  ];
  for (const [over, expected] of mirror) assert.equal(effectiveRemoteMirror(a(over)), expected, JSON.stringify(over));
  assert.equal(effectiveBackgroundMute(a({ backgroundMute: false })), true);
  assert.equal(effectiveBackgroundMute(a({ backgroundMute: true })), true);
});

test('local mirror, facing mode and custom effects', () => {
  const local: [PusherAttributes['localMirror'], PusherAttributes['devicePosition'], boolean][] = [
    ['auto', 'front', true], ['auto', 'back', false], ['enable', 'back', true], ['enable', 'front', true], ['disable', 'front', false], ['disable', 'back', false],
  ];
  for (const [localMirror, devicePosition, expected] of local) {
    assert.equal(effectiveLocalMirror({ localMirror, devicePosition }), expected, `${localMirror}/${devicePosition}`);
  }
  assert.equal(facingMode({ devicePosition: 'front' }), 'user');
  assert.equal(facingMode({ devicePosition: 'back' }), 'environment');
  const effects = { skinWhiteness: 0.5, skinSmoothness: 0.4, faceThinness: 0.3, eyeBigness: 0.2 };
  assert.deepEqual(effectiveCustomEffects({ customEffect: true, ...effects }), effects);
  assert.deepEqual(effectiveCustomEffects({ customEffect: false, ...effects }), { skinWhiteness: 0, skinSmoothness: 0, faceThinness: 0, eyeBigness: 0 });
});

test('validatePushUrl: rtmp and rtmps pass, anything else is status 3002 with a reason', () => {
  const ok = validatePushUrl('rtmps://live.example.com/app/key?token=1');
  assert.ok(ok.ok);
  assert.equal(ok.target.scheme, 'rtmps');
  assert.equal(ok.target.streamName, 'key?token=1');
  const bad: [string, RegExp][] = [
    ['', /no push url/],
    ['   ', /no push url/],
    ['https://example.com/live/key', /scheme https: is not supported/],
    ['rtmp://host/app', /no stream name/],
    ['not a url', /not a URL/],
  ];
  for (const [url, reason] of bad) {
    const r = validatePushUrl(url);
    assert.equal(r.ok, false, url);
    if (!r.ok) {
      assert.ok(r.error instanceof LivePusherError);
      assert.equal(r.error.code, StatusCode.ConnectFailed);
      assert.match(r.error.message, reason, url);
    }
  }
});
