import { createParser } from './parser';
import { parseRetryAfter } from './backoff';
import type { FailureType, ParsedEvent } from './types';

/** Options of {@link FetchEventSource}, beyond the `EventSource` ones. */
export interface FetchEventSourceInit {
  /** Send cookies cross-origin (`credentials: 'include'`). Default `false`. */
  withCredentials?: boolean;
  /** Extra request headers, such as `Authorization`. */
  headers?: Record<string, string>;
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch;
  /**
   * Reconnect by itself after a dropped stream, as `EventSource` does.
   * Default `true`; `false` leaves reconnection to the caller.
   */
  reconnect?: boolean;
  /** Last event id to resume from on the first request (sent as `Last-Event-ID`). */
  lastEventId?: string;
  /** ms without any byte (comments count) before the stream counts as dead; `0` (default) disables. */
  heartbeatTimeout?: number;
  /** Receives every event, whatever its type, before it is dispatched (EventSource can only listen by type). */
  onEvent?: (event: ParsedEvent) => void;
  /** Receives the server's `retry:` reconnection time in ms. */
  onRetry?: (ms: number) => void;
}

/**
 * The `error` event of {@link FetchEventSource}: an `Event` with why it failed.
 * `EventSource` tells nothing; this transport can.
 */
export interface FetchEventSourceError extends Event {
  /** What failed. */
  reason: FailureType;
  /** The response's HTTP status for `http-status` and `content-type`, else 0. */
  status: number;
  /** The server's `Retry-After` in ms, else 0. */
  retryAfter: number;
  /** The underlying error, for `network`. */
  cause?: unknown;
}

type Listener = ((event: any) => void) | { handleEvent(event: any): void };

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/**
 * Reports an exception thrown by a listener the way the platform reports one
 * from an `EventTarget` listener (`reportError`: the page's `error` event and
 * console), without unwinding our stack; Node has no `reportError`.
 * @internal
 */
export const report = (error: unknown) => (globalThis.reportError || console.error)(error);

/** UTF-8 bytes of `id` as a ByteString, which is how browsers send a non-ASCII `Last-Event-ID`. */
const toByteString = (id: string) => String.fromCharCode(...new TextEncoder().encode(id));

/**
 * An `EventSource`-compatible client over `fetch` (WHATWG HTML "server-sent
 * events"): the same `readyState`, events and reconnection, plus request
 * headers, the HTTP status and `Retry-After` of a failure, and a heartbeat
 * watchdog. Works in browsers and in Node ≥ 18.
 *
 * Listeners are kept here rather than on `EventTarget`, so `onmessage` and
 * friends fire exactly once in every runtime (some DOM shims call `on*`
 * handlers from `dispatchEvent` themselves).
 */
export class FetchEventSource {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSED = CLOSED;

