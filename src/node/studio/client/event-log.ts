/**
 * The event log: statechange, error, netstatus (optional, it is once a second), background-music
 * and picture-in-picture events of the element, each status code with its meaning (spec §4).
 */
import type { NetStatusInfo } from '../../../core/netstatus.js';

/** Events the log listens to; audiovolumenotify is too frequent to list (the level shows elsewhere). */
const LOGGED = ['statechange', 'error', 'netstatus', 'bgmstart', 'bgmprogress', 'bgmcomplete', 'enterpictureinpicture', 'leavepictureinpicture'] as const;

/** Codes that are bad news (spec §4): errors and the slow-uplink warning. */
const isWarning = (code: number) => code === 1101 || code === 1102 || code === 5001 || code === 4998 || code === 4999;

export interface EventLog {
  /** A line of the page's own (method results, source switches). */
  note(kind: string, text: string, level?: 'error' | 'warn'): void;
}

export function createEventLog(list: HTMLOListElement, element: HTMLElement, describe: (code: number) => string | undefined, options: { showNetStatus: HTMLInputElement; clear: HTMLButtonElement }): EventLog {
  const write = (kind: string, code: string, text: string, level?: string) => {
    const li = document.createElement('li');
    if (level) li.className = level;
    const parts: Array<[string, string]> = [['t', new Date().toLocaleTimeString()], ['k', kind], ['c', code], ['m', text]];
    for (const [cls, value] of parts) {
      if (!value) continue;
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = value;
      li.append(span);
    }
    const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.append(li);
    while (list.children.length > 500) list.firstElementChild!.remove();
    if (atEnd) list.scrollTop = list.scrollHeight;
  };
  const meaning = (code: number, message: string) => {
    const known = describe(code);
    return known && !message.startsWith(known) ? `${known} — ${message}` : message || known || '';
  };
  for (const type of LOGGED) {
    element.addEventListener(type, (event) => {
      const detail = (event as CustomEvent).detail ?? {};
      switch (type) {
        case 'statechange':
          write(type, String(detail.code), meaning(detail.code, detail.message ?? ''), detail.code < 0 || detail.code >= 3000 && detail.code < 4000 || detail.code >= 10000 ? 'error' : isWarning(detail.code) ? 'warn' : undefined);
          break;
        case 'error':
          write(type, String(detail.errCode), meaning(detail.errCode, detail.errMsg ?? ''), 'error');
          break;
        case 'netstatus': {
          if (!options.showNetStatus.checked) break;
          const i = detail.info as NetStatusInfo;
          write(type, '', `${i.videoWidth}×${i.videoHeight} ${i.videoFPS} fps · video ${i.videoBitrate} + audio ${i.audioBitrate} kbps · sent ${i.netSpeed} kbps · cache ${i.videoCache}/${i.audioCache} · quality ${i.netQualityLevel}`);
          break;
        }
        case 'bgmprogress':
          write(type, '', `${detail.progress} / ${detail.duration} s`);
          break;
        default:
          write(type, '', '');
      }
    });
  }
  options.clear.addEventListener('click', () => list.replaceChildren());
  return { note: (kind, text, level) => write(kind, '', text, level) };
}
