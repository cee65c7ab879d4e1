/**
 * Page side of preview-track.test.ts: a PreviewTrack of each kind played by a <video>, fed
 * frames whose colours say where they came from, and the <video>'s pixels read back.
 */
import { PreviewTrack, type PreviewTrackKind } from '../../src/browser/media/preview-track.js';
import { markReady } from './page-support.js';

/** A frame of `width`×`height` whose left third is red, middle third green, right third blue. */
function thirds(width: number, height: number, timestamp: number): VideoFrame {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d')!;
  ['rgb(255,0,0)', 'rgb(0,255,0)', 'rgb(0,0,255)'].forEach((colour, i) => {
    g.fillStyle = colour;
    g.fillRect(Math.round((i * width) / 3), 0, Math.ceil(width / 3), height);
  });
  return new VideoFrame(canvas, { timestamp, alpha: 'discard' });
}

/** The mean colour of the <video>'s next presented picture, left and right tenth and all. */
async function presented(video: HTMLVideoElement): Promise<{ width: number; height: number; left: number[]; right: number[] }> {
  await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
  const width = video.videoWidth;
  const height = video.videoHeight;
  const g = new OffscreenCanvas(width, height).getContext('2d')!;
  g.drawImage(video, 0, 0);
  const mean = (x0: number, x1: number) => {
    const data = g.getImageData(x0, 0, x1 - x0, height).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
    return sum.map((s) => Math.round(s / (data.length / 4)));
  };
  return { width, height, left: mean(0, Math.max(1, Math.round(width / 10))), right: mean(width - Math.max(1, Math.round(width / 10)), width) };
}

/**
 * Shows whole frames, then camera frames cut to a portrait picture, through a track of `kind`;
 * counts the frames the track closed (every one must be).
 */
async function previewTrack(kind: PreviewTrackKind) {
  const track = new PreviewTrack(kind);
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = track.stream;
  document.body.append(video);
  // Not awaited: playing starts once the first frame is there.
  const playing = video.play();
  const frames: VideoFrame[] = [];
  const feed = (make: (t: number) => VideoFrame, show: (frame: VideoFrame) => void) => {
    let t = 0;
    return setInterval(() => {
      const frame = make((t += 50_000));
      frames.push(frame);
      show(frame);
    }, 50);
  };
  let timer = feed((t) => thirds(320, 180, t), (frame) => track.show(frame));
  await playing;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const whole = await presented(video);
  clearInterval(timer);
  // Camera frames: the caller keeps them, so they are closed here after showing.
  timer = feed((t) => thirds(640, 360, t), (frame) => {
    track.showCamera(frame, 360, 640);
    frame.close();
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cropped = await presented(video);
  clearInterval(timer);
  track.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stillOpen = frames.filter((f) => f.format !== null).length;
  video.remove();
  return { kind: track.kind, stream: track.stream.getVideoTracks().length, whole, cropped, shown: frames.length, stillOpen };
}

markReady({ previewTrack });
