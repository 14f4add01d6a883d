import { backoffDelay, failureAction } from './backoff';
import { FetchEventSource, type FetchEventSourceError } from './transport-fetch';
import { emit, listen, resolve, type Listeners } from './emitter';
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
 * An SSE event as the connection delivers it. `id` is the event's own `id:`
 * field (the fetch transport's parser reports it, so a repeated id is still
 * seen as one); with the browser's EventSource, which cannot tell, it is set
 * when the event changed the last event id.
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

/**
 * The last event id kept in `o.storage` (default `sessionStorage`) per URL, so
 * a reload resumes: called without an id it reads, with one it writes. A
 * storage that throws (a sandboxed iframe, a full quota) counts as none.
 * @internal
 */
export const lastIdStore = (o: Pick<ConnectionOptions, 'url' | 'storage'>) => {
  let storage = o.storage;
  const key = 'sse-notify:last-id:' + o.url;
  // Writes wait for the end of the task: a burst of events parsed from one
  // chunk costs one synchronous storage write, not one per event.
  let unsaved: string | undefined;
  const access = (id?: string): string => {
    try {
      storage ??= o.storage === undefined ? globalThis.sessionStorage : null;
      if (id == null) return storage?.getItem(key) ?? '';
      storage?.setItem(key, id);
    } catch {}
    return '';
  };
  return (id?: string): string => {
    if (id == null) return unsaved ?? access();
    if (unsaved == null)
      queueMicrotask(() => {
        access(unsaved);
        unsaved = undefined;
      });
    unsaved = id;
    return '';
  };
};

/** Whether a connection in this state is at work (`connect()` then does nothing). @internal */
export const busy = (state: ConnectionState) => state == 'connecting' || state == 'open' || state == 'reconnecting';

/**
 * Creates a connection: the state machine of SPEC §5–§6 over either
 * transport. Nothing happens until `connect()`.
 */
export function createConnection(options: ConnectionOptions): Connection {
  if (!options || typeof options.url != 'string') {
    throw new TypeError('createConnection: pass { url: "/api/events" } — the SSE endpoint URL is required.');
  }
  const o = options;
  const listeners: Listeners = new Map();
  const store = lastIdStore(o);
  let state: ConnectionState = 'idle';
  let lastEventId = store();
  let source: FetchEventSource | EventSource | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let authRetried = false;
  let serverRetry = 0;
  let generation = 0;
  let waitingOnline = false;

  const fire = (type: string, detail: unknown) => emit(listeners, type, detail);
  const setState = (next: ConnectionState) => {
    if (next != state) fire('state', { state: (state = next) });
  };

  const deliver = (parsed: ParsedEvent) => {
    const changed = parsed.lastEventId != lastEventId;
    if (changed) store((lastEventId = parsed.lastEventId));
    // The parser says whether the event had an id of its own; EventSource cannot, so a change stands in.
    const event: ConnectionEvent = { ...parsed, id: 'id' in parsed ? parsed.id : changed ? lastEventId : undefined };
    failures = 0;
    fire(event.type, event);
    fire('*', event);
  };

  const release = () => {
    generation++;
    clearTimeout(retryTimer);
    clearTimeout(stableTimer);
    retryTimer = undefined;
    source?.close();
    source = undefined;
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
        if (mine == generation) fail();
        return;
      }
      if (mine != generation) return;
    }
    let url: URL;
    try {
      url = new URL(resolve(o.url));
      const query = url.searchParams;
      if (o.channelsInQuery !== false) for (const channel of o.channels ?? []) query.append(o.channelParam || 'channel', channel);
      if (o.transport == 'eventsource') {
        if (token) query.set(o.tokenParam || 'token', token);
        if (lastEventId) query.set(o.lastEventIdParam || 'lastEventId', lastEventId);
        const es = (source = new (o.EventSource ?? EventSource)(url.href, { withCredentials: !!o.withCredentials }));
        const types = new Set(['message', ...(o.events ?? ['notification', 'progress'])]);
        for (const type of listeners.keys()) if (!/^(open|state|retry|failed|\*)$/.test(type)) types.add(type);
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
        source = new FetchEventSource(url.href, {
          headers: token ? { ...o.headers, authorization: 'Bearer ' + token } : o.headers,
          withCredentials: o.withCredentials,
          fetch: o.fetch,
          reconnect: false,
          lastEventId,
          heartbeatTimeout: o.heartbeatTimeout ?? 45_000,
          // Every type reaches us, not only those with listeners: `sse-event` promises all of them.
          onEvent: deliver,
          // The server's `retry:` replaces the base delay (SPEC §3 `retry-delay`).
          onRetry: (ms) => (serverRetry = ms),
        });
      }
    } catch (error) {
      // A src that is no URL (or no EventSource in this runtime): an ordinary failure, never an unhandled rejection.
      console.error(error);
      return fail();
    }
    source.onopen = () => {
      setState('open');
      fire('open', { url: url.href });
      stableTimer = setTimeout(() => {
        failures = 0;
        authRetried = false;
      }, STABLE_MS);
    };
    // The browser's EventSource cannot tell why: every failure of it is an ordinary one.
    source.onerror = ({ reason, status, retryAfter }: Partial<FetchEventSourceError>) => fail(reason, status, retryAfter);
  };

  const failed = (detail: FailedDetail) => {
    setState('failed');
    fire('failed', detail);
  };

  const fail = (type: FailureType = 'network', status = 0, retryAfter = 0) => {
    release();
    const action = failureAction(status);
    if (action == 'auth' && o.tokenProvider && !authRetried) {
      authRetried = true;
      open();
    } else if (action != 'retry') {
      failed({ attempts: failures + (authRetried ? 2 : 1), reason: 'status', status, type });
    } else if (globalThis.navigator?.onLine === false) {
      // No attempt is spent while offline; `online` reconnects at once.
      waitingOnline = true;
      setState('reconnecting');
    } else if (++failures > (o.maxRetries ?? 8)) {
      failed({ attempts: failures, reason: 'retry-limit', type });
    } else {
      const delay = backoffDelay(failures, serverRetry || (o.retryDelay ?? 1000), o.maxRetryDelay ?? 30_000, (o.random ?? Math.random)(), retryAfter);
      setState('reconnecting');
      fire('retry', { attempt: failures, delay, type, status });
      retryTimer = setTimeout(open, delay);
    }
  };

  const onWindow = (e: Event) => {
    const persisted = (e as PageTransitionEvent).persisted;
    if (e.type == 'online') {
      if (waitingOnline || retryTimer) {
        waitingOnline = false;
        open();
      }
    } else if (e.type == 'pagehide') {
      // A page entering the back/forward cache must not keep its stream open.
      if (persisted && source) {
        release();
        setState('reconnecting');
      }
    } else if (persisted && busy(state) && state != 'open') open();
  };
  const watch = (method: 'addEventListener' | 'removeEventListener') => {
    for (const type of ['online', 'pageshow', 'pagehide']) (globalThis as unknown as Partial<Window>)[method]?.(type, onWindow);
  };

  return {
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
    on: (type, listener) => listen(listeners, type, listener),
    connect() {
      if (busy(state)) return;
      failures = 0;
      authRetried = waitingOnline = false;
      watch('removeEventListener');
      watch('addEventListener');
      open();
    },
    close() {
      release();
      watch('removeEventListener');
      waitingOnline = false;
      setState('closed');
    },
  };
}
