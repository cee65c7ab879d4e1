/**
 * `<live-pusher>`: the mini-program component as a custom element (spec §1, §5). Attributes and
 * properties follow the schema of core/attributes.ts; changes are batched into one microtask
 * (the lit convention) and handed to the push session, which does the work and reports codes.
 */
import {
  ATTRIBUTE_NAMES,
  ATTRIBUTE_SCHEMA,
  DEFAULT_ATTRIBUTES,
  coerceProperty,
  effectiveCustomEffects,
  effectiveLocalMirror,
  effectiveMicEnabled,
  effectiveRemoteMirror,
  facingMode,
  parseAttribute,
  validatePushUrl,
  type AttributeWarning,
  type CustomEffectSettings,
  type PusherAttributes,
  type PusherProperty,
} from '../core/attributes.js';
import { StatusCode, describeStatus } from '../core/codes.js';
import { PUSHER_EVENTS, type PusherEventName } from '../core/events.js';
import { resolveAudioSettings, resolveVideoSettings } from '../core/modes.js';
import type { NetStatusInfo } from '../core/netstatus.js';
import { TunnelTransport } from '../transport/tunnel.js';
import { PusherSession, type PusherState, type SessionSettings } from './pusher-session.js';
import type { ViewGeometry } from './effects/view-snapshot.js';

export { PUSHER_EVENTS, type PusherEventName };

const STYLE = `
:host { display: block; position: relative; width: 100%; aspect-ratio: 9 / 16; background: #000; overflow: hidden; contain: content; }
:host([hidden]) { display: none; }
video { width: 100%; height: 100%; object-fit: cover; display: block; }
video.mirrored { transform: scaleX(-1); }
`;

