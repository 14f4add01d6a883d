import { createSharedConnection, type SharedConnection } from '../share/shared-connection';
import { createSubscriptions, type Subscriptions } from '../sse/subscriptions';
import type { ConnectionState, FailedReason, FailureType } from '../sse/types';
import { createNotificationStore, type Toast } from '../store/notifications';
import { normalize, parseData, type ToastInput } from '../store/normalize';
import { toNotification } from '../store/ingest';
import {
  notificationPermission,
  requestNotificationPermission,
  showOsNotification,
} from '../notify/browser-notifications';
import { createToaster, type Toaster } from '../ui/toaster';
import { attachStyledShadow } from '../ui/shadow';
import { stringsFor, type Strings } from '../ui/strings';
import { ATTRIBUTES, kebab, PROPS, readAttribute, readConfig, type ElementConfig } from './attributes';

/** Detail types of the element's DOM events (SPEC §3). */
export interface SSENotifyEventMap {
  'sse-open': CustomEvent<{ url: string }>;
  'sse-event': CustomEvent<{ type: string; data: unknown; lastEventId: string }>;
  'sse-notification': CustomEvent<{ notification: ToastInput & { id: string } }>;
  'sse-retry': CustomEvent<{ attempt: number; delay: number }>;
  /** `type` says what failed last: `http-status`, `network`, `content-type`, `heartbeat`, … */
  'sse-failed': CustomEvent<{ attempts: number; reason: FailedReason; status?: number; type: FailureType }>;
  'sse-state': CustomEvent<{ state: ConnectionState }>;
}

