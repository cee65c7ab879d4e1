/**
 * Copyable snippets for what the studio shows right now: the element's markup with the attributes
 * currently set, and the createLivePusherContext calls made from the method buttons.
 */
import type { AttributeSpec } from '../../../core/attributes.js';
import type { MethodCall } from './methods.js';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** `<live-pusher …>` with every schema attribute the element carries, in schema order. */
export function markupSnippet(element: HTMLElement, schema: Record<string, AttributeSpec>): string {
  const attrs = [`id="${escapeAttr(element.id)}"`];
  for (const spec of Object.values(schema)) {
    const value = element.getAttribute(spec.attribute);
    if (value === null) continue;
    attrs.push(value === '' ? spec.attribute : `${spec.attribute}="${escapeAttr(value)}"`);
  }
  const oneLine = ` ${attrs.join(' ')}`;
  const lines = oneLine.length > 60 ? `\n  ${attrs.join('\n  ')}\n` : oneLine;
  return `<script type="module" src="/live-pusher.js"></script>\n\n<live-pusher${lines}></live-pusher>`;
}

/** The context calls, as an app would write them (the last dozen, or a start/stop example). */
export function contextSnippet(elementId: string, calls: readonly MethodCall[]): string {
  const shown = calls.length ? calls.slice(-12) : [{ name: 'start', args: undefined }];
  const lines = shown.map((c) => `await context.${c.name}(${c.args === undefined ? '' : JSON.stringify(c.args)});`);
  return [
    `import { createLivePusherContext } from 'live-pusher';`,
    ``,
    `const pusher = document.getElementById('${elementId}');`,
    `pusher.addEventListener('statechange', (e) => console.log(e.detail.code, e.detail.message));`,
    `pusher.addEventListener('netstatus', (e) => console.log(e.detail.info));`,
    ``,
    `const context = createLivePusherContext('${elementId}');`,
    `// each method also takes { success, fail, complete }, as in the mini-program`,
    ...lines,
  ].join('\n');
}

/** Two snippet boxes in `root`, each with a copy button; `render` refreshes both. */
export function createSnippets(root: HTMLElement): { render(markup: string, code: string): void } {
  const box = (title: string, id: string) => {
    const wrap = document.createElement('div');
    wrap.className = 'snippet';
    const h = document.createElement('h3');
    h.id = `${id}-title`;
    h.textContent = title;
    const pre = document.createElement('pre');
    pre.id = id;
    pre.tabIndex = 0;
    pre.setAttribute('aria-labelledby', h.id);
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.textContent = 'copy';
    copy.setAttribute('aria-label', `copy the ${title}`);
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent ?? '');
        copy.textContent = 'copied';
      } catch {
        getSelection()?.selectAllChildren(pre);
        copy.textContent = 'selected: press Ctrl-C';
      }
      setTimeout(() => (copy.textContent = 'copy'), 1500);
    });
    wrap.append(h, pre, copy);
    root.append(wrap);
    return pre;
  };
  const markup = box('markup', 'snippet-markup');
  const code = box('createLivePusherContext', 'snippet-context');
  return {
    render(m, c) {
      markup.textContent = m;
      code.textContent = c;
    },
  };
}
