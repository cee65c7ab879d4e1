/**
 * The studio page `live-pusher serve` shows: a `<live-pusher>` pushing through the tunnel gateway
 * to the embedded RTMP server, beside a player that plays the stream back from that server
 * (HTTP-FLV through mpegts.js), so the round trip is visible; buttons for the context methods and
 * a log of the element's events.
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
  main { max-width: 1100px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 20px; font-weight: 600; margin: 0 0 8px; }
  h2 { font-size: 14px; font-weight: 600; color: #9aa0a6; margin: 0 0 6px; }
  .panes { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  live-pusher, video { width: 100%; aspect-ratio: 9 / 16; max-height: 60vh; background: #000; border-radius: 8px; }
  video { object-fit: contain; }
  code { background: #1f262d; padding: 2px 6px; border-radius: 4px; word-break: break-all; }
  button { font: inherit; margin: 8px 6px 0 0; padding: 4px 12px; border-radius: 6px; border: 1px solid #3c4043; background: #1f262d; color: inherit; cursor: pointer; }
  #log { height: 180px; overflow: auto; background: #0b0e11; border-radius: 8px; padding: 8px; font: 12px/1.4 ui-monospace, monospace; white-space: pre-wrap; }
  #state { color: #9aa0a6; }
</style>
</head>
<body>
<main>
  <h1>live-pusher studio</h1>
  <p>The pusher publishes to <code>${rtmp}</code> through the tunnel; the player reads it back from the RTMP server. Any other encoder can publish there too, e.g. <code>npx live-pusher push video.mp4 ${rtmp}</code>.</p>
  <div class="panes">
    <section>
      <h2>&lt;live-pusher&gt; <span id="pusher-state"></span></h2>
      <live-pusher id="pusher" url="${rtmp}"></live-pusher>
      <div>
        <button data-method="start">start</button><button data-method="stop">stop</button>
        <button data-method="pause">pause</button><button data-method="resume">resume</button>
        <button data-method="switchCamera">switch camera</button><button data-method="snapshot">snapshot</button>
      </div>
    </section>
    <section>
      <h2>playback <span id="state">waiting for a stream…</span></h2>
      <video id="player" muted autoplay playsinline controls></video>
    </section>
  </div>
  <h2 style="margin-top: 16px">events</h2>
  <div id="log"></div>
</main>
<script src="/vendor/mpegts.js"></script>
<script type="module">
  import { createLivePusherContext } from '/live-pusher.js';
  const config = ${JSON.stringify(config).replace(/</g, '\\u003c')};
  const pusher = document.getElementById('pusher');
  const context = createLivePusherContext(pusher);
  const log = document.getElementById('log');
  const write = (text) => {
    log.textContent += new Date().toLocaleTimeString() + '  ' + text + '\\n';
    log.scrollTop = log.scrollHeight;
  };
  pusher.addEventListener('statechange', (e) => write('statechange ' + e.detail.code + '  ' + e.detail.message));
  pusher.addEventListener('error', (e) => write('error ' + e.detail.errCode + '  ' + e.detail.errMsg));
  pusher.addEventListener('netstatus', (e) => {
    const i = e.detail.info;
    document.getElementById('pusher-state').textContent = i.videoWidth + '×' + i.videoHeight + ' ' + i.videoFPS + ' fps ' + (i.videoBitrate + i.audioBitrate) + ' kbps';
  });
  new MutationObserver(() => write('state ' + pusher.getAttribute('state'))).observe(pusher, { attributes: true, attributeFilter: ['state'] });
  for (const button of document.querySelectorAll('button[data-method]')) {
    button.addEventListener('click', () => {
      const method = button.dataset.method;
      context[method]().then((r) => write(r.errMsg + (r.tempImagePath ? ' ' + r.width + '×' + r.height : '')), (e) => write(e.message));
    });
  }

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
