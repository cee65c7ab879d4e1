/**
 * The unit that flows from every media source to the RTMP publisher: one FLV tag body with its
 * type and timestamp. RTMP audio (8), video (9) and data (18) messages carry exactly these bodies
 * (FLV spec §E.4.1, RTMP spec §7.1.5), so a tag read from a file, made by an encoder, or sent over
 * RTMP is the same value.
 */
export const FlvTagType = {
  Audio: 8,
  Video: 9,
  Script: 18,
} as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

export interface FlvTag {
  type: FlvTagType;
  /** Decode timestamp in milliseconds (0 … 2^32−1; RTMP and FLV both carry 32 bits). */
  timestamp: number;
  /** The tag body: AudioTagHeader/VideoTagHeader + payload, or the AMF0 script data. */
  data: Uint8Array;
}
