/**
 * H.264 sequence parameter set parser (ITU-T H.264 §7.3.2.1.1 seq_parameter_set_data, §E.1.1
 * vui_parameters up to the timing info): what a muxer and a player need to know about a stream —
 * profile, level, picture size after cropping, chroma format, bit depth and frame rate.
 */
import { BitReader } from '../bytes/bit-reader.js';
import { FormatError } from '../errors.js';
import { nalUnitType, NalUnitType, removeEmulationPrevention } from './nal.js';

/** What {@link parseSps} reads from an SPS. */
export interface SpsInfo {
  /** profile_idc: 66 Baseline, 77 Main, 88 Extended, 100 High, 110 High 10, 122 High 4:2:2, 244 High 4:4:4 Predictive … */
  profileIdc: number;
  /** The byte of constraint_set0_flag … constraint_set5_flag and reserved_zero_2bits (the avcC "profile_compatibility"). */
  constraintFlags: number;
  /** level_idc: 10 × the level number (31 = level 3.1); 9 means level 1b. */
  levelIdc: number;
  /** seq_parameter_set_id (0–31). */
  spsId: number;
  /** chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 unless a high profile says otherwise). */
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** frame_mbs_only_flag: false when the stream may code fields (interlaced). */
  frameMbsOnly: boolean;
  /** Width in luma samples after frame cropping. */
  width: number;
  /** Height in luma samples after frame cropping (frame height, both fields). */
  height: number;
  /** Frame cropping in luma samples. */
  crop: { left: number; right: number; top: number; bottom: number };
  /** Sample aspect ratio from the VUI, when given. */
  sampleAspectRatio?: { width: number; height: number };
  /** Frames per second from VUI timing (time_scale / (2 · num_units_in_tick)), when given. */
  fps?: number;
}

/** profile_idc values whose SPS carries chroma_format_idc … seq_scaling_matrix (§7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Table E-1: sample aspect ratios by aspect_ratio_idc 1–16 (255 = Extended_SAR, given explicitly). */
const SAR_TABLE: ReadonlyArray<readonly [number, number]> = [
  [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11],
  [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];
const EXTENDED_SAR = 255;

/**
 * Parses an SPS NAL unit (starting with its NAL header byte; emulation prevention still in).
 * Throws {@link FormatError} for anything that is not a well-formed SPS.
 */
export function parseSps(nal: Uint8Array): SpsInfo {
  const type = nalUnitType(nal);
  if (type !== NalUnitType.Sps) throw new FormatError(`NAL unit type ${type} is not an SPS (7)`);
  // Exp-Golomb fields straddle bytes, so the 00 00 03 escapes must go before bit parsing (§7.4.1).
  const r = new BitReader(removeEmulationPrevention(nal.subarray(1)));

  const profileIdc = r.readBits(8); // profile_idc
  const constraintFlags = r.readBits(8); // constraint_set0..5_flag, reserved_zero_2bits
  const levelIdc = r.readBits(8); // level_idc
  const spsId = ueMax(r, 31, 'seq_parameter_set_id');

  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = ueMax(r, 3, 'chroma_format_idc');
    if (chromaFormatIdc === 3) separateColourPlane = r.readFlag(); // separate_colour_plane_flag
    bitDepthLuma = 8 + ueMax(r, 6, 'bit_depth_luma_minus8');
    bitDepthChroma = 8 + ueMax(r, 6, 'bit_depth_chroma_minus8');
    r.skipBits(1); // qpprime_y_zero_transform_bypass_flag
    if (r.readFlag()) {
      // seq_scaling_matrix_present_flag: 6 4x4 lists, then 2 (or 6 for 4:4:4) 8x8 lists.
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        if (r.readFlag()) skipScalingList(r, i < 6 ? 16 : 64); // seq_scaling_list_present_flag[i]
      }
    }
  }

  ueMax(r, 12, 'log2_max_frame_num_minus4');
  const picOrderCntType = ueMax(r, 2, 'pic_order_cnt_type');
  if (picOrderCntType === 0) {
    ueMax(r, 12, 'log2_max_pic_order_cnt_lsb_minus4');
  } else if (picOrderCntType === 1) {
    r.skipBits(1); // delta_pic_order_always_zero_flag
    r.readSE(); // offset_for_non_ref_pic
    r.readSE(); // offset_for_top_to_bottom_field
    const cycle = ueMax(r, 255, 'num_ref_frames_in_pic_order_cnt_cycle');
    for (let i = 0; i < cycle; i++) r.readSE(); // offset_for_ref_frame[i]
  }
  ueMax(r, 16, 'max_num_ref_frames');
  r.skipBits(1); // gaps_in_frame_num_value_allowed_flag
  // Level 6.2 allows 139264 macroblocks per frame; 1024 MBs (16384 samples) per side is plenty.
  const widthMbs = 1 + ueMax(r, 1023, 'pic_width_in_mbs_minus1');
  const heightMapUnits = 1 + ueMax(r, 1023, 'pic_height_in_map_units_minus1');
  const frameMbsOnly = r.readFlag(); // frame_mbs_only_flag
  if (!frameMbsOnly) r.skipBits(1); // mb_adaptive_frame_field_flag
  r.skipBits(1); // direct_8x8_inference_flag

  // Frame size (§7.4.2.1.1): a map unit is a macroblock pair when fields may be coded.
  const codedWidth = widthMbs * 16;
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;

  // Crop offsets count in chroma sample units: CropUnitX/Y from Table 6-1 and frame_mbs_only (eq. 7-19 … 7-22).
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaFormatIdc === 3 ? 1 : 2;
  const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
  const crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.readFlag()) {
    // frame_cropping_flag
    crop.left = cropUnitX * ueMax(r, codedWidth, 'frame_crop_left_offset');
    crop.right = cropUnitX * ueMax(r, codedWidth, 'frame_crop_right_offset');
    crop.top = cropUnitY * ueMax(r, codedHeight, 'frame_crop_top_offset');
    crop.bottom = cropUnitY * ueMax(r, codedHeight, 'frame_crop_bottom_offset');
  }
  const width = codedWidth - crop.left - crop.right;
  const height = codedHeight - crop.top - crop.bottom;
  if (width <= 0 || height <= 0) throw new FormatError(`SPS frame cropping leaves a ${width}x${height} picture`);

  const info: SpsInfo = {
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    separateColourPlane,
    bitDepthLuma,
    bitDepthChroma,
    frameMbsOnly,
    width,
    height,
    crop,
  };
  if (r.readFlag()) readVui(r, info); // vui_parameters_present_flag
  return info;
}

