/**
 * The in-page half of bench/effects: times the WebGL2 stage (scale/crop + effect passes) on a
 * fixed test picture. Bundled by effects.ts and run in headless Chromium (SwiftShader: no GPU).
 */
import { NO_PICTURE_EFFECTS, PictureEffects } from '../../src/browser/effects/picture-effects.js';
import { buildLut } from '../../src/browser/effects/filters.js';
import { VideoStage } from '../../src/browser/media/video-stage.js';

/** Which effects run: none, one alone, or all of them. */
export type Effects = 'off' | 'beauty' | 'whiteness' | 'filter' | 'applyFilter' | 'on';

export interface StageTiming {
  width: number;
  height: number;
  effects: Effects;
  frames: number;
  msPerFrame: number;
  p95Ms: number;
}

/** A 1280×720 camera-like frame: gradients, skin tone, noise (so no pass has trivial input). */
function sourceFrame(): VideoFrame {
  const canvas = new OffscreenCanvas(1280, 720);
  const g = canvas.getContext('2d')!;
  const grad = g.createLinearGradient(0, 0, 1280, 720);
  grad.addColorStop(0, '#e0ac8c');
  grad.addColorStop(0.5, '#40a060');
  grad.addColorStop(1, '#3050d0');
  g.fillStyle = grad;
  g.fillRect(0, 0, 1280, 720);
  for (let i = 0; i < 4000; i++) {
    g.fillStyle = `rgba(${(i * 37) % 255},${(i * 91) % 255},${(i * 53) % 255},0.3)`;
    g.fillRect((i * 131) % 1280, (i * 71) % 720, 6, 6);
  }
  return new VideoFrame(canvas, { timestamp: 0 });
}

export async function timeStage(width: number, height: number, effects: Effects, frames: number): Promise<StageTiming> {
  const source = sourceFrame();
  const stage = new VideoStage({ width, height });
  const picture = new PictureEffects();
  const all = effects === 'on';
  stage.setEffects(
    picture.update({
      beauty: all || effects === 'beauty' ? 9 : 0,
      whiteness: all || effects === 'whiteness' ? 9 : 0,
      beautyStyle: 'smooth',
      filter: all || effects === 'filter' ? 'romantic' : 'standard',
      custom: NO_PICTURE_EFFECTS.custom,
    }),
  );
  if (all || effects === 'applyFilter') stage.setEffects(picture.applyLookup(buildLut({ saturation: 0.8 }, 64), 64, 0.5));
  const times: number[] = [];
  try {
    for (let i = 0; i < frames + 10; i++) {
      const t0 = performance.now();
      const out = stage.process(source);
      // Reading one pixel back waits for the GPU (SwiftShader) to finish the frame.
      const bitmap = await createImageBitmap(out, 0, 0, 1, 1);
      bitmap.close();
      out.close();
      if (i >= 10) times.push(performance.now() - t0); // the first frames compile and warm caches
    }
  } finally {
    stage.close();
    source.close();
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  return { width, height, effects, frames, msPerFrame: round(mean), p95Ms: round(times[Math.floor(times.length * 0.95)]!) };
}

const round = (x: number): number => Math.round(x * 100) / 100;

(window as unknown as { timeStage: typeof timeStage }).timeStage = timeStage;
