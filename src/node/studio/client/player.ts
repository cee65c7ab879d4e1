/**
 * The playback pane: mpegts.js plays the stream back from the RTMP server's HTTP-FLV output, so
 * the round trip is visible. The server answers 404 until someone publishes: it retries. Without a
 * playback address (an external server and no `--play-url`) it says how to get one.
 */

/** The part of mpegts.js (loaded as a classic script, global `mpegts`) the studio uses. */
interface Mpegts {
  createPlayer(source: { type: 'flv'; isLive: boolean; url: string }, config: object): MpegtsPlayer;
  Events: { ERROR: string; MEDIA_INFO: string; LOADING_COMPLETE: string };
}
interface MpegtsPlayer {
  attachMediaElement(video: HTMLVideoElement): void;
  load(): void;
  destroy(): void;
  on(event: string, listener: (arg: { width?: number; height?: number }) => void): void;
}

/** Starts playing; `reload` listens again (main.ts calls it when a new push begins). */
export function startPlayer(slot: HTMLElement, state: HTMLElement, flvUrl: string | undefined): { reload(): void } {
  if (!flvUrl) {
    const off = document.createElement('div');
    off.className = 'player-off';
    off.textContent = 'No playback address: start the studio with --play-url <http-flv address> to watch the stream come back here.';
    slot.append(off);
    state.textContent = '';
    return { reload: () => undefined };
  }
  const mpegts = (globalThis as { mpegts?: Mpegts }).mpegts;
  const video = Object.assign(document.createElement('video'), { id: 'player', muted: true, autoplay: true, playsInline: true, controls: true });
  video.setAttribute('aria-label', 'the stream played back from the RTMP server');
  slot.append(video);
  if (!mpegts) {
    state.textContent = 'mpegts.js did not load';
    return { reload: () => undefined };
  }
  let player: MpegtsPlayer | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const attach = () => {
    clearTimeout(retry);
    player?.destroy();
    player = mpegts.createPlayer({ type: 'flv', isLive: true, url: flvUrl }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
    player.attachMediaElement(video);
    player.on(mpegts.Events.ERROR, () => {
      state.textContent = 'waiting for a stream…';
      retry = setTimeout(attach, 1500);
    });
    // The publisher left (stop, or a restart): wait for the next one.
    player.on(mpegts.Events.LOADING_COMPLETE, () => {
      state.textContent = 'waiting for a stream…';
      retry = setTimeout(attach, 1000);
    });
    player.on(mpegts.Events.MEDIA_INFO, (info) => {
      state.textContent = `playing ${info.width ?? '?'}×${info.height ?? '?'}`;
    });
    player.load();
    video.play().catch(() => undefined);
  };
  attach();
  return { reload: attach };
}
