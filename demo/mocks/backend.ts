/**
 * An in-memory model of a real SSE notification server, free of any framework
 * (no MSW, no DOM, no Node API): the event log with increasing ids, the
 * connected clients and what each may receive, and the fault switches the demo
 * control panel flips. `handlers.ts` puts it behind MSW; the control panel reads
 * its state through {@link Backend.onChange}.
 *
 * @module
 */

/** The one token the demo server accepts (`Authorization: Bearer demo-token` or `?token=demo-token`). */
export const DEMO_TOKEN = 'demo-token';

/** How many events the log keeps for replay before the oldest are forgotten. */
export const DEFAULT_LOG_LIMIT = 500;

/** What to publish: the SSE event type, its data, and who may receive it. */
export interface PublishInput {
  /** SSE event type; `message` when absent. Must not contain CR or LF. */
  event?: string;
  /** Sent as-is when a string (so malformed JSON stays malformed), else as JSON. */
  data: unknown;
  /** Only clients subscribed to this channel receive it. */
  channel?: string;
  /** Only clients connected as this user receive it. */
  userId?: string;
}

/** One entry of the event log. */
export interface LoggedEvent {
  /** Decimal, increasing: `1`, `2`, … */
  readonly id: string;
  readonly event: string;
  /** The data exactly as it goes on the wire. */
  readonly data: string;
  readonly channel?: string;
  readonly userId?: string;
  /** When it was published (ms, from the backend clock). */
  readonly at: number;
}

/** Who a client is, for routing: its channels and its user. */
export interface ClientFilter {
  channels?: Iterable<string>;
  userId?: string;
}

/** How the backend reaches one open stream (implemented by the transport, e.g. the MSW handler). */
export interface ClientSink {
  /** Sends one logged event down the stream. */
  deliver(event: LoggedEvent): void;
  /** Closes the stream as a network failure; the sink must also call {@link Backend.disconnect}. */
  drop(): void;
}

/** What {@link Backend.connect} needs. */
export interface ConnectOptions extends ClientFilter {
  sink: ClientSink;
}

/** A connected client as the control panel sees it. */
export interface ClientInfo {
  readonly clientId: string;
  readonly channels: readonly string[];
  readonly userId?: string;
  readonly connectedAt: number;
}

/** The fault switches. */
export interface FaultState {
  /** ms timestamp (backend clock): until then `GET /api/events` answers 503; `0` when up. */
  outageUntil: number;
  /** "Session revoked": 401 for every stream request without the demo token. */
  unauthorized: boolean;
  /** Auth on: 401 for stream requests without the demo token (open streams stay open). */
  authRequired: boolean;
  /** Streams send only heartbeats; everything else waits until this is switched off. */
  heartbeatOnly: boolean;
  /** Delay in ms before each frame a stream sends; `0` for none. */
  slowMs: number;
}

/** The switches {@link Backend.setFaults} takes (the outage has its own method). */
export type FaultPatch = Partial<Omit<FaultState, 'outageUntil'>>;

/** Credentials a request carries. */
export interface Credentials {
  /** The `Authorization` header. */
  authorization?: string | null;
  /** The `token` query parameter. */
  token?: string | null;
}

/** What {@link Backend.publish} did. */
export interface PublishResult {
  /** The new event's id. */
  id: string;
  /** How many connected clients it was delivered to. */
  delivered: number;
}

/** Options of {@link createBackend}. */
export interface BackendOptions {
  /** Log size kept for replay; default {@link DEFAULT_LOG_LIMIT}. */
  logLimit?: number;
  /** Clock in ms; default `Date.now` (tests inject their own). */
  now?: () => number;
  /** The accepted token; default {@link DEMO_TOKEN}. */
  token?: string;
}

/** The mock server's state and operations. */
export interface Backend {
  /** The current fault switches (a snapshot; change them with {@link Backend.setFaults}). */
  readonly faults: Readonly<FaultState>;
  /** Id of the newest event, `''` before the first one. */
  lastId(): string;
  /** The retained log, oldest first. */
  log(): readonly LoggedEvent[];
  /** The connected clients. */
  clients(): ClientInfo[];
  /** Registers an open stream; returns its client (with a fresh `c-…` id). */
  connect(options: ConnectOptions): ClientInfo;
  /** Forgets a client (its stream ended). Unknown ids are ignored. */
  disconnect(clientId: string): void;
  /** Adds a channel to a connected client; `false` for an unknown client. */
  subscribe(clientId: string, channel: string): boolean;
  /** Removes a channel from a connected client; `false` for an unknown client. */
  unsubscribe(clientId: string, channel: string): boolean;
  /** Logs an event and delivers it to every connected client it is meant for. */
  publish(input: PublishInput): PublishResult;
  /**
   * Logged events after `lastId` that a client with `filter` may receive, oldest first.
   * A non-numeric id yields none; an id older than the log yields all the log still holds.
   */
  since(lastId: string, filter?: ClientFilter): LoggedEvent[];
  /** Changes fault switches; switching `unauthorized` on drops every open stream. */
  setFaults(patch: FaultPatch): Readonly<FaultState>;
  /** Starts an outage of `ms` (dropping every open stream), or ends it when `ms <= 0`. */
  startOutage(ms: number): void;
  /** ms left in the current outage, `0` when up. */
  outageRemaining(): number;
  /** Whether a stream request with these credentials is let in under the current switches. */
  isAuthorized(credentials: Credentials): boolean;
  /** Closes every open stream as a network failure; returns how many. */
  dropAll(): number;
  /** Calls `listener` after any change (publish, connect, faults…); returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Back to a fresh server: drops streams, empties the log, clears faults and timers. */
  reset(): void;
}

