/**
 * A generated test picture and tone for machines without a camera or microphone (or where the
 * user refused them), so the rest of the studio still runs.
 *
 * It plugs into the element's `captureSource` (a web extension): while the test source is on, a
 * `{ video }` request gets a track from an animated canvas (`captureStream`) at the asked size and
 * frame rate, and an `{ audio }` request a track from an oscillator (a 440 Hz beep once a second);
 * off, requests go to the browser's devices.
 */

/** The switch main.ts flips: on = generated media, off = the real devices. */
export interface TestSource {
  enabled: boolean;
  /** Call from a click handler: browsers start audio only after a user gesture. */
  prime(): void;
}

const PICTURE_FPS_DEFAULT = 30;

/** Gives `pusher` a capture source that honours the switch. */
export function installTestSource(pusher: { captureSource: ((constraints: MediaStreamConstraints) => Promise<MediaStream>) | undefined }): TestSource {
  const source: TestSource = { enabled: false, prime: () => audio.prime() };
  const audio = new ToneGenerator();
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  const real = devices?.getUserMedia?.bind(devices);
  const fake = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
    if (!source.enabled) {
      if (!real) throw Object.assign(new Error('getUserMedia needs a secure context (https or localhost)'), { name: 'SecurityError' });
      return real(constraints);
    }
    const stream = new MediaStream();
    if (constraints?.video) for (const t of testPicture(constraints.video).getVideoTracks()) stream.addTrack(t);
    if (constraints?.audio) for (const t of audio.stream().getAudioTracks()) stream.addTrack(t);
    return stream;
  };
  pusher.captureSource = fake;
  return source;
}

/** `{ ideal: n }`, `{ exact: n }` or `n` → n. */
function idealOf(value: ConstrainULong | ConstrainDouble | undefined, fallback: number): number {
  if (typeof value === 'number') return value;
  return value?.ideal ?? value?.exact ?? fallback;
}

/** A moving test card: colour bars, a sweeping bar, a clock and a frame counter. */
function testPicture(constraints: boolean | MediaTrackConstraints): MediaStream {
  const c = typeof constraints === 'object' ? constraints : {};
  const canvas = document.createElement('canvas');
  canvas.width = idealOf(c.width, 1280);
  canvas.height = idealOf(c.height, 720);
  const fps = idealOf(c.frameRate, PICTURE_FPS_DEFAULT);
  const g = canvas.getContext('2d')!;
  const bars = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];
  let frame = 0;
  const draw = () => {
    const { width: w, height: h } = canvas;
    bars.forEach((colour, i) => {
      g.fillStyle = colour;
      g.fillRect((i * w) / bars.length, 0, w / bars.length + 1, h);
    });
    const x = ((frame * 4) % (w + 80)) - 80;
    g.fillStyle = 'rgba(255,255,255,.85)';
    g.fillRect(x, 0, 40, h);
    g.fillStyle = 'rgba(0,0,0,.7)';
    g.fillRect(0, h * 0.36, w, h * 0.28);
    g.fillStyle = '#fff';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.font = `600 ${Math.round(h * 0.09)}px system-ui, sans-serif`;
    g.fillText(new Date().toLocaleTimeString(), w / 2, h * 0.45);
    g.font = `${Math.round(h * 0.05)}px ui-monospace, monospace`;
    g.fillText(`live-pusher test picture · frame ${frame}`, w / 2, h * 0.56);
    frame++;
  };
  draw();
  // A timer, not requestAnimationFrame: the picture keeps moving in a background tab.
  const timer = setInterval(draw, 1000 / fps);
  const stream = canvas.captureStream(fps);
  for (const track of stream.getTracks()) track.addEventListener('ended', () => clearInterval(timer));
  const stop = MediaStreamTrack.prototype.stop;
  for (const track of stream.getTracks()) {
    track.stop = function () {
      clearInterval(timer);
      stop.call(this);
    };
  }
  return stream;
}

/** A 440 Hz beep, 150 ms once a second, from one shared AudioContext. */
class ToneGenerator {
  private context: AudioContext | undefined;

  prime(): void {
    this.context ??= new AudioContext();
    void this.context.resume();
  }

  stream(): MediaStream {
    this.prime();
    const ctx = this.context!;
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    const out = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(out);
    osc.start();
    const beep = () => {
      const t = ctx.currentTime;
      gain.gain.setValueAtTime(0.25, t);
      gain.gain.setValueAtTime(0, t + 0.15);
    };
    beep();
    const timer = setInterval(beep, 1000);
    const track = out.stream.getAudioTracks()[0];
    if (track) {
      const stop = track.stop.bind(track);
      track.stop = () => {
        clearInterval(timer);
        osc.stop();
        stop();
      };
    }
    return out.stream;
  }
}

/** What the machine offers, without asking for permission (labels stay hidden until then). */
export async function countDevices(): Promise<{ cameras: number; microphones: number; available: boolean }> {
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  if (!devices?.enumerateDevices) return { cameras: 0, microphones: 0, available: false };
  const list = await devices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
  return {
    cameras: list.filter((d) => d.kind === 'videoinput').length,
    microphones: list.filter((d) => d.kind === 'audioinput').length,
    available: true,
  };
}