/** The `<sse-notify>` element's own API, beyond `HTMLElement`. */
export interface SSENotifyElement extends HTMLElement, Omit<ElementConfig, 'maxRetries'> {
  /** `infinite` reads back as `Infinity`. */
  maxRetries: number;
  /** Reflected, read-only connection state. */
  readonly state: ConnectionState;
  /** Called before every connect; wins over `token`. */
  tokenProvider: (() => string | null | undefined | Promise<string | null | undefined>) | null;
  /** Overrides any of the widget's own words. */
  strings: Partial<Strings> | null;
  connect(): void;
  disconnect(): void;
  /** Shows a toast; returns its id. */
  toast(input: ToastInput | string): string | undefined;
  dismiss(id: string): void;
  clear(): void;
  /** Asks for OS notification permission: call it from a user gesture. */
  requestPermission(): Promise<NotificationPermission>;
  addEventListener<K extends keyof SSENotifyEventMap>(type: K, listener: (this: SSENotifyElement, ev: SSENotifyEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SSENotifyEventMap>(type: K, listener: (this: SSENotifyElement, ev: SSENotifyEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/**
 * Builds the element class. A factory, not a module-level class, so that
 * importing the package never touches `HTMLElement` (SSR, Node).
 *
 * @tag sse-notify
 * @summary Live notifications from a Server-Sent Events endpoint: toasts, OS notifications, resilient reconnects.
 *
 * @attr src - SSE endpoint URL. Without it the element stays `idle`.
 * @attr channels - Channel names, separated by spaces or commas.
 * @attr channel-param - Query parameter repeated per channel (default `channel`; `topic` for Mercure).
 * @attr subscribe-url - Join channels by the subscribe protocol instead of the query.
 * @attr unsubscribe-url - Where removed channels are POSTed (default derived from `subscribe-url`).
 * @attr events - SSE event types shown to the user (default `notification message progress`).
 * @attr transport - `fetch` (default) or `eventsource`.
 * @attr token - Auth token: `Authorization: Bearer` (fetch) or the `token-param` query parameter (eventsource).
 * @attr token-param - Name of the token query parameter (default `token`).
 * @attr with-credentials - Send cookies cross-origin.
 * @attr last-event-id-param - Query parameter carrying the last id with `eventsource` (default `lastEventId`).
 * @attr max-retries - Reconnect attempts before giving up (default 8; `infinite`).
 * @attr retry-delay - Base backoff in ms (default 1000).
 * @attr max-retry-delay - Backoff cap in ms (default 30000).
 * @attr heartbeat-timeout - ms without a byte before reconnecting (default 45000; 0 disables).
 * @attr position - `top-left|top-center|top-right|bottom-left|bottom-center|bottom-right` (default `top-right`).
 * @attr max-toasts - Toasts visible at once (default 5).
 * @attr duration - ms before a toast closes itself (default 5000; 0 keeps it).
 * @attr browser-notifications - `off` (default), `hidden` or `always`.
 * @attr theme - `auto` (default), `light` or `dark`.
 * @attr share - `tabs` (default): one connection per browser; `off`: one per element.
 * @attr state - Reflected, read-only: `idle|connecting|open|reconnecting|failed|closed`.
 *
 * @fires sse-open - `{ url }`: the connection opened.
 * @fires sse-event - `{ type, data, lastEventId }`: every SSE event.
 * @fires sse-notification - `{ notification }`: cancelable; `preventDefault()` suppresses the toast.
 * @fires sse-retry - `{ attempt, delay }`: a reconnect is scheduled.
 * @fires sse-failed - `{ attempts, reason, status?, type }`: gave up; `type` is the last failure's kind.
 * @fires sse-state - `{ state }`: any state change.
 *
 * @csspart stack - The toast container.
 * @csspart toast - One toast.
 * @csspart title - A toast's title.
 * @csspart body - A toast's body.
 * @csspart close - A toast's close button.
 * @csspart progress - A progress toast's bar.
 * @csspart action - A toast's link or button.
 *
 * @cssproperty --sse-notify-bg - Toast background.
 * @cssproperty --sse-notify-fg - Toast text colour.
 * @cssproperty --sse-notify-accent - Links, buttons, focus ring, `info` level.
 * @cssproperty --sse-notify-radius - Toast corner radius.
 * @cssproperty --sse-notify-font - Font family.
 * @cssproperty --sse-notify-info - Colour of `info` toasts.
 * @cssproperty --sse-notify-success - Colour of `success` toasts.
 * @cssproperty --sse-notify-warning - Colour of `warning` toasts.
 * @cssproperty --sse-notify-error - Colour of `error` toasts.
 */
export function createElementClass(): CustomElementConstructor {
  class SSENotify extends HTMLElement {
    static observedAttributes = ATTRIBUTES;
    #w = widget(this);
    get state() {
      return this.#w.state;
    }
    get tokenProvider() {
      return this.#w.tokenProvider;
    }
    set tokenProvider(value) {
      this.#w.tokenProvider = value;
    }
    get strings() {
      return this.#w.strings;
    }
    set strings(value) {
      this.#w.strings = value;
    }
    connectedCallback() {
      this.#w.connectedCallback();
    }
    disconnectedCallback() {
      this.#w.disconnectedCallback();
    }
    attributeChangedCallback(name: string, old: string | null, value: string | null) {
      this.#w.attributeChangedCallback(name, old, value);
    }
    connect() {
      this.#w.connect();
    }
    disconnect() {
      this.#w.disconnect();
    }
    toast(input: ToastInput | string) {
      return this.#w.toast(input);
    }
    dismiss(id: string) {
      this.#w.dismiss(id);
    }
    clear() {
      this.#w.clear();
    }
    requestPermission() {
      return this.#w.requestPermission();
    }
  }

  // camelCase properties mirror the attributes (SPEC §3).
  for (const prop of PROPS) {
    const name = kebab(prop);
    Object.defineProperty(SSENotify.prototype, prop, {
      configurable: true,
      get(this: SSENotify) {
        return readAttribute(this, prop);
      },
      set(this: SSENotify, value: unknown) {
        if (value === false || value == null) this.removeAttribute(name);
        else this.setAttribute(name, value === true ? '' : Array.isArray(value) ? value.join(' ') : String(value));
      },
    });
  }
  return SSENotify;
}

/** What the element class forwards to. */
type Widget = Pick<SSENotifyElement, 'state' | 'tokenProvider' | 'strings' | 'connect' | 'disconnect' | 'toast' | 'dismiss' | 'clear' | 'requestPermission'> & {
  connectedCallback(): void;
  disconnectedCallback(): void;
  attributeChangedCallback(name: string, old: string | null, value: string | null): void;
};

/**
 * One element's behaviour, as a closure: its variables minify, where private
 * fields and properties would not.
 */
function widget(el: HTMLElement): Widget {
  const store = createNotificationStore();
  // Read at every update; nothing uses it before the first (connectedCallback).
  let config: ElementConfig;
  let tokenProvider: SSENotifyElement['tokenProvider'] = null;
  let strings: Partial<Strings> | null = null;
  let connection: SharedConnection | undefined;
  let subscriptions: Subscriptions | undefined;
  let key = '';
  let state: ConnectionState = 'idle';
  let attempt = 0;
  let toaster: Toaster | undefined;
  let scheduled = false;
  let warnedNoSrc = false;

  /** The element never throws from its lifecycle: errors become one console message. */
  const guard = (fn: () => void) => () => {
    try {
      fn();
    } catch (error) {
      console.error('<sse-notify>:', error);
    }
  };

  const emit = (type: keyof SSENotifyEventMap, detail: unknown, cancelable?: boolean) =>
    el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));

  const setState = (next: ConnectionState) => {
    if (next == state) return;
    el.setAttribute('state', (state = next));
    emit('sse-state', { state });
    render();
  };

  const teardown = () => {
    subscriptions?.close();
    connection?.close();
    subscriptions = connection = undefined;
    key = '';
    if (state != 'idle') setState('closed');
  };

  const update = () => {
    const c = (config = readConfig(el));
    // What needs a new connection when it changes: all but the display attributes,
    // and `channels` unless the subscribe protocol follows it with POSTs.
    const next = JSON.stringify({ ...c, position: 0, maxToasts: 0, duration: 0, browserNotifications: 0, theme: 0, channels: !c.subscribeUrl && c.channels });
    if (next == key) subscriptions?.setChannels(c.channels);
    else {
      teardown();
      key = next;
      if (c.src) open(c);
      else if (!warnedNoSrc) {
        warnedNoSrc = true;
        console.warn('<sse-notify>: no src attribute; add src="/your/sse/endpoint" to connect.');
      }
    }
    render();
  };

  const open = (c: ElementConfig) => {
    // The config's names are the connection's options.
    const provider = tokenProvider;
    // The subscribe POSTs carry the token the stream last connected with.
    let token = c.token;
    const shared = (connection = createSharedConnection({
      ...c,
      url: c.src,
      channelsInQuery: !c.subscribeUrl,
      tokenProvider: provider ? async () => (token = (await provider()) || '') : undefined,
    }));
    shared.on('state', ({ state }) => {
      if (state == 'open') attempt = 0;
      setState(state);
    });
    shared.on('open', (detail) => emit('sse-open', detail));
    shared.on('retry', (detail) => {
      emit('sse-retry', { attempt: (attempt = detail.attempt), delay: detail.delay });
      render();
    });
    shared.on('failed', (detail) => emit('sse-failed', detail));
    if (c.subscribeUrl) {
      subscriptions = createSubscriptions(shared, { ...c, headers: (): Record<string, string> => (token ? { authorization: 'Bearer ' + token } : {}) });
    }
    shared.on('*', ({ type, data: raw, lastEventId, id }) => {
      const data = parseData(raw);
      emit('sse-event', { type, data, lastEventId });
      const notification = toNotification(type, data, id, config.events);
      // A repeat (a replay, a relayed copy) is no new notification: no event, no toast.
      const repeat = notification && !notification.taskId && !notification.update && store.has(notification.id);
      // One tab per shared group shows OS notifications: the leader.
      if (notification && !repeat && emit('sse-notification', { notification }, true) && store.add(notification) && !notification.taskId && shared.leader) {
        showOsNotification(notification, config.browserNotifications);
      }
    });
    shared.connect();
  };

  const render = () => {
    if (!toaster || !el.isConnected) return;
    const lang = el.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    toaster.u({
      ...config,
      store,
      strings: stringsFor(lang, strings),
      connection: { state, attempt },
      onRetry: api.connect,
      onEnable: config.browserNotifications != 'off' && notificationPermission() == 'default' ? () => void api.requestPermission() : undefined,
    });
  };

  const api: Widget = {
    get state() {
      return state;
    },
    get tokenProvider() {
      return tokenProvider;
    },
    set tokenProvider(value) {
      tokenProvider = typeof value == 'function' ? value : null;
      // A new provider means new credentials: reconnect with them.
      if (connection) api.connect();
    },
    get strings() {
      return strings;
    },
    set strings(value) {
      strings = value;
      render();
    },
    connectedCallback: guard(() => {
      if (!toaster) {
        // Properties set before the element was defined shadow the prototype's accessors.
        for (const prop of [...PROPS, 'tokenProvider', 'strings']) {
          if (Object.hasOwn(el, prop)) {
            const value = (el as any)[prop];
            delete (el as any)[prop];
            (el as any)[prop] = value;
          }
        }
        toaster = createToaster(attachStyledShadow(el));
      }
      update();
    }),
    disconnectedCallback: guard(() => {
      teardown();
      toaster?.d();
    }),
    attributeChangedCallback(_name, old, value) {
      if (old == value || !el.isConnected || scheduled) return;
      // Coalesce a burst of attribute changes into one update.
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (el.isConnected) safeUpdate();
      });
    },
    connect: guard(() => {
      teardown();
      attempt = 0;
      // Outside the document nothing would ever release the connection: it opens on connectedCallback.
      if (el.isConnected) update();
    }),
    disconnect: guard(teardown),
    toast: (input) => store.add(normalize(input)),
    dismiss: store.dismiss,
    clear: store.clear,
    async requestPermission() {
      const permission = await requestNotificationPermission();
      render();
      return permission;
    },
  };
  const safeUpdate = guard(update);
  return api;
}

export type { Toast };
