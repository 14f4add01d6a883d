import { backoffDelay, failureAction } from './backoff';
import { FetchEventSource, report, type FetchEventSourceError } from './transport-fetch';
import type { ConnectionState, FailedReason, FailureType, ParsedEvent } from './types';

/** Options of {@link createConnection}: the element's attributes in camelCase. */
export interface ConnectionOptions {
  /** SSE endpoint URL (relative URLs resolve against the page). */
  url: string;
  /** Channels, sent as one query parameter each unless the subscribe protocol is used. Default none. */
  channels?: string[];
  /** Query parameter repeated per channel. Default `channel` (`topic` for Mercure). */
  channelParam?: string;
  /** Do not put channels in the query (the subscribe protocol joins them). Default `false`. */
  channelsInQuery?: boolean;
  /** `fetch` (default): FetchEventSource; `eventsource`: the browser's EventSource. */
  transport?: 'fetch' | 'eventsource';
  /** Auth token: `Authorization: Bearer` with fetch, the `tokenParam` query parameter with eventsource. */
  token?: string;
  /** Called before every connect; wins over `token`. On 401/403 called once more and retried once. */
  tokenProvider?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Query parameter for the token with the eventsource transport. Default `token`. */
  tokenParam?: string;
  /** Extra request headers (fetch transport only). */
  headers?: Record<string, string>;
  /** Send cookies cross-origin. Default `false`. */
  withCredentials?: boolean;
  /** Query parameter carrying the last id on reconnect with eventsource. Default `lastEventId`. */
  lastEventIdParam?: string;
  /** Reconnect attempts after a failure before giving up; `Infinity` never gives up. Default 8. */
  maxRetries?: number;
  /** Base backoff in ms; a server `retry:` replaces it. Default 1000. */
  retryDelay?: number;
  /** Backoff cap in ms. Default 30000. */
  maxRetryDelay?: number;
  /** ms without a byte before the fetch transport reconnects; 0 disables. Default 45000. */
  heartbeatTimeout?: number;
  /**
   * SSE event types to receive with the eventsource transport, which cannot
   * listen to "every type". The fetch transport delivers every type.
   * Default `['message', 'notification', 'progress']`; types passed to `on()` are added.
   */
  events?: string[];
  /** Where the last event id survives a reload. Default `sessionStorage` when present; `null` disables. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** The `fetch` to use (tests, Node). */
  fetch?: typeof fetch;
  /** The `EventSource` class for the eventsource transport. Default the global one. */
  EventSource?: typeof EventSource;
  /** Random source for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** What `on('failed')` receives. */
export interface FailedDetail {
  /** Requests that failed in a row, the `tokenProvider` retry included. */
  attempts: number;
  reason: FailedReason;
  /** The HTTP status for `status`. */
  status?: number;
  /** The last failure's kind. */
  type: FailureType;
}

/** Listener payloads by connection event name; any other name is an SSE event type. */
export interface ConnectionEventMap {
  open: { url: string };
  state: { state: ConnectionState };
  retry: { attempt: number; delay: number; type: FailureType; status: number };
  failed: FailedDetail;
}

/**
 * An SSE event as the connection delivers it. `id` is set only when this
 * event changed the last event id, which is how an event without an `id:`
 * field of its own (the id persists across events) is told apart.
 */
export interface ConnectionEvent extends ParsedEvent {
  id?: string;
}

export type ConnectionListener<K extends string> = (
  detail: K extends keyof ConnectionEventMap ? ConnectionEventMap[K] : ConnectionEvent,
) => void;

/** A live SSE connection that owns its reconnection. */
export interface Connection {
  /** Current state. */
  readonly state: ConnectionState;
  /** Last event id seen (resumes from it). */
  readonly lastEventId: string;
  /** Listens to an SSE type or `open` / `state` / `retry` / `failed`; returns the unbind. `*` receives every SSE event. */
  on<K extends string>(type: K, listener: ConnectionListener<K>): () => void;
  /** Opens (or reopens after `failed` / `closed`), resetting the retry count. */
  connect(): void;
  /** Closes for good until `connect()`: releases every listener on the network, timer and request. */
  close(): void;
}

const STABLE_MS = 10_000;
const CONNECTION_EVENTS = ['open', 'state', 'retry', 'failed'];

const defaultStorage = () => {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // sandboxed iframes throw on access
  }
};

/**
 * Creates a connection: the state machine of SPEC §5–§6 over either
 * transport. Nothing happens until `connect()`.
 */
