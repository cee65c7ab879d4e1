/**
 * The picture effects of one session (spec §1 beauty, whiteness, beauty-style, filter,
 * custom-effect; §3 applyFilter, applySticker, the makeup methods): owns the passes and says which
 * the stage runs, in order face warp → smooth → whiten → filter look → applied lookup image →
 * makeup and stickers. Only passes that change the picture are listed, so with every effect at
 * its default the stage runs none and the pushed picture is bit-identical.
 */
import type { CustomEffectSettings } from '../../core/attributes.js';
import type { StagePass } from '../media/video-stage.js';
import type { MakeupKind } from './face-regions.js';
import { FaceWarpPass } from './face-warp-pass.js';
import { OverlayPass, type Makeup, type OverlayPassOptions, type Sticker } from './overlay-pass.js';
import { filterLut, LUT_SIZE, type PusherFilter } from './filters.js';
import { LutPass } from './lut-pass.js';
import { SmoothPass, type BeautyStyle } from './smooth-pass.js';
import { WhitenPass } from './whiten-pass.js';

/** The effect attributes, resolved. */
export interface PictureSettings {
  beauty: number;
  whiteness: number;
  beautyStyle: BeautyStyle;
  filter: PusherFilter;
  /** custom-effect's four strengths (all 0 unless it is on: `effectiveCustomEffects`). */
  custom: CustomEffectSettings;
}

export const NO_PICTURE_EFFECTS: PictureSettings = {
  beauty: 0,
  whiteness: 0,
  beautyStyle: 'smooth',
  filter: 'standard',
  custom: { skinWhiteness: 0, skinSmoothness: 0, faceThinness: 0, eyeBigness: 0 },
};

/** beauty and whiteness run 0–9, the custom-effect skin settings 0–1 on the same passes. */
const LEVELS_PER_UNIT = 9;

export class PictureEffects {
  private readonly warp = new FaceWarpPass();
  private readonly smooth = new SmoothPass();
  private readonly whiten = new WhitenPass();
  private readonly look = new LutPass('filter', filterLut('standard'), LUT_SIZE);
  private custom: LutPass | undefined;
  private readonly overlay: OverlayPass;
  private settings: PictureSettings = NO_PICTURE_EFFECTS;

  /** `options.onWarning`: what stickers cannot do here (no segmentation model, hand gestures). */
  constructor(options: OverlayPassOptions = {}) {
    this.overlay = new OverlayPass(options);
  }

  /** Takes new settings; returns the passes the stage should run now. */
  update(settings: PictureSettings): StagePass[] {
    this.settings = settings;
    const { custom } = settings;
    // skin-smoothness / skin-whiteness drive the beauty and whiteness passes; where both the
    // classic attribute and the custom one are set, the stronger wins rather than stacking past 9.
    this.smooth.level = Math.max(settings.beauty, custom.skinSmoothness * LEVELS_PER_UNIT);
    this.smooth.style = settings.beautyStyle;
    this.whiten.level = Math.max(settings.whiteness, custom.skinWhiteness * LEVELS_PER_UNIT);
    this.warp.thinness = custom.faceThinness;
    this.warp.eyeBigness = custom.eyeBigness;
    if (settings.filter !== 'standard') this.look.setTable(filterLut(settings.filter), LUT_SIZE);
    return this.passes();
  }

  /** Whether a pass needs face landmarks (face-thinness, eye-bigness, face stickers, makeup). */
  needsLandmarks(): boolean {
    return this.warp.wanted() || this.overlay.needsFace();
  }

  /** This frame's face: 68 (x, y) in pushed pixels and its presence 0–1, or null (no face: no warp, no makeup). */
  setFace(points: ArrayLike<number> | null, presence?: number): void {
    this.warp.setFace(points, presence);
    this.overlay.setFace(points, presence);
  }

  /** `applySticker`: `stickers` (all of type `type`) in place of the ones of that type before. */
  applyStickers(type: string, stickers: Sticker[]): StagePass[] {
    const [replaced, kept] = [this.overlay.stickers.filter((s) => s.type === type), this.overlay.stickers.filter((s) => s.type !== type)];
    this.overlay.retire(replaced.flatMap((s) => s.frames));
    this.overlay.stickers = [...kept, ...stickers];
    return this.passes();
  }

  /** `clearStickers`. */
  clearStickers(): StagePass[] {
    this.overlay.retire(this.overlay.stickers.flatMap((s) => s.frames));
    this.overlay.stickers = [];
    return this.passes();
  }

  /** One of the apply…Makeup methods: `makeup` in place of that kind's one before. */
  applyMakeup(kind: MakeupKind, makeup: Makeup): StagePass[] {
    const old = this.overlay.makeup.get(kind);
    if (old) this.overlay.retire([old.image]);
    this.overlay.makeup.set(kind, makeup);
    return this.passes();
  }

  /** `clearMakeups`. */
  clearMakeups(): StagePass[] {
    this.overlay.retire([...this.overlay.makeup.values()].map((m) => m.image));
    this.overlay.makeup.clear();
    return this.passes();
  }

  /** `applyFilter`: a lookup table (`size`³, RGBA) mixed at `alpha` after the filter look. */
  applyLookup(table: Uint8Array, size: number, alpha: number): StagePass[] {
    this.custom ??= new LutPass('applied-filter', table, size);
    this.custom.setTable(table, size);
    this.custom.alpha = alpha;
    return this.passes();
  }

  /** `clearFilters`: drops the applied lookup image. */
  clearLookup(): StagePass[] {
    this.custom = undefined;
    return this.passes();
  }

  /** The passes that change the picture with the current settings, in order. */
  passes(): StagePass[] {
    const list: StagePass[] = [];
    // Listed while wanted, skipped frame by frame while there is no face.
    if (this.warp.wanted()) list.push(this.warp);
    if (this.smooth.active()) list.push(this.smooth);
    if (this.whiten.active()) list.push(this.whiten);
    if (this.settings.filter !== 'standard') list.push(this.look);
    if (this.custom && this.custom.alpha > 0) list.push(this.custom);
    if (this.overlay.wanted()) list.push(this.overlay);
    return list;
  }
}
