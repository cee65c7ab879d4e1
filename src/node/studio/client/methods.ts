/**
 * One button per `LivePusherContext` method of spec §3, with an editable JSON argument where the
 * method takes one, and the result beside it (`errMsg`, other fields, the snapshot image). Every
 * call is recorded for the createLivePusherContext snippet.
 */

/** The methods of spec §3 in the spec's order, with the argument the button starts with. */
export const CONTEXT_METHODS: ReadonlyArray<{ name: string; args?: object }> = [
  { name: 'start' }, { name: 'stop' }, { name: 'pause' }, { name: 'resume' },
  { name: 'startPreview' }, { name: 'stopPreview' }, { name: 'switchCamera' },
  { name: 'snapshot', args: { quality: 'compressed', sourceType: 'stream' } },
  { name: 'toggleTorch' },
  { name: 'playBGM', args: { url: 'https://example.com/music.mp3' } },
  { name: 'stopBGM' }, { name: 'pauseBGM' }, { name: 'resumeBGM' },
  { name: 'setBGMVolume', args: { volume: 0.5 } },
  { name: 'setMICVolume', args: { volume: 0.5 } },
  { name: 'sendMessage', args: { msg: 'hello from the studio' } },
  { name: 'exitPictureInPicture' },
  { name: 'getMaxZoom' },
  { name: 'setZoom', args: { zoom: 2 } },
  { name: 'applyFilter', args: { path: 'lut.png', alpha: 0.8 } },
  { name: 'clearFilters' },
  { name: 'applySticker', args: { type: '2D', stickers: [{ title: 'hat', path: 'stickers/', len: 1, pos: [0.1, 0.05, 0.4, 0.2] }] } },
  { name: 'clearStickers' },
  { name: 'applyLipStickMakeup', args: { alpha: 0.5, path: 'lipstick.png' } },
  { name: 'applyEyeShadowMakeup', args: { alpha: 0.5, path: 'eyeshadow.png' } },
  { name: 'applyBlusherStickMakeup', args: { alpha: 0.5, path: 'blusher.png' } },
  { name: 'applyFaceContourMakeup', args: { alpha: 0.5, path: 'contour.png' } },
  { name: 'applyEyeBrowMakeup', args: { alpha: 0.5, path: 'eyebrow.png' } },
  { name: 'clearMakeups' },
  { name: 'onCustomRendererEvent' },
  { name: 'createOffscreenCanvas' },
];

/** A recorded call, for the snippet. */
export interface MethodCall {
  name: string;
  args: object | undefined;
}

type Context = Record<string, unknown>;
type Result = Record<string, unknown> & { errMsg?: string };

/**
 * Builds the buttons into `root`. `before` runs in the click (user gesture) before each call;
 * `after` gets each call and its outcome.
 */
export function buildMethodButtons(root: HTMLElement, context: Context, hooks: { before(name: string): void; after(call: MethodCall, result: Result, ok: boolean): void }): void {
  for (const { name, args } of CONTEXT_METHODS) {
    const row = document.createElement('div');
    row.className = 'method';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = name;
    button.dataset.method = name;
    const result = document.createElement('div');
    result.className = 'result';
    result.id = `method-${name}-result`;
    result.setAttribute('aria-live', 'polite');
    button.setAttribute('aria-describedby', result.id);
    let input: HTMLInputElement | undefined;
    if (args) {
      input = Object.assign(document.createElement('input'), { type: 'text', value: JSON.stringify(args), spellcheck: false });
      input.setAttribute('aria-label', `${name} argument (JSON)`);
    }
    row.append(button, input ?? document.createElement('span'), result);
    root.append(row);

    const method = context[name];
    if (typeof method !== 'function' || name === 'onCustomRendererEvent' || name === 'createOffscreenCanvas') {
      // Custom rendering takes a callback or returns a canvas: code, not a button press.
      button.disabled = typeof method !== 'function';
      result.textContent = typeof method !== 'function' ? 'not in this version of live-pusher yet' : 'takes a callback: see the guide';
      if (typeof method === 'function') button.disabled = true;
      continue;
    }
    button.addEventListener('click', async () => {
      let parsed: object | undefined;
      try {
        parsed = input ? (JSON.parse(input.value) as object) : undefined;
      } catch {
        show(result, { errMsg: `the argument is not JSON: ${input!.value}` }, false);
        return;
      }
      hooks.before(name);
      result.textContent = '…';
      try {
        const r = (await (method as (o?: object) => Promise<Result>).call(context, parsed)) ?? {};
        show(result, r, true);
        hooks.after({ name, args: parsed }, r, true);
      } catch (e) {
        const r: Result = e && typeof e === 'object' && 'errMsg' in e ? (e as Result) : { errMsg: `${name}:fail ${(e as Error)?.message ?? e}` };
        show(result, r, false);
        hooks.after({ name, args: parsed }, r, false);
      }
    });
  }
}

function show(box: HTMLElement, r: Result, ok: boolean): void {
  box.className = `result ${ok ? 'ok' : 'fail'}`;
  const { errMsg, tempImagePath, ...rest } = r;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  box.textContent = `${errMsg ?? (ok ? 'ok' : 'failed')}${extra}`;
  if (typeof tempImagePath === 'string') {
    const img = document.createElement('img');
    img.src = tempImagePath;
    img.alt = 'snapshot';
    const link = Object.assign(document.createElement('a'), { href: tempImagePath, target: '_blank', rel: 'noopener' });
    link.append(img);
    box.append(link);
  }
}
