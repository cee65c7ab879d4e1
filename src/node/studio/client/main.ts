/**
 * The studio page's entry (served as /studio/main.js): loads the element bundle, then wires the
 * generated attribute controls, the context method buttons, the charts, the event log, the
 * snippets, the player and the camera-less fallback to the page's one `<live-pusher id="pusher">`.
 */
import type { AttributeSpec } from '../../../core/attributes.js';
import type { NetStatusInfo } from '../../../core/netstatus.js';
import type { StudioPageConfig } from '../config.js';
import { createCharts } from './charts.js';
import { buildControls } from './controls.js';
import { createEventLog } from './event-log.js';
import { buildMethodButtons, type MethodCall } from './methods.js';
import { startPlayer } from './player.js';
import { contextSnippet, createSnippets, markupSnippet } from './snippets.js';
import { countDevices, installTestSource } from './test-source.js';

type Bundle = typeof import('../../../browser/index.js');

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const config = JSON.parse($('studio-config').textContent ?? '{}') as StudioPageConfig;
const schema = config.schema as Record<string, AttributeSpec>;
const bundle = (await import('/live-pusher.js' as string)) as Bundle;
await customElements.whenDefined('live-pusher');

const element = $('pusher');
// Before the element can ask for a camera: the test source answers its requests when switched on.
const testSource = installTestSource(element as InstanceType<Bundle['LivePusherElement']>);
const context = bundle.createLivePusherContext(element);
const calls: MethodCall[] = [];
const describe = (code: number) => bundle.describeStatus(code as Parameters<Bundle['describeStatus']>[0]);

const log = createEventLog($<HTMLOListElement>('log'), element, describe, { showNetStatus: $<HTMLInputElement>('log-netstatus'), clear: $<HTMLButtonElement>('log-clear') });
const charts = createCharts($('charts'));
const snippets = createSnippets($('snippets'));
const renderSnippets = () => snippets.render(markupSnippet(element, schema), contextSnippet(element.id, calls));
const controls = buildControls($('controls'), schema, config.modes, element, renderSnippets);
const player = startPlayer($('player-slot'), $('player-state'), config.flvUrl);

element.addEventListener('netstatus', (e) => charts.add((e as CustomEvent<{ info: NetStatusInfo }>).detail.info));
const micLevel = $<HTMLMeterElement>('mic-level');
element.addEventListener('audiovolumenotify', (e) => void (micLevel.value = (e as CustomEvent<{ volume: number }>).detail.volume));
element.addEventListener('statechange', (e) => {
  if ((e as CustomEvent<{ code: number }>).detail.code === 1002) setTimeout(() => player.reload(), 300);
});

// The state badge follows the element's reflected `state` attribute (spec §5).
const badge = $('pusher-state');
new MutationObserver(() => {
  const state = element.getAttribute('state') ?? 'idle';
  badge.textContent = state;
  badge.dataset.state = state;
}).observe(element, { attributes: true, attributeFilter: ['state'] });

buildMethodButtons($('methods'), context as unknown as Record<string, unknown>, {
  before: () => testSource.prime(),
  after(call, result, ok) {
    calls.push(call);
    if (!ok) log.note('method', result.errMsg ?? `${call.name}:fail`, 'error');
    controls.sync(); // switchCamera changes device-position
    renderSnippets();
  },
});

/** Runs a context method from a toolbar button, recorded like the method buttons. */
async function run(name: 'start' | 'stop'): Promise<void> {
  testSource.prime();
  failures.clear();
  calls.push({ name, args: undefined });
  renderSnippets();
  await context[name]().catch((e: { errMsg?: string }) => log.note('method', e.errMsg ?? String(e), 'error'));
}
$('start').addEventListener('click', () => void run('start'));
$('stop').addEventListener('click', () => void run('stop'));

// ── Without a camera: say so plainly, and offer the generated test picture and tone ──────────

const banner = $('source-banner');
const useTest = $<HTMLInputElement>('use-test-source');

function say(text: string, offer: boolean): void {
  banner.replaceChildren(text);
  banner.classList.toggle('ok', !offer);
  banner.hidden = false;
  if (offer) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Use the test picture and tone';
    button.addEventListener('click', () => {
      useTest.checked = true;
      void switchSource(true);
    });
    banner.append(button);
  }
}

async function switchSource(on: boolean): Promise<void> {
  testSource.enabled = on;
  testSource.prime();
  log.note('source', on ? 'generated test picture and tone' : 'camera and microphone');
  if (on) say('Using a generated test picture and tone instead of the camera and microphone.', false);
  else banner.hidden = true;
  const state = element.getAttribute('state');
  if (state && state !== 'idle' && state !== 'stopped') {
    await context.stop().catch(() => undefined);
    await context.start().catch(() => undefined);
  }
}
useTest.addEventListener('change', () => void switchSource(useTest.checked));

// Capture failures (spec §4): statechange −1301/−1302 when a device did not open, and an `error`
// event 10001/10002 as well when the user refused it (which then says it better).
const CAPTURE_FAILURES: Record<number, { device: 'camera' | 'mic'; text: string }> = {
  10001: { device: 'camera', text: 'The camera permission was refused.' },
  10002: { device: 'mic', text: 'The microphone permission was refused.' },
  [-1301]: { device: 'camera', text: 'The camera could not be opened (none found, or another program holds it).' },
  [-1302]: { device: 'mic', text: 'The microphone could not be opened (none found, or another program holds it).' },
};
/** The capture failures since the last start, by device, worded for people. */
const failures = new Map<'camera' | 'mic', { code: number; text: string }>();
function onCaptureFailure(code: number, message: string): void {
  const what = CAPTURE_FAILURES[code];
  if (!what || testSource.enabled) return;
  if (failures.get(what.device)?.code !== undefined && code < 0) return; // keep the refusal's words
  // The element's message is "camera permission refused (NotAllowedError: …)": keep the browser's reason.
  const reason = /\(([^()]*)\)$/.exec(message)?.[1] ?? message;
  failures.set(what.device, { code, text: `${what.text.slice(0, -1)}: ${reason}.` });
  say(`${[...failures.values()].map((f) => f.text).join(' ')} The studio can push a generated test picture and tone instead.`, true);
}
element.addEventListener('statechange', (e) => {
  const { code, message } = (e as CustomEvent<{ code: number; message: string }>).detail;
  onCaptureFailure(code, message);
});
element.addEventListener('error', (e) => {
  const { errCode, errMsg } = (e as unknown as CustomEvent<{ errCode: number; errMsg: string }>).detail;
  onCaptureFailure(errCode, errMsg);
});

if (!window.isSecureContext) {
  say(`This page is not a secure context (${location.origin}): browsers allow the camera, the microphone and the video encoder only on https or localhost. Open the studio at http://127.0.0.1 or http://localhost, or behind TLS.`, false);
} else {
  const devices = await countDevices();
  if (devices.cameras === 0 || devices.microphones === 0) {
    const missing = [devices.cameras === 0 && 'no camera', devices.microphones === 0 && 'no microphone'].filter(Boolean).join(' and ');
    useTest.checked = true;
    testSource.enabled = true;
    say(`This machine reports ${missing}: the studio pushes a generated test picture and tone instead (untick “test picture” to try the devices anyway).`, false);
  }
}

controls.sync();
renderSnippets();
document.body.dataset.ready = 'true';
