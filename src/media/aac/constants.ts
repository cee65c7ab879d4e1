/**
 * Shared constants of the AAC-LC bitstream (ISO/IEC 14496-3 §4.5 and §4.6).
 * @internal
 */

/** Samples per channel in one AAC-LC access unit (frameLengthFlag = 0). */
export const FRAME_LENGTH = 1024;
/** Coefficients in one short window of an EIGHT_SHORT_SEQUENCE. */
export const SHORT_LENGTH = 128;
export const NUM_SHORT_WINDOWS = 8;

/** window_sequence (Table 4.86). */
export const enum WindowSequence {
  OnlyLong = 0,
  LongStart = 1,
  EightShort = 2,
  LongStop = 3,
}

/** window_shape (§4.6.11.3.1): 0 = sine, 1 = Kaiser-Bessel derived. */
export const enum WindowShape {
  Sine = 0,
  Kbd = 1,
}

/** Codebook numbers with a special meaning (Table 4.118). */
export const ZERO_HCB = 0;
export const ESC_HCB = 11;
export const NOISE_HCB = 13;

/**
 * The decoder scales a coefficient by 2^(0.25·(sf − SF_OFFSET)) (§4.6.2.3.3, "gain"); scalefactors
 * and global_gain are 8-bit unsigned, centred on this offset.
 */
export const SF_OFFSET = 100;
/** The noise energy chain of PNS starts at global_gain − NOISE_OFFSET (§4.6.13.2). */
export const NOISE_OFFSET = 90;
/** Offset of the first noise energy's 9-bit difference (dpcm_noise_nrg). */
export const NOISE_PCM_OFFSET = 256;
/** Largest scalefactor difference the scalefactor codebook codes (index 0–120 ↔ −60…+60). */
export const SF_DIFF_MAX = 60;
/** Largest quantized magnitude book 11 can carry with its 13-bit escape (§4.6.3.3). */
export const MAX_QUANT = 8191;

/** syntactic element ids (Table 4.85). */
export const enum ElementId {
  Sce = 0,
  Cpe = 1,
  Fil = 6,
  End = 7,
}

/** Largest raw_data_block a decoder must accept per channel (§4.5.3.2: 6144 bits). */
export const MAX_BITS_PER_CHANNEL = 6144;

/** Sampling rates the encoder accepts, with samplingFrequencyIndex (Table 1.18). */
export const SAMPLE_RATE_INDEX: ReadonlyMap<number, number> = new Map([
  [48000, 3],
  [44100, 4],
  [32000, 5],
  [24000, 6],
  [22050, 7],
  [16000, 8],
]);