interface ClientRecord {
  clientId: string;
  channels: Set<string>;
  userId?: string;
  connectedAt: number;
  sink: ClientSink;
}

const NO_FAULTS: FaultState = {
  outageUntil: 0,
  unauthorized: false,
  authRequired: false,
  heartbeatOnly: false,
  slowMs: 0,
};

const LINE_BREAK = /[\r\n]/;

/** Creates an independent mock server (the demo uses one; tests make their own). */
export function createBackend(options: BackendOptions = {}): Backend {
  const limit = Math.max(1, options.logLimit ?? DEFAULT_LOG_LIMIT);
  const now = options.now ?? (() => Date.now());
  const token = options.token ?? DEMO_TOKEN;

  let log: LoggedEvent[] = [];
  let seq = 0;
  let clientSeq = 0;
  let faults: FaultState = { ...NO_FAULTS };
  /** Fires one change notification when the outage ends (owned here, cleared by reset/startOutage). */
  let outageTimer: ReturnType<typeof setTimeout> | undefined;
  const clients = new Map<string, ClientRecord>();
  const listeners = new Set<() => void>();

  const emit = (): void => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        console.error('[demo backend] change listener failed', error);
      }
    }
  };

  const info = (c: ClientRecord): ClientInfo => ({
    clientId: c.clientId,
    channels: [...c.channels],
    ...(c.userId === undefined ? {} : { userId: c.userId }),
    connectedAt: c.connectedAt,
  });

  const matches = (event: LoggedEvent, channels: ReadonlySet<string>, userId: string | undefined): boolean =>
    (event.channel === undefined || channels.has(event.channel)) &&
    (event.userId === undefined || event.userId === userId);

  const clearOutageTimer = (): void => {
    if (outageTimer !== undefined) clearTimeout(outageTimer);
    outageTimer = undefined;
  };

  const dropAll = (): number => {
    const open = [...clients.values()];
    for (const c of open) {
      clients.delete(c.clientId);
      try {
        c.sink.drop();
      } catch (error) {
        console.error('[demo backend] drop failed', error);
      }
    }
    if (open.length > 0) emit();
    return open.length;
  };

  const backend: Backend = {
    get faults() {
      return { ...faults };
    },
    lastId: () => (seq === 0 ? '' : String(seq)),
    log: () => [...log],
    clients: () => [...clients.values()].map(info),

    connect({ channels = [], userId, sink }) {
      const clientId = `c-${(++clientSeq).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      const record: ClientRecord = {
        clientId,
        channels: new Set(channels),
        connectedAt: now(),
        sink,
        ...(userId ? { userId } : {}),
      };
      clients.set(clientId, record);
      emit();
      return info(record);
    },

    disconnect(clientId) {
      if (clients.delete(clientId)) emit();
    },

    subscribe(clientId, channel) {
      const c = clients.get(clientId);
      if (!c) return false;
      c.channels.add(channel);
      emit();
      return true;
    },

    unsubscribe(clientId, channel) {
      const c = clients.get(clientId);
      if (!c) return false;
      c.channels.delete(channel);
      emit();
      return true;
    },

    publish({ event = 'message', data, channel, userId }) {
      if (event === '' || LINE_BREAK.test(event)) throw new TypeError(`invalid SSE event name ${JSON.stringify(event)}`);
      const entry: LoggedEvent = {
        id: String(++seq),
        event,
        data: typeof data === 'string' ? data : JSON.stringify(data ?? null),
        at: now(),
        ...(channel ? { channel } : {}),
        ...(userId ? { userId } : {}),
      };
      log.push(entry);
      if (log.length > limit) log = log.slice(log.length - limit);
      let delivered = 0;
      for (const c of [...clients.values()]) {
        if (!matches(entry, c.channels, c.userId)) continue;
        delivered++;
        c.sink.deliver(entry);
      }
      emit();
      return { id: entry.id, delivered };
    },

    since(lastId, filter = {}) {
      if (!/^\d+$/.test(lastId)) return [];
      const after = Number(lastId);
      const channels = new Set(filter.channels ?? []);
      return log.filter((e) => Number(e.id) > after && matches(e, channels, filter.userId));
    },

    setFaults(patch) {
      const revoke = patch.unauthorized === true && !faults.unauthorized;
      faults = {
        ...faults,
        ...(patch.unauthorized === undefined ? {} : { unauthorized: patch.unauthorized }),
        ...(patch.authRequired === undefined ? {} : { authRequired: patch.authRequired }),
        ...(patch.heartbeatOnly === undefined ? {} : { heartbeatOnly: patch.heartbeatOnly }),
        ...(patch.slowMs === undefined ? {} : { slowMs: Math.max(0, patch.slowMs) }),
      };
      if (revoke) dropAll();
      emit();
      return { ...faults };
    },

    startOutage(ms) {
      clearOutageTimer();
      if (!(ms > 0)) {
        faults = { ...faults, outageUntil: 0 };
        emit();
        return;
      }
      faults = { ...faults, outageUntil: now() + ms };
      dropAll();
      // Tell the control panel when the server is back; the 503 itself is decided by the clock.
      outageTimer = setTimeout(() => {
        outageTimer = undefined;
        emit();
      }, ms);
      emit();
    },

    outageRemaining: () => Math.max(0, faults.outageUntil - now()),

    isAuthorized({ authorization, token: queryToken }) {
      if (!faults.authRequired && !faults.unauthorized) return true;
      const bearer = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1];
      return bearer === token || queryToken === token;
    },

    dropAll,

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    reset() {
      clearOutageTimer();
      dropAll();
      log = [];
      seq = 0;
      faults = { ...NO_FAULTS };
      emit();
    },
  };
  return backend;
}