export class LivePusherElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return [...ATTRIBUTE_NAMES];
  }

  private readonly attrs: PusherAttributes = { ...DEFAULT_ATTRIBUTES } as PusherAttributes;
  /** Properties set explicitly (attribute or property): they win over mode presets (spec §2). */
  private readonly explicit = new Set<PusherProperty>();
  private readonly warned = new Set<string>();
  private readonly video: HTMLVideoElement;
  private session: PusherSession | undefined;
  private updatePending: Promise<void> | undefined;
  private readonly handlerProps = new Map<string, EventListener>();
  private connected = false;
  private autopushed = false;
  /** custom-effect as last handed to the session, and as fixed while pushing (spec §1). */
  private customGiven: CustomEffectSettings | undefined;
  private customFixed: CustomEffectSettings | undefined;

  /**
   * Web extension: where the camera and microphone come from, in place of
   * `navigator.mediaDevices.getUserMedia` (a canvas, a file, a test signal). Read each time the
   * element opens its devices; undefined means the browser's devices.
   */
  captureSource: ((constraints: MediaStreamConstraints) => Promise<MediaStream>) | undefined;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.video = document.createElement('video');
    this.video.muted = true; // the preview never plays the microphone back
    this.video.playsInline = true;
    this.video.autoplay = true;
    this.video.setAttribute('part', 'preview');
    this.video.addEventListener('enterpictureinpicture', () => this.emit('enterpictureinpicture', {}));
    this.video.addEventListener('leavepictureinpicture', () => this.emit('leavepictureinpicture', {}));
    root.append(style, this.video);
  }

  /**
   * @internal The preview's box in device pixels and whether it flips the pushed picture (local
   * mirror ≠ remote mirror), for snapshot `view`; undefined when the element is not laid out.
   */
  viewGeometry(): ViewGeometry | undefined {
    const box = this.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.round(box.width * dpr);
    const height = Math.round(box.height * dpr);
    if (width < 2 || height < 2) return undefined;
    return { width, height, flip: this.previewFlipped() };
  }

  /**
   * Whether the preview flips the picture it gets: that picture is the pushed one, already
   * mirrored when `remote-mirror` is on, and the preview is mirrored as `local-mirror` says
   * (spec §1: local-mirror is the preview only, remote-mirror what viewers see).
   */
  private previewFlipped(): boolean {
    return effectiveLocalMirror(this.attrs) !== effectiveRemoteMirror(this.attrs);
  }

  /**
   * A hidden page pushes the waiting image with the sound muted (spec §1 waiting-image), and with
   * a `picture-in-picture-mode` the preview moves into the browser's picture-in-picture window.
   */
  private readonly onVisibility = (): void => {
    const hidden = document.visibilityState === 'hidden';
    this.session?.setHidden(hidden);
    if (hidden && this.attrs.pictureInPictureMode.length > 0 && this.session?.state === 'pushing') this.enterPictureInPicture();
  };

  /** Browsers may refuse picture-in-picture without a user gesture: that is a warning, not an error. */
  private enterPictureInPicture(): void {
    if (!document.pictureInPictureEnabled || document.pictureInPictureElement) return;
    this.video.requestPictureInPicture().catch((e: unknown) => this.warnOnce(`picture-in-picture refused by the browser: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** @internal exitPictureInPicture (spec §3). */
  async exitPictureInPicture(): Promise<void> {
    if (document.pictureInPictureElement !== this.video && document.pictureInPictureElement !== this) throw new Error('the preview is not in picture-in-picture');
    await document.exitPictureInPicture();
  }

  /** Resolves once pending attribute/property changes have been applied (lit's updateComplete). */
  get updateComplete(): Promise<void> {
    return this.updatePending ?? Promise.resolve();
  }

  /** `idle`, `previewing`, `connecting`, `pushing`, `paused`, `reconnecting` or `stopped` (spec §5). */
  get state(): PusherState {
    return this.session?.state ?? 'idle';
  }

  connectedCallback(): void {
    this.connected = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.reflectState(this.state);
    this.requestUpdate();
  }

  disconnectedCallback(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.connected = false;
    this.autopushed = false;
    void this.session?.stop();
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    const parsed = parseAttribute(name, value);
    if (!parsed) return;
    if (value === null) this.explicit.delete(parsed.property);
    this.store(parsed.property, parsed.value, parsed.warning, value !== null);
  }

  /** @internal The session, created on first use (the context methods run through it). */
  pushSession(): PusherSession {
    this.session ??= new PusherSession(this.settings(), {
      createTransport: () => new TunnelTransport({ gateway: this.gatewayUrl() }),
      captureSource: () => this.captureSource,
      sink: {
        status: (code, message) => this.emit('statechange', { code, message }),
        error: (code, message) => this.emit('error', { errCode: code, errMsg: message }),
        netStatus: (info: NetStatusInfo) => this.emit('netstatus', { info }),
        state: (state) => this.reflectState(state),
        preview: (stream) => {
          this.video.srcObject = stream ?? null;
          if (stream) void this.video.play().catch(() => undefined);
        },
        volume: (volume) => {
          if (this.volumeListeners.size > 0) this.emit('audiovolumenotify', { volume });
        },
        bgm: (event, detail) => this.emit(event, detail),
        warn: (message) => this.warnOnce(message),
      },
    });
    return this.session;
  }

  /**
   * Starts the push after checking the url (spec §3 start). A bad url is reported as statechange
   * and error 3002 with a message that says what is wrong, and rejects.
   */
  async startPush(): Promise<void> {
    await this.updateComplete;
    const check = validatePushUrl(this.attrs.url);
    if (!check.ok) {
      this.emit('statechange', { code: check.error.code, message: check.error.message });
      this.emit('error', { errCode: check.error.code, errMsg: check.error.message });
      throw check.error;
    }
    await this.pushSession().start();
  }

  /** The settings the session works from, resolved from the attributes (spec §1, §2). */
  private settings(): SessionSettings {
    const video = resolveVideoSettings(this.attrs, this.explicit);
    for (const message of video.warnings) this.warnOnce(message);
    return {
      url: this.attrs.url,
      video,
      audio: resolveAudioSettings(this.attrs),
      camera: this.attrs.enableCamera,
      mic: effectiveMicEnabled(this.attrs),
      facingMode: facingMode(this.attrs),
      remoteMirror: effectiveRemoteMirror(this.attrs),
      picture: { beauty: this.attrs.beauty, whiteness: this.attrs.whiteness, beautyStyle: this.attrs.beautyStyle, filter: this.attrs.filter, custom: this.customEffects() },
      sound: { reverbType: this.attrs.audioReverbType, voiceChangerType: this.attrs.voiceChangerType },
      waitingImage: { url: this.attrs.waitingImage, hash: this.attrs.waitingImageHash },
      customRender: this.attrs.enableVideoCustomRender,
    };
  }

  /**
   * custom-effect and its four settings (spec §1: "fixed once the pusher started"): while a push
   * runs, the values it started with stay; a change is said once and applies at the next push.
   */
  private customEffects(): CustomEffectSettings {
    const wanted = effectiveCustomEffects(this.attrs);
    if (!this.customFixed) return (this.customGiven = wanted);
    if ((Object.keys(wanted) as (keyof CustomEffectSettings)[]).some((k) => wanted[k] !== this.customFixed![k])) {
      this.warnOnce('custom-effect, skin-whiteness, skin-smoothness, face-thinness and eye-bigness are fixed once the pusher started: the change applies at the next push');
    }
    return this.customFixed;
  }

  /** `gateway`, or `/tunnel` on the page's own origin with ws/wss to match the page (spec §5). */
  private gatewayUrl(): string {
    const base = new URL(this.attrs.gateway || '/tunnel', location.href);
    if (base.protocol === 'http:') base.protocol = 'ws:';
    else if (base.protocol === 'https:') base.protocol = 'wss:';
    return base.href;
  }

  /**
   * @internal Stores a typed value, warns once for a bad one, and schedules the update. A value
   * set by the app (`explicit`) wins over the mode preset (spec §2).
   */
  store<P extends PusherProperty>(property: P, value: PusherAttributes[P], warning?: AttributeWarning, explicit = false): void {
    if (explicit) this.explicit.add(property);
    if (warning) this.warnOnce(warning.message);
    const before = this.attrs[property];
    this.attrs[property] = value;
    if (before === value) return;
    if (property === 'enableMic') this.emit('statechange', { code: StatusCode.MicEnabledChanged, message: `${describeStatus(StatusCode.MicEnabledChanged)}: ${value}` });
    if (property === 'muted') this.emit('statechange', { code: StatusCode.MutedChanged, message: `${describeStatus(StatusCode.MutedChanged)}: ${value}` });
    this.requestUpdate();
  }

  /** @internal Current value of a property. */
  read<P extends PusherProperty>(property: P): PusherAttributes[P] {
    return this.attrs[property];
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    console.warn(`<live-pusher>: ${message}`);
  }

  private requestUpdate(): void {
    if (this.updatePending) return;
    this.updatePending = Promise.resolve().then(() => {
      this.updatePending = undefined;
      this.update();
    });
  }

  /** Applies the batched changes: preview mirroring, the running session, autopush. */
  private update(): void {
    this.video.classList.toggle('mirrored', this.previewFlipped());
    this.session?.update(this.settings());
    if (this.connected && this.attrs.autopush && this.attrs.url && !this.autopushed) {
      this.autopushed = true;
      this.startPush().catch(() => undefined); // reported through statechange and error
    }
  }

  private reflectState(state: PusherState): void {
    const pushing = state === 'connecting' || state === 'pushing' || state === 'paused' || state === 'reconnecting';
    this.customFixed = pushing ? (this.customFixed ?? this.customGiven) : undefined;
    if (this.getAttribute('state') !== state) this.setAttribute('state', state);
  }

  /**
   * Listeners of audiovolumenotify (the `onaudiovolumenotify` property adds one too): the level is
   * reported only while someone listens (spec §1), so an app that does not care pays no events.
   */
  private readonly volumeListeners = new Set<EventListenerOrEventListenerObject>();

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    if (type === 'audiovolumenotify' && listener) this.volumeListeners.add(listener);
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void {
    if (type === 'audiovolumenotify' && listener) this.volumeListeners.delete(listener);
    super.removeEventListener(type, listener, options);
  }

  /** @internal Dispatches a spec event; `on<name>` properties are listeners too. */
  emit(name: PusherEventName, detail: object): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  /** @internal The `on<event>` property handler, kept as an ordinary listener. */
  setHandler(name: PusherEventName, handler: unknown): void {
    const old = this.handlerProps.get(name);
    if (old) this.removeEventListener(name, old);
    this.handlerProps.delete(name);
    if (typeof handler === 'function') {
      const listener = handler as EventListener;
      this.handlerProps.set(name, listener);
      this.addEventListener(name, listener);
    }
  }

  /** @internal */
  getHandler(name: PusherEventName): EventListener | null {
    return this.handlerProps.get(name) ?? null;
  }
}

// Properties for every attribute (camelCase, spec §1) and every `on<event>`, defined from the
// schema so that none is forgotten and none is written twice.
for (const property of Object.keys(ATTRIBUTE_SCHEMA) as PusherProperty[]) {
  Object.defineProperty(LivePusherElement.prototype, property, {
    configurable: true,
    enumerable: true,
    get(this: LivePusherElement) {
      return this.read(property);
    },
    set(this: LivePusherElement, value: unknown) {
      const { value: coerced, warning } = coerceProperty(property, value);
      this.store(property, coerced, warning, true);
    },
  });
}
for (const name of PUSHER_EVENTS) {
  Object.defineProperty(LivePusherElement.prototype, `on${name}`, {
    configurable: true,
    enumerable: true,
    get(this: LivePusherElement) {
      return this.getHandler(name);
    },
    set(this: LivePusherElement, handler: unknown) {
      this.setHandler(name, handler);
    },
  });
}

// The schema's properties, as the loops above define them.
export interface LivePusherElement extends PusherAttributes {}

/** Registers `<live-pusher>` once (a second import of the bundle must not throw). */
export function defineLivePusher(name = 'live-pusher'): void {
  if (!customElements.get(name)) customElements.define(name, LivePusherElement);
}
