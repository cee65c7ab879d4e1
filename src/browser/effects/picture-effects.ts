/**
 * The picture effects of one session (spec §1 beauty, whiteness, beauty-style, filter,
 * custom-effect; §3 applyFilter, applySticker, the makeup methods): owns the passes and says which
 * the stage runs, in order the picture pass (face warp → smooth → whiten → filter look → applied
 * lookup image, one draw: `picture-pass.ts`) → makeup and stickers. Only passes that change the
 * picture are listed, so with every effect at its default the stage runs none and the pushed
 * picture is bit-identical.
 */
import type { CustomEffectSettings } from '../../core/attributes.js';
import type { StagePass } from '../media/video-stage.js';
import type { MakeupKind } from './face-regions.js';
import { FaceWarper } from './face-warp-pass.js';
import { OverlayPass, type Makeup, type OverlayPassOptions, type Sticker } from './overlay-pass.js';
import { filterLut, LUT_SIZE, type PusherFilter } from './filters.js';
import { LookupTable } from './lut-pass.js';
import { PicturePass } from './picture-pass.js';
import { Smooth, type BeautyStyle } from './smooth-pass.js';
import { Whiten } from './whiten-pass.js';

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
  private readonly warp = new FaceWarper();
  private readonly smooth = new Smooth();
  private readonly whiten = new Whiten();
  private readonly look = new LookupTable('look', filterLut('standard'), LUT_SIZE);
  /** applyFilter's table: off (alpha 0) until a call, and after clearFilters. */
  private readonly applied = new LookupTable('applied', new Uint8Array(4), 1);
  private readonly picture = new PicturePass({ warp: this.warp, smooth: this.smooth, whiten: this.whiten, look: this.look, applied: this.applied });
  private readonly overlay: OverlayPass;

  /** `options.onWarning`: what stickers cannot do here (no segmentation model, hand gestures). */
  constructor(options: OverlayPassOptions = {}) {
    this.overlay = new OverlayPass(options);
  }

  /** Takes new settings; returns the passes the stage should run now. */
  update(settings: PictureSettings): StagePass[] {
    const { custom } = settings;
    // skin-smoothness / skin-whiteness drive the beauty and whiteness passes; where both the
    // classic attribute and the custom one are set, the stronger wins rather than stacking past 9.
    this.smooth.level = Math.max(settings.beauty, custom.skinSmoothness * LEVELS_PER_UNIT);
    this.smooth.style = settings.beautyStyle;
    this.whiten.level = Math.max(settings.whiteness, custom.skinWhiteness * LEVELS_PER_UNIT);
    this.warp.thinness = custom.faceThinness;
    this.warp.eyeBigness = custom.eyeBigness;
    if (settings.filter !== 'standard') this.look.setTable(filterLut(settings.filter), LUT_SIZE);
    this.look.alpha = settings.filter === 'standard' ? 0 : 1;
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
    this.applied.setTable(table, size);
    this.applied.alpha = alpha;
    return this.passes();
  }

  /** `clearFilters`: drops the applied lookup image. */
  clearLookup(): StagePass[] {
    this.applied.alpha = 0;
    return this.passes();
  }

  /** The passes that change the picture with the current settings, in order. */
  passes(): StagePass[] {
    const list: StagePass[] = [];
    // Listed while wanted; the face warp is skipped frame by frame while there is no face.
    if (this.picture.wanted()) list.push(this.picture);
    if (this.overlay.wanted()) list.push(this.overlay);
    return list;
  }
}
