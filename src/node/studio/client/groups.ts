/**
 * How the studio groups the attributes of the schema, and the names of the numbered choices. The
 * controls themselves come from the schema (controls.ts); a property missing here still gets a
 * control, in the first group, so a new attribute can never be left out of the page.
 */

/** Group titles in page order, each with the camelCase properties it shows, in order. */
export const ATTRIBUTE_GROUPS: ReadonlyArray<{ title: string; properties: readonly string[] }> = [
  { title: 'Stream', properties: ['url', 'mode', 'autopush', 'minBitrate', 'maxBitrate', 'fps', 'gateway', 'waitingImage', 'waitingImageHash'] },
  { title: 'Camera', properties: ['enableCamera', 'devicePosition', 'autoFocus', 'zoom', 'localMirror', 'remoteMirror', 'mirror'] },
  { title: 'Picture', properties: ['orientation', 'aspect', 'videoWidth', 'videoHeight'] },
  { title: 'Beauty and filters', properties: ['beauty', 'whiteness', 'beautyStyle', 'filter'] },
  { title: 'Audio', properties: ['enableMic', 'muted', 'audioQuality', 'enableAgc', 'enableAns', 'audioVolumeType', 'backgroundMute'] },
  {
    title: 'Effects',
    properties: ['audioReverbType', 'voiceChangerType', 'customEffect', 'skinWhiteness', 'skinSmoothness', 'faceThinness', 'eyeBigness', 'enableVideoCustomRender', 'pictureInPictureMode'],
  },
];

/** Names of the numbered choices (spec §1). */
export const CHOICE_LABELS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  audioReverbType: { 0: 'off', 1: 'KTV', 2: 'small room', 3: 'great hall', 4: 'deep', 5: 'loud', 6: 'metallic', 7: 'magnetic' },
  voiceChangerType: {
    0: 'off', 1: 'naughty child', 2: 'loli', 3: 'uncle', 4: 'heavy metal', 6: 'foreigner', 7: 'trapped beast', 8: 'fat boy',
    9: 'strong current', 10: 'heavy machinery', 11: 'ethereal',
  },
};

/** A short hint under a control, where the name alone does not say enough. */
export const HINTS: Readonly<Record<string, string>> = {
  mode: 'a preset of size, bitrate and fps; explicit values below win',
  fps: 'unset (↺): the mode decides',
  videoWidth: 'px; empty: the mode decides',
  videoHeight: 'px; empty: the mode decides',
  minBitrate: 'kbps; empty: the mode decides',
  maxBitrate: 'kbps; empty: the mode decides',
  gateway: 'empty: /tunnel on this page (the studio gateway)',
  customEffect: 'enables the four settings below; fixed once pushing',
  pictureInPictureMode: 'keep a small window when the page is left',
};
