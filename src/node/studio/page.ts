/**
 * The studio page `live-pusher serve` shows: the stream played back from the RTMP server (HTTP-FLV
 * through mpegts.js), so a push is visible end to end, and the address to push to.
 */
export interface StudioPageConfig {
  rtmpUrl: string;
  flvUrl: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderStudioPage(config: StudioPageConfig): string {
  const rtmp = escapeHtml(config.rtmpUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>live-pusher studio</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #101418; color: #e8eaed; }
  main { max-width: 960px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 20px; font-weight: 600; }
  video { width: 100%; max-height: 60vh; background: #000; border-radius: 8px; }
  code { background: #1f262d; padding: 2px 6px; border-radius: 4px; word-break: break-all; }
  #state { color: #9aa0a6; }
</style>
</head>
<body>
<main>
  <h1>live-pusher studio</h1>
  <p>Publish to <code id="rtmp">${rtmp}</code> and the stream plays below, read back from the RTMP server.</p>
  <p>For example: <code>npx live-pusher push video.mp4 ${rtmp}</code></p>
  <video id="player" muted autoplay playsinline controls></video>
  <p id="state">waiting for a stream…</p>
</main>
<script src="/vendor/mpegts.js"></script>
<script type="module">
  const config = ${JSON.stringify(config).replace(/</g, '\\u003c')};
  const video = document.getElementById('player');
  const state = document.getElementById('state');
  let player;
  // The server answers 404 until someone publishes: retry until the stream is there.
  function attach() {
    player?.destroy();
    player = mpegts.createPlayer({ type: 'flv', isLive: true, url: config.flvUrl }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
    player.attachMediaElement(video);
    player.on(mpegts.Events.ERROR, () => { state.textContent = 'waiting for a stream…'; setTimeout(attach, 2000); });
    player.on(mpegts.Events.MEDIA_INFO, (info) => { state.textContent = 'playing ' + info.width + '×' + info.height; });
    player.load();
    video.play().catch(() => {});
  }
  attach();
</script>
</body>
</html>
`;
}
