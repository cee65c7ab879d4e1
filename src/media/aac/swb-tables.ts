import { assert } from '../errors.js';

/**
 * Scalefactor band boundaries (ISO/IEC 14496-3 Tables 4.129–4.147, swb_offset_long_window and
 * swb_offset_short_window). The last entry of each table is the transform length.
 * @internal
 */
export interface BandTables {
  /** swb_offset_long_window: num_swb_long_window + 1 entries ending at 1024. */
  readonly long: Uint16Array;
  /** swb_offset_short_window: num_swb_short_window + 1 entries ending at 128. */
  readonly short: Uint16Array;
}

const LONG_48 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176,
  196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768,
  800, 832, 864, 896, 928, 1024,
];
// 32 kHz shares the 48 kHz bands up to 928 and splits the top band in three (51 bands).
const LONG_32 = [...LONG_48.slice(0, -1), 960, 992, 1024];
const SHORT_48 = [0, 4, 8, 12, 16, 20, 28, 36, 44, 56, 68, 80, 96, 112, 128];
const LONG_24 = [
  0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 136, 148,
  160, 172, 188, 204, 220, 240, 260, 284, 308, 336, 364, 396, 432, 468, 508, 552, 600, 652, 704, 768,
  832, 896, 960, 1024,
];
const SHORT_24 = [0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 64, 76, 92, 108, 128];
const LONG_16 = [
  0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 100, 112, 124, 136, 148, 160, 172, 184, 196, 212,
  228, 244, 260, 280, 300, 320, 344, 368, 396, 424, 456, 492, 532, 572, 616, 664, 716, 772, 832, 896,
  960, 1024,
];
const SHORT_16 = [0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60, 72, 88, 108, 128];

function tables(long: number[], short: number[]): BandTables {
  return { long: Uint16Array.from(long), short: Uint16Array.from(short) };
}

const T48 = tables(LONG_48, SHORT_48);
const T32 = tables(LONG_32, SHORT_48);
const T24 = tables(LONG_24, SHORT_24);
const T16 = tables(LONG_16, SHORT_16);

const BY_RATE: ReadonlyMap<number, BandTables> = new Map([
  [48000, T48],
  [44100, T48],
  [32000, T32],
  [24000, T24],
  [22050, T24],
  [16000, T16],
]);

/** The band tables for one of the supported sampling rates. */
export function bandTablesFor(sampleRate: number): BandTables {
  const t = BY_RATE.get(sampleRate);
  assert(t, `no scalefactor band table for ${sampleRate} Hz`);
  return t;
}
