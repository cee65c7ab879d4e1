/**
 * The studio page `live-pusher serve` shows: a `<live-pusher>` pushing through the tunnel gateway
 * to the RTMP server, beside a player that reads the stream back (HTTP-FLV through mpegts.js), so
 * the round trip is visible. The markup is a skeleton: client/main.ts fills in the controls
 * (generated from the attribute schema in the embedded config), the context method buttons, the
 * charts, the snippets and the event log.
 */
import type { StudioPageConfig } from './config.js';
import { STUDIO_CSS } from './page-style.js';

export type { StudioPageConfig } from './config.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that is safe inside a `<script>` element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderStudioPage(config: StudioPageConfig): string {
  const rtmp = escapeHtml(config.rtmpUrl);
  const server = config.embedded ? 'the embedded RTMP server' : 'your RTMP server';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>live-pusher studio</title>
<link rel="icon" href="data:,">
<style>${STUDIO_CSS}</style>
</head>
<body>
<header>
  <h1>live-pusher studio</h1>
  <p>pushing to <code id="target">${rtmp}</code> through the tunnel gateway; the player reads it back from ${server}.</p>
</header>
<div id="source-banner" class="banner" role="status" hidden></div>
<div class="layout">
  <main>
    <section class="panel" aria-labelledby="round-trip">
      <h2 id="round-trip">Round trip</h2>
      <div class="panes">
        <div class="pane">
          <h3>&lt;live-pusher&gt; <span class="pane-status"><meter id="mic-level" min="0" max="100" value="0" aria-label="microphone level (audiovolumenotify)" title="microphone level"></meter> <span class="state" id="pusher-state" data-state="idle">idle</span></span></h3>
          <live-pusher id="pusher" url="${rtmp}"></live-pusher>
          <div class="toolbar">
            <button class="primary" id="start" type="button">Start push</button>
            <button id="stop" type="button">Stop</button>
            <label><input type="checkbox" id="use-test-source"> test picture and tone instead of camera and microphone</label>
          </div>
        </div>
        <div class="pane">
          <h3>Playback <span id="player-state">waiting for a stream…</span></h3>
          <div id="player-slot"></div>
        </div>
      </div>
    </section>
    <section class="panel" aria-labelledby="charts-title">
      <h2 id="charts-title">netstatus <span class="note">the last minute, one point per event</span></h2>
      <div class="charts" id="charts"></div>
    </section>
    <section class="panel" aria-labelledby="log-title">
      <h2 id="log-title">Events <span class="log-tools"><label><input type="checkbox" id="log-netstatus"> netstatus</label><button type="button" id="log-clear">clear</button></span></h2>
      <ol id="log" aria-live="polite" aria-relevant="additions"></ol>
    </section>
    <section class="panel" aria-labelledby="methods-title">
      <h2 id="methods-title">Context methods <span class="note">createLivePusherContext('pusher'); arguments as JSON</span></h2>
      <div class="methods" id="methods"></div>
    </section>
    <section class="panel" aria-labelledby="snippets-title">
      <h2 id="snippets-title">Snippets <span class="note">for the current settings</span></h2>
      <div class="snippets" id="snippets"></div>
    </section>
  </main>
  <aside>
    <section class="panel" aria-labelledby="attributes-title">
      <h2 id="attributes-title">Attributes <span class="note">every one of the spec, live</span></h2>
      <div class="groups" id="controls"></div>
    </section>
  </aside>
</div>
<script id="studio-config" type="application/json">${scriptJson(config)}</script>
<script src="/vendor/mpegts.js"></script>
<script type="module" src="/studio/main.js"></script>
</body>
</html>
`;
}