export function createConnection(options: ConnectionOptions): Connection {
  if (!options || typeof options.url !== 'string') {
    throw new TypeError('createConnection: pass { url: "/api/events" } — the SSE endpoint URL is required.');
  }
  const o = options;
  const listeners = new Map<string, Set<(detail: any) => void>>();
  const storage = o.storage === undefined ? defaultStorage() : o.storage;
  const storageKey = 'sse-notify:last-id:' + o.url;
  let state: ConnectionState = 'idle';
  let lastEventId = '';
  try {
    lastEventId = storage?.getItem(storageKey) ?? '';
  } catch {}
  let source: FetchEventSource | EventSource | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let authRetried = false;
  let serverRetry = 0;
  let generation = 0;
  let waitingOnline = false;

  const emit = (type: string, detail: unknown) => {
    for (const listener of [...(listeners.get(type) ?? [])]) {
      try {
        listener(detail);
      } catch (error) {
        report(error);
      }
    }
  };
  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    emit('state', { state });
  };

  const deliver = (parsed: ParsedEvent) => {
    const event: ConnectionEvent = { ...parsed };
    if (parsed.lastEventId !== lastEventId) {
      event.id = lastEventId = parsed.lastEventId;
      try {
        storage?.setItem(storageKey, lastEventId);
      } catch {}
    }
    failures = 0;
    emit(event.type, event);
    emit('*', event);
  };

  const release = () => {
    generation++;
    clearTimeout(retryTimer);
    clearTimeout(stableTimer);
    retryTimer = undefined;
    if (source) {
      source.onopen = source.onmessage = source.onerror = null;
      source.close();
      source = undefined;
    }
  };

  const buildUrl = (token: string | null | undefined) => {
    const url = new URL(o.url, (globalThis as any).location?.href);
    if (o.channelsInQuery !== false) {
      for (const channel of o.channels ?? []) url.searchParams.append(o.channelParam || 'channel', channel);
    }
    if (o.transport === 'eventsource') {
      if (token) url.searchParams.set(o.tokenParam || 'token', token);
      if (lastEventId) url.searchParams.set(o.lastEventIdParam || 'lastEventId', lastEventId);
    }
    return url.href;
  };

  const open = async () => {
    release();
    const mine = generation;
    setState(failures ? 'reconnecting' : 'connecting');
    let token: string | null | undefined = o.token;
    if (o.tokenProvider) {
      try {
        token = await o.tokenProvider();
      } catch {
        if (mine === generation) fail('network', 0, 0);
        return;
      }
      if (mine !== generation) return;
    }
    const url = buildUrl(token);
    const onOpen = () => {
      setState('open');
      emit('open', { url });
      stableTimer = setTimeout(() => {
        failures = 0;
        authRetried = false;
      }, STABLE_MS);
    };
    if (o.transport === 'eventsource') {
      const ES = o.EventSource ?? globalThis.EventSource;
      const es = (source = new ES(url, { withCredentials: !!o.withCredentials }));
      es.onopen = onOpen;
      // The browser's EventSource cannot tell why; every failure is an ordinary one.
      es.onerror = () => fail('network', 0, 0);
      const types = new Set(['message', ...(o.events ?? ['notification', 'progress'])]);
      for (const type of listeners.keys()) if (!CONNECTION_EVENTS.includes(type) && type !== '*') types.add(type);
      // A new EventSource starts with an empty last event id (it was resumed by
      // the query): until the stream names an id, keep ours rather than clear it.
      let named = false;
      for (const type of types) {
        es.addEventListener(type, (e) => {
          const m = e as MessageEvent;
          named ||= !!m.lastEventId;
          deliver({ type, data: String(m.data), lastEventId: named ? m.lastEventId : lastEventId });
        });
      }
    } else {
      const headers: Record<string, string> = { ...o.headers };
      if (token) headers.authorization = 'Bearer ' + token;
      const es = (source = new FetchEventSource(url, {
        headers,
        withCredentials: o.withCredentials,
        fetch: o.fetch,
        reconnect: false,
        lastEventId,
        heartbeatTimeout: o.heartbeatTimeout ?? 45_000,
        // Every type reaches us, not only those with listeners: `sse-event` promises all of them.
        onEvent: deliver,
        // The server's `retry:` replaces the base delay (SPEC §3 `retry-delay`).
        onRetry: (ms) => (serverRetry = ms),
      }));
      es.onopen = onOpen;
      es.onerror = (e: FetchEventSourceError) => fail(e.reason, e.status, e.retryAfter);
    }
  };

  const fail = (type: FailureType, status: number, retryAfter: number) => {
    release();
    const action = failureAction(status);
    if (action === 'auth' && o.tokenProvider && !authRetried) {
      authRetried = true;
      void open();
      return;
    }
    if (action !== 'retry') {
      setState('failed');
      emit('failed', { attempts: failures + (authRetried ? 2 : 1), reason: 'status', status, type });
      return;
    }
    if (globalThis.navigator?.onLine === false) {
      // No attempt is spent while offline; `online` reconnects at once.
      waitingOnline = true;
      setState('reconnecting');
      return;
    }
    failures++;
    const max = o.maxRetries ?? 8;
    if (failures > max) {
      setState('failed');
      emit('failed', { attempts: failures, reason: 'retry-limit', type });
      return;
    }
    const delay = backoffDelay(failures, serverRetry || (o.retryDelay ?? 1000), o.maxRetryDelay ?? 30_000, (o.random ?? Math.random)(), retryAfter);
    setState('reconnecting');
    emit('retry', { attempt: failures, delay, type, status });
    retryTimer = setTimeout(() => void open(), delay);
  };

  const onOnline = () => {
    if (waitingOnline || retryTimer) {
      waitingOnline = false;
      void open();
    }
  };
  const onPageShow = (e: Event) => {
    if ((e as PageTransitionEvent).persisted && state !== 'open' && state !== 'closed' && state !== 'idle') void open();
  };
  const onPageHide = (e: Event) => {
    // A page entering the back/forward cache must not keep its stream open.
    if ((e as PageTransitionEvent).persisted && source) {
      release();
      setState('reconnecting');
    }
  };
  const win = globalThis as unknown as { addEventListener?: Window['addEventListener']; removeEventListener?: Window['removeEventListener'] };
  const watchWindow = (on: boolean) => {
    const method = on ? win.addEventListener : win.removeEventListener;
    if (typeof method !== 'function') return;
    method.call(win, 'online', onOnline);
    method.call(win, 'pageshow', onPageShow);
    method.call(win, 'pagehide', onPageHide);
  };

  return {
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener as (detail: any) => void);
      return () => set.delete(listener as (detail: any) => void);
    },
    connect() {
      if (state === 'connecting' || state === 'open' || state === 'reconnecting') return;
      failures = 0;
      authRetried = false;
      waitingOnline = false;
      watchWindow(false);
      watchWindow(true);
      void open();
    },
    close() {
      release();
      watchWindow(false);
      waitingOnline = false;
      setState('closed');
    },
  };
}
