/**
 * SEI NAL units (H.264 §7.3.2.3 sei_rbsp, §7.3.2.3.1 sei_message) and the payload the browser's
 * `sendMessage` uses: user_data_unregistered (payloadType 5, §D.1.6) — a 16-byte UUID that names
 * the sender's format, then arbitrary bytes (UTF-8 text here).
 */
import { FormatError } from '../errors.js';
import { insertEmulationPrevention, nalUnitType, NalUnitType, removeEmulationPrevention } from './nal.js';

/** payloadType of user_data_unregistered (Annex D, Table D-1 / §D.1.6). */
export const SEI_USER_DATA_UNREGISTERED = 5;

/** One sei_message: its payloadType and payload bytes (RBSP, emulation prevention removed). */
export interface SeiMessage {
  payloadType: number;
  payload: Uint8Array;
}

/** A user_data_unregistered payload. */
export interface UserDataUnregistered {
  /** uuid_iso_iec_11578: 16 bytes naming the data's format. */
  uuid: Uint8Array;
  /** user_data_payload_byte …, the rest of the payload. */
  data: Uint8Array;
}

/*
 * SEI NAL unit (§7.3.2.3, §7.3.2.3.1), before emulation prevention:
 *
 *  +-------------+------------------------------+------------------------------+---------+-----+
 *  | NAL header  | payloadType                  | payloadSize                  | payload | 80  |
 *  | 0x06        | FF × ⌊t/255⌋, then t mod 255 | FF × ⌊s/255⌋, then s mod 255 | s bytes | stop|
 *  +-------------+------------------------------+------------------------------+---------+-----+
 *  (sei_message repeats while more_rbsp_data(); 0x80 = rbsp_stop_one_bit + alignment zeros)
 *
 * user_data_unregistered payload (§D.1.6): uuid_iso_iec_11578 (16 bytes) | user_data_payload_byte …
 */

/**
 * Builds a complete SEI NAL unit (header byte included, no start code or length prefix) holding
 * the given messages, with emulation prevention applied.
 */
export function buildSeiNal(messages: readonly SeiMessage[]): Uint8Array {
  if (messages.length === 0) throw new TypeError('buildSeiNal: messages must not be empty');
  const rbsp: number[] = [];
  for (const { payloadType, payload } of messages) {
    writeFfCoded(rbsp, payloadType, 'payloadType');
    writeFfCoded(rbsp, payload.length, 'payloadSize');
    for (const b of payload) rbsp.push(b);
  }
  rbsp.push(0x80); // rbsp_trailing_bits: rbsp_stop_one_bit, rbsp_alignment_zero_bits
  const ebsp = insertEmulationPrevention(Uint8Array.from(rbsp));
  const nal = new Uint8Array(1 + ebsp.length);
  nal[0] = NalUnitType.Sei; // forbidden_zero_bit 0, nal_ref_idc 0 (§7.4.1.2.4: SEI has nal_ref_idc 0), nal_unit_type 6
  nal.set(ebsp, 1);
  return nal;
}

/** An SEI NAL unit with one user_data_unregistered message: `uuid` (16 bytes) then `data` (text as UTF-8). */
export function buildUserDataUnregisteredSei(uuid: Uint8Array, data: string | Uint8Array): Uint8Array {
  if (uuid.length !== 16) throw new TypeError(`buildUserDataUnregisteredSei: uuid must be 16 bytes, got ${uuid.length}`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const payload = new Uint8Array(16 + bytes.length);
  payload.set(uuid); // uuid_iso_iec_11578
  payload.set(bytes, 16); // user_data_payload_byte
  return buildSeiNal([{ payloadType: SEI_USER_DATA_UNREGISTERED, payload }]);
}

/**
 * Parses every sei_message of an SEI NAL unit (header byte included). Throws
 * {@link FormatError} if it is not an SEI NAL unit or a message runs past the end.
 */
export function parseSeiNal(nal: Uint8Array): SeiMessage[] {
  const type = nalUnitType(nal);
  if (type !== NalUnitType.Sei) throw new FormatError(`NAL unit type ${type} is not SEI (6)`);
  const rbsp = removeEmulationPrevention(nal.subarray(1));
  const messages: SeiMessage[] = [];
  let at = 0;
  // more_rbsp_data(): anything before the final rbsp_trailing_bits byte (0x80).
  while (at < rbsp.length && !(at === rbsp.length - 1 && rbsp[at] === 0x80)) {
    const payloadType = readFfCoded(rbsp, at);
    at = payloadType.next;
    const payloadSize = readFfCoded(rbsp, at);
    at = payloadSize.next;
    if (at + payloadSize.value > rbsp.length) {
      throw new FormatError(`SEI payload of ${payloadSize.value} bytes runs past the NAL unit end`);
    }
    messages.push({ payloadType: payloadType.value, payload: rbsp.subarray(at, at + payloadSize.value) });
    at += payloadSize.value;
  }
  if (at >= rbsp.length) throw new FormatError('SEI NAL unit has no rbsp_trailing_bits');
  return messages;
}

/** Splits a user_data_unregistered payload into UUID and data. */
export function parseUserDataUnregistered(payload: Uint8Array): UserDataUnregistered {
  if (payload.length < 16) throw new FormatError(`user_data_unregistered payload of ${payload.length} bytes is shorter than its UUID`);
  return { uuid: payload.subarray(0, 16), data: payload.subarray(16) };
}

/**
 * The user_data_unregistered messages of an SEI NAL unit, optionally only those with `uuid`.
 * Use `new TextDecoder().decode(m.data)` for text.
 */
export function findUserDataUnregistered(nal: Uint8Array, uuid?: Uint8Array): UserDataUnregistered[] {
  return parseSeiNal(nal)
    .filter((m) => m.payloadType === SEI_USER_DATA_UNREGISTERED)
    .map((m) => parseUserDataUnregistered(m.payload))
    .filter((m) => !uuid || (uuid.length === 16 && m.uuid.every((b, i) => b === uuid[i])));
}

/** Values ≥ 255 are coded as 0xFF bytes (ff_byte) then the remainder (last_payload_type/size_byte). */
function writeFfCoded(out: number[], value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`SEI ${field} ${value} is not a non-negative integer`);
  let v = value;
  while (v >= 255) {
    out.push(0xff); // ff_byte
    v -= 255;
  }
  out.push(v); // last_payload_type_byte / last_payload_size_byte
}

function readFfCoded(rbsp: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let at = start;
  for (;;) {
    const b = rbsp[at++];
    if (b === undefined) throw new FormatError('SEI message header runs past the NAL unit end');
    value += b;
    if (b !== 0xff) return { value, next: at };
  }
}