  readonly url: string;
  readonly withCredentials: boolean;
  readyState: number = CONNECTING;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: FetchEventSourceError) => void) | null = null;

  #init: FetchEventSourceInit;
  #listeners = new Map<string, Set<Listener>>();
  #abort?: AbortController;
  #timer?: ReturnType<typeof setTimeout>;
  #watchdog?: ReturnType<typeof setTimeout>;
  #lastEventId: string;
  /** Reconnection time in ms; a `retry:` field changes it. */
  #retry = 3000;

  constructor(url: string | URL, init: FetchEventSourceInit = {}) {
    this.url = new URL(url, (globalThis as any).location?.href).href;
    this.withCredentials = !!init.withCredentials;
    this.#init = init;
    this.#lastEventId = init.lastEventId ?? '';
    this.#connect();
  }

  addEventListener(type: string, listener: Listener | null) {
    if (!listener) return;
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener | null) {
    if (listener) this.#listeners.get(type)?.delete(listener);
  }

  dispatchEvent(event: Event): boolean {
    const handler = (this as any)['on' + event.type];
    if (typeof handler === 'function') this.#call(handler, event);
    for (const listener of [...(this.#listeners.get(event.type) ?? [])]) this.#call(listener, event);
    return !event.defaultPrevented;
  }

  /** Closes the stream for good: aborts the request, clears every timer. */
  close() {
    this.readyState = CLOSED;
    this.#stop();
  }

  #call(listener: Listener, event: Event) {
    // A listener that throws must not break the stream, nor other listeners.
    try {
      typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
    } catch (error) {
      report(error);
    }
  }

  #stop() {
    clearTimeout(this.#timer);
    clearTimeout(this.#watchdog);
    this.#abort?.abort();
    this.#abort = undefined;
  }

  #fail(reason: FailureType, status = 0, retryAfter = 0, cause?: unknown) {
    this.#stop();
    // WHATWG: an HTTP or content-type failure "fails the connection" (CLOSED,
    // no reconnect); a dropped stream "reestablishes" it after a delay.
    const reestablish = this.#init.reconnect !== false && (reason === 'network' || reason === 'heartbeat');
    this.readyState = reestablish ? CONNECTING : CLOSED;
    const event = Object.assign(new Event('error'), { reason, status, retryAfter, cause });
    this.dispatchEvent(event);
    if (reestablish && this.readyState === CONNECTING) {
      this.#timer = setTimeout(() => this.#connect(), this.#retry);
    }
  }

  #feedWatchdog() {
    const timeout = this.#init.heartbeatTimeout;
    if (!timeout) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => this.#fail('heartbeat'), timeout);
  }

  async #connect() {
    const abort = (this.#abort = new AbortController());
    const headers: Record<string, string> = { accept: 'text/event-stream', ...this.#init.headers };
    if (this.#lastEventId) headers['last-event-id'] = toByteString(this.#lastEventId);
    const parser = createParser({
      onEvent: (event) => {
        this.#lastEventId = event.lastEventId;
        if (this.readyState !== OPEN) return;
        this.#init.onEvent?.(event);
        const { type, data, lastEventId } = event;
        if (this.#listeners.has(type) || (type === 'message' && this.onmessage)) {
          this.dispatchEvent(new MessageEvent(type, { data, lastEventId, origin: new URL(this.url).origin }));
        }
      },
      onRetry: (ms) => {
        this.#retry = ms;
        this.#init.onRetry?.(ms);
      },
    });
    // The last event id outlives the stream (as in browsers, whose parser
    // starts from it): an id-less event after a reconnect keeps the id rather
    // than clearing it. Fed as an `id:` line ahead of the body, after the one
    // BOM the parser strips, so BOM handling stays the parser's.
    let prefix = this.#lastEventId && 'id: ' + this.#lastEventId + '\n';
    let response: Response;
    try {
      this.#feedWatchdog();
      response = await (this.#init.fetch ?? fetch)(this.url, {
        headers,
        credentials: this.withCredentials ? 'include' : 'same-origin',
        cache: 'no-store',
        signal: abort.signal,
      });
    } catch (error) {
      if (!abort.signal.aborted) this.#fail('network', 0, 0, error);
      return;
    }
    const body = response.body;
    const cancel = () => body?.cancel().catch(() => {});
    if (abort.signal.aborted) return void cancel();
    const status = response.status;
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    if (status !== 200 || !body) {
      cancel();
      return this.#fail('http-status', status, retryAfter);
    }
    if (!/^text\/event-stream\s*(;|$)/i.test(response.headers.get('content-type') ?? '')) {
      cancel();
      return this.#fail('content-type', status, retryAfter);
    }
    const reader = body.getReader();
    abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
    this.readyState = OPEN;
    this.dispatchEvent(new Event('open'));
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    try {
      // Every exit of this loop is a close() (aborted) or a failure.
      while (this.readyState === OPEN) {
        this.#feedWatchdog();
        const { done, value } = await reader.read();
        if (abort.signal.aborted) return;
        if (done) return this.#fail('network');
        let text = decoder.decode(value, { stream: true });
        if (prefix && text) {
          text = text.replace(/^\uFEFF?/, (bom) => bom + prefix);
          prefix = '';
        }
        parser.feed(text);
      }
    } catch (error) {
      if (!abort.signal.aborted) this.#fail('network', 0, 0, error);
    }
  }
}