/** scaling_list() (§7.3.2.1.1.1): only skipped, but it must be walked to find what follows. */
function skipScalingList(r: BitReader, size: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < size; j++) {
    if (nextScale !== 0) {
      const delta = r.readSE(); // delta_scale
      if (delta < -128 || delta > 127) throw new FormatError(`SPS delta_scale ${delta} is out of -128..127`);
      nextScale = (lastScale + delta + 256) % 256;
    }
    lastScale = nextScale === 0 ? lastScale : nextScale;
  }
}

/** vui_parameters() (§E.1.1) as far as timing_info; the rest (HRD, bitstream restriction) is not needed. */
function readVui(r: BitReader, info: SpsInfo): void {
  if (r.readFlag()) {
    // aspect_ratio_info_present_flag
    const idc = r.readBits(8); // aspect_ratio_idc
    if (idc === EXTENDED_SAR) {
      const width = r.readBits(16); // sar_width
      const height = r.readBits(16); // sar_height
      if (width > 0 && height > 0) info.sampleAspectRatio = { width, height };
    } else {
      const sar = SAR_TABLE[idc - 1];
      if (sar) info.sampleAspectRatio = { width: sar[0], height: sar[1] };
    }
  }
  if (r.readFlag()) r.skipBits(1); // overscan_info_present_flag, overscan_appropriate_flag
  if (r.readFlag()) {
    // video_signal_type_present_flag
    r.skipBits(3 + 1); // video_format, video_full_range_flag
    if (r.readFlag()) r.skipBits(8 + 8 + 8); // colour_description_present_flag: primaries, transfer, matrix
  }
  if (r.readFlag()) {
    // chroma_loc_info_present_flag
    r.readUE(); // chroma_sample_loc_type_top_field
    r.readUE(); // chroma_sample_loc_type_bottom_field
  }
  if (r.readFlag()) {
    // timing_info_present_flag
    const numUnitsInTick = r.readBits(32); // num_units_in_tick
    const timeScale = r.readBits(32); // time_scale
    r.skipBits(1); // fixed_frame_rate_flag
    // One frame is two ticks (a tick is a field period, §E.2.1).
    if (numUnitsInTick > 0 && timeScale > 0) info.fps = timeScale / (2 * numUnitsInTick);
  }
}

function ueMax(r: BitReader, max: number, field: string): number {
  const value = r.readUE();
  if (value > max) throw new FormatError(`SPS ${field} = ${value} exceeds ${max}`);
  return value;
}

/**
 * The WebCodecs/RFC 6381 codec string for an SPS: `avc1.` + profile_idc, constraint flags and
 * level_idc in hex, e.g. `avc1.64001f` for High@3.1.
 */
export function avcCodecString(sps: Pick<SpsInfo, 'profileIdc' | 'constraintFlags' | 'levelIdc'>): string {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `avc1.${h(sps.profileIdc)}${h(sps.constraintFlags)}${h(sps.levelIdc)}`;
}
