/** The studio page's stylesheet (dark, dense, readable): one job, kept out of the markup. */
export const STUDIO_CSS = `
:root { color-scheme: dark; --bg: #0f1216; --panel: #171c22; --line: #2a323b; --text: #e6e9ed; --muted: #9aa3ad; --accent: #3ddc97; --warn: #f5b942; --bad: #ff6b6b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: var(--bg); color: var(--text); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; padding: 14px 20px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; font-weight: 650; }
header p { margin: 0; color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: #1f262e; padding: 1px 6px; border-radius: 4px; word-break: break-all; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 16px; padding: 16px 20px; align-items: start; }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; margin-bottom: 16px; }
.panel > h2 { font-size: 13px; letter-spacing: .02em; text-transform: uppercase; color: var(--muted); margin: 0 0 10px; font-weight: 600; display: flex; gap: 8px; align-items: baseline; }
.panel > h2 .note { text-transform: none; letter-spacing: 0; font-weight: 400; }
.panes { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.pane h3 { font-size: 13px; margin: 0 0 6px; font-weight: 600; display: flex; justify-content: space-between; gap: 8px; }
.pane h3 span { color: var(--muted); font-weight: 400; }
.pane-status { display: flex; gap: 8px; align-items: center; }
#mic-level { width: 70px; height: 8px; }
live-pusher, #player, .player-off { height: min(60vh, 540px); width: auto; max-width: 100%; aspect-ratio: 9 / 16; margin: 0 auto; background: #000; border-radius: 8px; display: block; }
.pane { background: #0c0f13; border-radius: 8px; padding: 8px; }
#player { object-fit: contain; }
.player-off { display: grid; place-items: center; text-align: center; color: var(--muted); background: transparent; border: 1px dashed var(--line); padding: 16px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; align-items: center; }
button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--line); background: #1f262e; color: inherit; cursor: pointer; }
button:hover { border-color: #46505b; }
button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
button.primary { background: var(--accent); border-color: var(--accent); color: #062b1b; font-weight: 600; }
.state { font-size: 12px; padding: 1px 8px; border-radius: 999px; background: #26303a; color: var(--muted); }
.state[data-state="pushing"] { background: #124d35; color: #9ff0c9; }
.state[data-state="connecting"], .state[data-state="reconnecting"], .state[data-state="paused"] { background: #4d3d12; color: #ffe3a3; }
.banner { margin: 12px 20px 0; padding: 10px 14px; border-radius: 8px; background: #3b2f12; border: 1px solid #6b5418; color: #ffe7b0; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.banner[hidden] { display: none; }
.banner.ok { background: #13301f; border-color: #1f5a3a; color: #bff2d6; }
.charts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; }
@media (max-width: 1300px) { .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
figure { margin: 0; }
figcaption { font-size: 12px; color: var(--muted); margin-bottom: 3px; }
figcaption b { display: block; color: var(--text); font-weight: 600; font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
canvas.chart { width: 100%; height: 90px; display: block; background: #11161b; border-radius: 6px; }
.groups details { border-top: 1px solid var(--line); padding: 6px 0; }
.groups details:first-child { border-top: 0; }
.groups summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
.field { display: grid; grid-template-columns: 150px minmax(0, 1fr) 26px; gap: 8px; align-items: center; padding: 3px 0; }
.field label { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.field .deprecated { text-decoration: line-through; color: var(--muted); }
.field input[type=text], .field input[type=number], .field select { width: 100%; font: inherit; font-size: 13px; padding: 3px 6px; border-radius: 5px; border: 1px solid var(--line); background: #0f1318; color: inherit; }
.field .range { display: flex; gap: 6px; align-items: center; }
.field .range input { flex: 1; min-width: 0; accent-color: var(--accent); }
.field output { min-width: 34px; text-align: right; font-size: 12px; color: var(--muted); }
.field .reset { padding: 0; width: 24px; height: 24px; border-radius: 5px; font-size: 12px; color: var(--muted); }
.field .reset[hidden] { visibility: hidden; display: block; }
.field .pip { display: flex; gap: 12px; }
.hint { grid-column: 2 / 4; font-size: 11.5px; color: var(--muted); margin-top: -2px; }
.methods { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 6px 12px; }
.method { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 6px; align-items: center; }
.method button { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; padding: 3px 8px; }
.method input { font: 12px ui-monospace, Menlo, Consolas, monospace; width: 100%; padding: 3px 6px; border-radius: 5px; border: 1px solid var(--line); background: #0f1318; color: inherit; }
.method .result { grid-column: 1 / 3; font-size: 11.5px; color: var(--muted); min-height: 0; }
.method .result.ok { color: #9ff0c9; }
.method .result.fail { color: #ffb3b3; }
.method .result img { max-height: 60px; vertical-align: middle; margin-left: 6px; border-radius: 4px; }
.snippets { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.snippet { position: relative; min-width: 0; }
.snippet h3 { font-size: 12px; color: var(--muted); margin: 0 0 4px; font-weight: 600; }
.snippet pre { margin: 0; padding: 10px 10px 10px 10px; background: #0c0f13; border-radius: 6px; overflow: auto; max-height: 260px; white-space: pre-wrap; overflow-wrap: anywhere; }
.snippet pre::before { content: ""; float: right; width: 56px; height: 18px; }
.snippet button { position: absolute; top: 22px; right: 6px; font-size: 12px; padding: 2px 8px; }
#log { height: 220px; overflow: auto; background: #0c0f13; border-radius: 6px; padding: 6px 8px; margin: 0; list-style: none; }
#log li { font: 12px/1.5 ui-monospace, Menlo, Consolas, monospace; border-bottom: 1px solid #161b21; padding: 1px 0; }
#log .t { color: #66707b; margin-right: 6px; }
#log .k { color: #8ab4f8; margin-right: 6px; }
#log .c { color: var(--text); font-weight: 600; margin-right: 6px; }
#log .m { color: var(--muted); }
#log li.error .k, #log li.error .c { color: var(--bad); }
#log li.warn .c { color: var(--warn); }
.log-tools { display: flex; gap: 10px; align-items: center; font-size: 12px; color: var(--muted); margin-left: auto; text-transform: none; letter-spacing: 0; font-weight: 400; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
