import { SAMPLE_RATE_INDEX } from './constants.js';

/**
 * ADTS framing (ISO/IEC 13818-7 §6.2 and ISO/IEC 14496-3 §1.A.2), one raw_data_block per frame,
 * without CRC:
 *
 *  bits  field
 *   12   syncword 0xFFF
 *    1   ID (0 = MPEG-4)
 *    2   layer (00)
 *    1   protection_absent (1: no CRC)
 *    2   profile_ObjectType (audioObjectType − 1: 1 for LC)
 *    4   sampling_frequency_index
 *    1   private_bit
 *    3   channel_configuration
 *    1   original_copy
 *    1   home
 *    1   copyright_identification_bit
 *    1   copyright_identification_start
 *   13   aac_frame_length (header included)
 *   11   adts_buffer_fullness (0x7FF: variable rate)
 *    2   number_of_raw_data_blocks_in_frame (0: one block)
 */

export const ADTS_HEADER_LENGTH = 7;
const MAX_FRAME_LENGTH = 0x1fff;

/** Wraps one AAC-LC access unit in an ADTS frame. */
export function adtsFrame(accessUnit: Uint8Array, sampleRate: number, numberOfChannels: number): Uint8Array {
  const index = SAMPLE_RATE_INDEX.get(sampleRate);
  if (index === undefined) throw new TypeError(`ADTS: unsupported sampleRate ${sampleRate}`);
  if (numberOfChannels < 1 || numberOfChannels > 7) throw new TypeError(`ADTS: ${numberOfChannels} channels`);
  const length = ADTS_HEADER_LENGTH + accessUnit.length;
  if (length > MAX_FRAME_LENGTH) throw new RangeError(`ADTS: frame of ${length} bytes exceeds 8191`);
  const out = new Uint8Array(length);
  const profile = 1; // AAC LC
  out[0] = 0xff; // syncword (high 8)
  out[1] = 0xf1; // syncword (low 4), ID 0, layer 00, protection_absent 1
  out[2] = (profile << 6) | (index << 2) | (numberOfChannels >> 2); // profile, sf index, private, chan (high 1)
  out[3] = ((numberOfChannels & 3) << 6) | (length >> 11); // chan (low 2), orig, home, copyright ×2, length (high 2)
  out[4] = (length >> 3) & 0xff; // aac_frame_length (middle 8)
  out[5] = ((length & 7) << 5) | 0x1f; // aac_frame_length (low 3), buffer fullness (high 5)
  out[6] = 0xfc; // buffer fullness (low 6), number_of_raw_data_blocks_in_frame 0
  out.set(accessUnit, ADTS_HEADER_LENGTH);
  return out;
}
