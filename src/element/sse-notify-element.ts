import { h, render } from 'preact';
import { createSharedConnection, type SharedConnection } from '../share/shared-connection';
import { createSubscriptions, type Subscriptions } from '../sse/subscriptions';
import type { ConnectionState, FailedReason, FailureType } from '../sse/types';
import { createNotificationStore, type NotificationStore, type Toast } from '../store/notifications';
import { normalize, parseData, type ToastInput } from '../store/normalize';
import { toNotification } from '../store/ingest';
import {
  notificationPermission,
  requestNotificationPermission,
  showOsNotification,
} from '../notify/browser-notifications';
import { Toaster } from '../ui/toaster';
import { attachStyledShadow } from '../ui/shadow';
import { stringsFor, type Strings } from '../ui/strings';
import { ATTRIBUTES, camel, readConfig, type ElementConfig } from './attributes';

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

/** Attributes whose change needs a new connection; the others only re-render. */
const CONNECTION_KEYS: (keyof ElementConfig)[] = [
  'src', 'channelParam', 'subscribeUrl', 'unsubscribeUrl', 'transport', 'token', 'tokenParam', 'withCredentials',
  'lastEventIdParam', 'maxRetries', 'retryDelay', 'maxRetryDelay', 'heartbeatTimeout', 'events', 'share',
];


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
    #tokenProvider: SSENotifyElement['tokenProvider'] = null;
    #strings: Partial<Strings> | null = null;
    #config = readConfig(this);
    #store: NotificationStore = createNotificationStore();
    #connection?: SharedConnection;
    #subscriptions?: Subscriptions;
    #connectionKey = '';
    #state: ConnectionState = 'idle';
    #attempt = 0;
    #root?: ShadowRoot;
    #scheduled = false;
    #warnedNoSrc = false;

    get state() {
      return this.#state;
    }
    get tokenProvider() {
      return this.#tokenProvider;
    }
    set tokenProvider(value) {
      this.#tokenProvider = typeof value === 'function' ? value : null;
      // A new provider means new credentials: reconnect with them.
      if (this.#connection) this.connect();
    }
    get strings() {
      return this.#strings;
    }
    set strings(value) {
      this.#strings = value;
      this.#render();
    }

    connectedCallback() {
      this.#guard(() => {
        if (!this.#root) {
          // Properties set before the element was defined shadow the prototype's accessors.
          for (const prop of [...ATTRIBUTES.map(camel), 'tokenProvider', 'strings']) {
            if (Object.prototype.hasOwnProperty.call(this, prop)) {
              const value = (this as any)[prop];
              delete (this as any)[prop];
              (this as any)[prop] = value;
            }
          }
          this.#root = attachStyledShadow(this);
        }
        this.#update();
      });
    }

    disconnectedCallback() {
      this.#guard(() => {
        this.#teardown();
        if (this.#root) render(null, this.#root);
      });
    }

    attributeChangedCallback(name: string, old: string | null, value: string | null) {
      if (name === 'state' || old === value || !this.isConnected || this.#scheduled) return;
      // Coalesce a burst of attribute changes into one update.
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        if (this.isConnected) this.#guard(() => this.#update());
      });
    }

    connect() {
      this.#guard(() => {
        this.#connectionKey = '';
        this.#teardown();
        this.#update();
      });
    }

    disconnect() {
      this.#guard(() => this.#teardown());
    }

    toast(input: ToastInput | string) {
      return this.#store.add(normalize(input));
    }

    dismiss(id: string) {
      this.#store.dismiss(id);
    }

    clear() {
      this.#store.clear();
    }

    async requestPermission() {
      const permission = await requestNotificationPermission();
      this.#render();
      return permission;
    }

    /** The element never throws from its lifecycle: errors become one console message. */
    #guard(fn: () => void) {
      try {
        fn();
      } catch (error) {
        console.error('<sse-notify>:', error);
      }
    }

    #emit(type: keyof SSENotifyEventMap, detail: unknown, cancelable = false) {
      return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
    }

    #setState(state: ConnectionState) {
      if (state === this.#state) return;
      this.#state = state;
      this.setAttribute('state', state);
      this.#emit('sse-state', { state });
      this.#render();
    }

    #teardown() {
      this.#subscriptions?.close();
      this.#subscriptions = undefined;
      this.#connection?.close();
      this.#connection = undefined;
      this.#connectionKey = '';
      if (this.#state !== 'idle') this.#setState('closed');
    }

    #update() {
      const config = (this.#config = readConfig(this));
      // With the subscribe protocol a channel change is a POST, not a reconnect.
      const keys = config.subscribeUrl ? CONNECTION_KEYS : [...CONNECTION_KEYS, 'channels' as const];
      const key = JSON.stringify(keys.map((k) => config[k]));
      if (key === this.#connectionKey) this.#subscriptions?.setChannels(config.channels);
      else {
        this.#teardown();
        this.#connectionKey = key;
        if (config.src) this.#open(config);
        else if (!this.#warnedNoSrc) {
          this.#warnedNoSrc = true;
          console.warn('<sse-notify>: no src attribute; add src="/your/sse/endpoint" to connect.');
        }
      }
      this.#render();
    }

    #open(config: ElementConfig) {
      const connection = (this.#connection = createSharedConnection({
        url: config.src,
        channels: config.channels,
        channelsInQuery: !config.subscribeUrl,
        channelParam: config.channelParam,
        transport: config.transport,
        token: config.token || undefined,
        tokenProvider: this.#tokenProvider ?? undefined,
        tokenParam: config.tokenParam,
        withCredentials: config.withCredentials,
        lastEventIdParam: config.lastEventIdParam,
        maxRetries: config.maxRetries,
        retryDelay: config.retryDelay,
        maxRetryDelay: config.maxRetryDelay,
        heartbeatTimeout: config.heartbeatTimeout,
        events: config.events,
        share: config.share,
      }));
      connection.on('state', ({ state }) => {
        if (state === 'open') this.#attempt = 0;
        this.#setState(state);
      });
      connection.on('open', (detail) => this.#emit('sse-open', detail));
      connection.on('retry', ({ attempt, delay }) => {
        this.#attempt = attempt;
        this.#emit('sse-retry', { attempt, delay });
        this.#render();
      });
      connection.on('failed', ({ attempts, reason, status, type }) => {
        this.#emit('sse-failed', reason === 'status' ? { attempts, reason, status, type } : { attempts, reason, type });
      });
      if (config.subscribeUrl) {
        this.#subscriptions = createSubscriptions(connection, {
          subscribeUrl: config.subscribeUrl,
          unsubscribeUrl: config.unsubscribeUrl,
          channels: config.channels,
          withCredentials: config.withCredentials,
          headers: (): Record<string, string> => (config.token ? { authorization: 'Bearer ' + config.token } : {}),
        });
      }
      connection.on('*', (event) => this.#onEvent(event.type, event.data, event.lastEventId, event.id));
      connection.connect();
    }

    #onEvent(type: string, raw: string, lastEventId: string, id?: string) {
      const data = parseData(raw);
      this.#emit('sse-event', { type, data, lastEventId });
      const notification = toNotification(type, data, id, this.#config.events);
      if (!notification || !this.#emit('sse-notification', { notification }, true)) return;
      const shown = this.#store.add(notification);
      // One tab per shared group shows OS notifications: the leader.
      if (shown && !notification.taskId && this.#connection?.leader) showOsNotification(notification, this.#config.browserNotifications);
    }

    #render() {
      if (!this.#root || !this.isConnected) return;
      const config = this.#config;
      const lang = this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
      const wantsPermission = config.browserNotifications !== 'off' && notificationPermission() === 'default';
      render(
        h(Toaster, {
          store: this.#store,
          position: config.position,
          maxToasts: config.maxToasts,
          duration: config.duration,
          strings: stringsFor(lang, this.#strings ?? undefined),
          connection: { state: this.#state, attempt: this.#attempt },
          onRetry: () => this.connect(),
          onEnable: wantsPermission ? () => void this.requestPermission() : undefined,
        }),
        this.#root,
      );
    }
  }

  // camelCase properties mirror the attributes (SPEC §3).
  for (const name of ATTRIBUTES) {
    const prop = camel(name);
    Object.defineProperty(SSENotify.prototype, prop, {
      configurable: true,
      get(this: SSENotify) {
        return (readConfig(this) as unknown as Record<string, unknown>)[prop];
      },
      set(this: SSENotify, value: unknown) {
        if (value === false || value == null) this.removeAttribute(name);
        else this.setAttribute(name, value === true ? '' : Array.isArray(value) ? value.join(' ') : String(value));
      },
    });
  }
  return SSENotify;
}

export type { Toast };
