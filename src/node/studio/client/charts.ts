/**
 * Live line charts of the `netstatus` figures over the last minute, drawn on canvas (no library):
 * bitrate, frame rate, send speed and send cache. Each canvas carries `data-points` (samples in
 * its window) so tests and curious people can see it is fed.
 */
import type { NetStatusInfo } from '../../../core/netstatus.js';

/** How far back the charts look. */
const WINDOW_MS = 60_000;
/** The shortest time axis: a fresh push fills it, then it widens to the minute. */
const MIN_SPAN_MS = 15_000;

interface Series {
  label: string;
  colour: string;
  pick(info: NetStatusInfo): number;
}

interface ChartSpec {
  title: string;
  unit: string;
  series: Series[];
}

/** The four charts of the studio. */
const CHARTS: ChartSpec[] = [
  {
    title: 'bitrate',
    unit: 'kbps',
    series: [
      { label: 'video', colour: '#3ddc97', pick: (i) => i.videoBitrate },
      { label: 'audio', colour: '#8ab4f8', pick: (i) => i.audioBitrate },
    ],
  },
  { title: 'frame rate', unit: 'fps', series: [{ label: 'videoFPS', colour: '#f5b942', pick: (i) => i.videoFPS }] },
  {
    title: 'send speed',
    unit: 'kbps',
    series: [
      { label: 'netSpeed', colour: '#c58af9', pick: (i) => i.netSpeed },
      { label: 'netJitter', colour: '#ff8a80', pick: (i) => i.netJitter },
    ],
  },
  {
    title: 'send cache',
    unit: 'frames',
    series: [
      { label: 'videoCache', colour: '#3ddc97', pick: (i) => i.videoCache },
      { label: 'audioCache', colour: '#8ab4f8', pick: (i) => i.audioCache },
    ],
  },
];

/** One chart: a canvas and the samples it shows. */
class LineChart {
  private readonly samples: Array<{ at: number; values: number[] }> = [];
  readonly figure: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly latest: HTMLElement;

  constructor(private readonly spec: ChartSpec) {
    this.figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    const title = document.createElement('span');
    title.textContent = `${spec.title} (${spec.unit})`;
    this.latest = document.createElement('b');
    this.latest.textContent = '—';
    caption.append(title, this.latest);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'chart';
    this.canvas.dataset.chart = spec.title;
    this.canvas.dataset.points = '0';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${spec.title} over the last minute: ${spec.series.map((s) => s.label).join(', ')}`);
    this.figure.append(caption, this.canvas);
  }

  add(at: number, info: NetStatusInfo): void {
    const values = this.spec.series.map((s) => s.pick(info));
    this.samples.push({ at, values });
    while (this.samples.length > 0 && this.samples[0]!.at < at - WINDOW_MS) this.samples.shift();
    this.canvas.dataset.points = String(this.samples.length);
    // The latest values double as the legend: each in its line's colour.
    this.latest.replaceChildren(
      ...this.spec.series.flatMap((s, i) => {
        const item = document.createElement('span');
        item.style.color = s.colour;
        item.textContent = `${s.label} ${round(values[i]!)}`;
        return i === 0 ? [item] : [' · ', item];
      }),
    );
  }

  draw(now: number): void {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const h = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
    const g = canvas.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, w, h);
    const top = niceCeiling(Math.max(1, ...this.samples.flatMap((s) => s.values)));
    const pad = 4 * ratio;
    const span = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - (this.samples[0]?.at ?? now)));
    const x = (at: number) => ((at - (now - span)) / span) * w;
    const y = (v: number) => h - pad - (v / top) * (h - 2 * pad);
    // Grid: quarters, with the top value written in the corner.
    g.strokeStyle = '#232b34';
    g.lineWidth = 1;
    for (let q = 1; q < 4; q++) {
      g.beginPath();
      g.moveTo(0, y((top * q) / 4));
      g.lineTo(w, y((top * q) / 4));
      g.stroke();
    }
    g.fillStyle = '#66707b';
    g.font = `${10 * ratio}px system-ui, sans-serif`;
    g.textBaseline = 'top';
    g.fillText(String(top), 4 * ratio, 2 * ratio);
    g.textAlign = 'right';
    g.fillText(`${Math.round(span / 1000)} s`, w - 4 * ratio, h - 13 * ratio);
    g.textAlign = 'left';
    this.spec.series.forEach((series, i) => {
      g.strokeStyle = series.colour;
      g.lineWidth = 1.6 * ratio;
      g.beginPath();
      this.samples.forEach((s, n) => (n === 0 ? g.moveTo(x(s.at), y(s.values[i]!)) : g.lineTo(x(s.at), y(s.values[i]!))));
      g.stroke();
    });
  }
}

/** 1, 2 or 5 times a power of ten, at or above `v`. */
function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((n) => n >= v) ?? 10 * p;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The studio's charts in `root`; `add` takes each netstatus; they redraw themselves, scrolling with time. */
export function createCharts(root: HTMLElement): { add(info: NetStatusInfo): void } {
  const charts = CHARTS.map((spec) => new LineChart(spec));
  root.append(...charts.map((c) => c.figure));
  const frame = () => {
    const now = performance.now();
    charts.forEach((c) => c.draw(now));
  };
  setInterval(frame, 250);
  frame();
  return {
    add(info) {
      const at = performance.now();
      charts.forEach((c) => c.add(at, info));
      frame();
    },
  };
}
