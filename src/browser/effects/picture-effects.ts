/**
 * The picture effects of one session (spec §1 beauty, whiteness, beauty-style, filter; §3
 * applyFilter): owns the passes and says which the stage runs, in order smooth → whiten → filter
 * look → applied lookup image. Only passes that change the picture are listed, so with every
 * effect at its default the stage runs none and the pushed picture is bit-identical.
 */
import type { StagePass } from '../media/video-stage.js';
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
}

export const NO_PICTURE_EFFECTS: PictureSettings = { beauty: 0, whiteness: 0, beautyStyle: 'smooth', filter: 'standard' };

export class PictureEffects {
  private readonly smooth = new SmoothPass();
  private readonly whiten = new WhitenPass();
  private readonly look = new LutPass('filter', filterLut('standard'), LUT_SIZE);
  private custom: LutPass | undefined;
  private settings: PictureSettings = NO_PICTURE_EFFECTS;

  /** Takes new settings; returns the passes the stage should run now. */
  update(settings: PictureSettings): StagePass[] {
    this.settings = settings;
    this.smooth.level = settings.beauty;
    this.smooth.style = settings.beautyStyle;
    this.whiten.level = settings.whiteness;
    if (settings.filter !== 'standard') this.look.setTable(filterLut(settings.filter), LUT_SIZE);
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
    if (this.smooth.active()) list.push(this.smooth);
    if (this.whiten.active()) list.push(this.whiten);
    if (this.settings.filter !== 'standard') list.push(this.look);
    if (this.custom && this.custom.alpha > 0) list.push(this.custom);
    return list;
  }
}
