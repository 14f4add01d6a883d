import { createParser } from './parser';
import { parseRetryAfter } from './backoff';
import type { FailureType, ParsedEvent } from './types';
import { call, emit, listen, resolve, type Listeners } from './emitter';

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

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

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

  #listeners: Listeners = new Map();
  /** Aborts the request and clears every timer. */
  #stop!: () => void;

  constructor(url: string | URL, init: FetchEventSourceInit = {}) {
    // The connection's own state lives in this closure: its variables minify, private fields do not.
    const es = this;
    const origin = new URL((this.url = resolve(url))).origin;
    this.withCredentials = !!init.withCredentials;
    let abort: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let lastEventId = init.lastEventId ?? '';
    /** Reconnection time in ms; a `retry:` field changes it. */
    let retry = 3000;

    const stop = (es.#stop = () => {
      clearTimeout(timer);
      clearTimeout(watchdog);
      abort?.abort();
      abort = undefined;
    });

    const fail = (reason: FailureType, status = 0, retryAfter = 0, cause?: unknown) => {
      stop();
      // WHATWG: an HTTP or content-type failure "fails the connection" (CLOSED,
      // no reconnect); a dropped stream "reestablishes" it after a delay.
      const reestablish = init.reconnect !== false && (reason == 'network' || reason == 'heartbeat');
      es.readyState = reestablish ? CONNECTING : CLOSED;
      es.dispatchEvent(Object.assign(new Event('error'), { reason, status, retryAfter, cause }));
      if (reestablish && es.readyState == CONNECTING) timer = setTimeout(connect, retry);
    };

    const feedWatchdog = () => {
      const timeout = init.heartbeatTimeout;
      if (timeout) {
        clearTimeout(watchdog);
        // Past 2^31-1 ms setTimeout fires at once.
        watchdog = setTimeout(fail, Math.min(timeout, 2 ** 31 - 1), 'heartbeat');
      }
    };

    const connect = async () => {
      const signal = (abort = new AbortController()).signal;
      const headers: Record<string, string> = { accept: 'text/event-stream', ...init.headers };
      if (lastEventId) headers['last-event-id'] = toByteString(lastEventId);
      const parser = createParser({
        onEvent(event) {
          lastEventId = event.lastEventId;
          if (es.readyState != OPEN) return;
          init.onEvent?.(event);
          const { type, data } = event;
          if (es.#listeners.has(type) || (type == 'message' && es.onmessage)) {
            es.dispatchEvent(new MessageEvent(type, { data, lastEventId, origin }));
          }
        },
        onRetry(ms) {
          retry = ms;
          init.onRetry?.(ms);
        },
      });
      // The last event id outlives the stream (as in browsers, whose parser
      // starts from it): an id-less event after a reconnect keeps the id rather
      // than clearing it. Fed as an `id:` line ahead of the body, after the one
      // BOM the parser strips, so BOM handling stays the parser's; the blank
      // line ends that block, so the first event does not take the id as its own.
      let prefix = lastEventId && 'id: ' + lastEventId + '\n\n';
      let response: Response;
      try {
        feedWatchdog();
        response = await (init.fetch ?? fetch)(es.url, {
          headers,
          credentials: es.withCredentials ? 'include' : 'same-origin',
          cache: 'no-store',
          signal,
        });
      } catch (error) {
        if (!signal.aborted) fail('network', 0, 0, error);
        return;
      }
      const { body, status } = response;
      const header = (name: string) => response.headers.get(name);
      const cancel = () => body?.cancel().catch(() => {});
      if (signal.aborted) return void cancel();
      const retryAfter = parseRetryAfter(header('retry-after'));
      const failure = status != 200 || !body ? 'http-status' : /^text\/event-stream\s*(;|$)/i.test(header('content-type') ?? '') ? '' : 'content-type';
      if (failure) {
        cancel();
        return fail(failure, status, retryAfter);
      }
      const reader = body!.getReader();
      signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
      es.readyState = OPEN;
      es.dispatchEvent(new Event('open'));
      const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      try {
        // Every exit of this loop is a close() (aborted) or a failure.
        while (es.readyState == OPEN) {
          feedWatchdog();
          const { done, value } = await reader.read();
          if (signal.aborted) return;
          if (done) return fail('network');
          let text = decoder.decode(value, { stream: true });
          if (prefix && text) {
            text = text.replace(/^\uFEFF?/, (bom) => bom + prefix);
            prefix = '';
          }
          parser.feed(text);
        }
      } catch (error) {
        if (!signal.aborted) fail('network', 0, 0, error);
      }
    };
    connect();
  }

  addEventListener(type: string, listener: Listener | null) {
    if (listener) listen(this.#listeners, type, listener);
  }

  removeEventListener(type: string, listener: Listener | null) {
    this.#listeners.get(type)?.delete(listener);
  }

  dispatchEvent(event: Event): boolean {
    const handler = (this as any)['on' + event.type];
    if (typeof handler == 'function') call(handler, event, this);
    emit(this.#listeners, event.type, event, this);
    return !event.defaultPrevented;
  }

  /** Closes the stream for good: aborts the request, clears every timer. */
  close() {
    this.readyState = CLOSED;
    this.#stop();
  }
}

type Listener = ((event: any) => void) | { handleEvent(event: any): void };
