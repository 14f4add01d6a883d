import type { IncomingMessage, ServerResponse } from 'node:http';

/** What {@link Hub.publish} takes: one event to fan out and keep in the history. */
export interface PublishInput {
  /** SSE event type (the `event:` field). Default `notification`. Must not contain CR or LF. */
  event?: string;
  /** Any JSON-serialisable value; it is sent as `JSON.stringify(data)` (`undefined` becomes `null`). */
  data: unknown;
  /** Deliver only to clients subscribed to this channel. */
  channel?: string;
  /** Deliver only to clients authenticated as this user (with `channel`: both must match). */
  userId?: string;
}

/** An event as the hub hands it to an adapter: routed, serialised, not yet numbered. */
export interface NewHubEvent {
  /** SSE event type. */
  event: string;
  /** The payload as JSON text, written to the stream as `data:` lines. */
  data: string;
  /** Channel the event is limited to; absent means not limited by channel. */
  channel?: string;
  /** User the event is limited to; absent means not limited by user. */
  userId?: string;
}

/** An event stored by an adapter, with the id it was given there. */
export interface HubEvent extends NewHubEvent {
  /**
   * The SSE `id:`. Strictly increasing in the order the adapter stored the events: a decimal
   * counter in memory, the stream entry id (`<ms>-<seq>`) with Redis.
   */
  id: string;
}

/**
 * Where events are numbered, kept for replay and fanned out. The hub delivers an event to its
 * clients only when the adapter's listener reports it, never straight from `publish`, so with a
 * shared backend (Redis) every instance delivers every event exactly once.
 */
export interface HubAdapter {
  /** Numbers and stores the event, then reports it to every listener (on every instance). */
  append(event: NewHubEvent): Promise<HubEvent>;
  /** Stored events after `lastEventId` (exclusive), oldest first; `[]` for an id it cannot read. */
  since(lastEventId: string): Promise<HubEvent[]>;
  /**
   * The id a client that has seen everything stored so far resumes from: the newest stored
   * event's id, or an id that {@link HubAdapter.since} reads as "from the start" (`'0'`) while
   * nothing is stored. The hub puts it on the `connected` handshake of a fresh stream, so a client
   * that drops before any other event still resumes without loss. Optional: absent, or resolving
   * `undefined`, means the handshake carries no id.
   */
  lastId?(): Promise<string | undefined>;
  /**
   * Adds a listener for appended events; returns the function that removes it. `onGap` is called
   * when the adapter may have missed events (a dropped pub/sub connection, once it is back): the
   * hub then ends every stream so each client resumes by id from the history.
   */
  subscribe(listener: (event: HubEvent) => void, onGap?: () => void): () => void;
  /**
   * Resolves once events appended from now on will reach the listeners (a confirmed pub/sub
   * subscription). The hub waits for it before it accepts a stream. Optional: absent means always.
   */
  ready?(): Promise<void>;
  /** Releases every connection and timer the adapter holds. Safe to call twice. */
  close(): Promise<void>;
}

/** What `authenticate` resolves to for an accepted request. */
export interface AuthResult {
  /** The user this connection belongs to; `sendToUser(userId, …)` reaches it. */
  userId?: string;
  /** Channels this user may join; `undefined` allows every channel. */
  channels?: readonly string[];
}

/**
 * Decides who a request belongs to. Resolve `null` to answer 401. A rejection is treated as a
 * server failure (500, reported to `onError`), so an outage of the identity provider never looks
 * like a bad token to the widget (which stops on 401 but retries on 5xx).
 */
export type Authenticate = (req: IncomingMessage) => AuthResult | null | Promise<AuthResult | null>;

/** Cross-origin access to the hub's endpoints. */
export interface CorsOptions {
  /** Origins allowed to connect (`https://shop.example`, no trailing slash), or `'*'` for any. */
  origins: readonly string[] | '*';
  /** Send `Access-Control-Allow-Credentials: true` (cookies, `with-credentials`); needs a list of `origins`, not `'*'`. Default `false`. */
  credentials?: boolean;
  /** How long a browser may cache a preflight answer, in seconds. Default `600`. */
  maxAge?: number;
}

/** Options of {@link createHub}. Every field is optional. */
export interface HubOptions {
  /** Storage and fan-out. Default: an in-memory adapter holding `historySize` events. Closed by `hub.close()`. */
  adapter?: HubAdapter;
  /** Query parameter listing channels, repeated once per channel (`?channel=a&channel=b`). Default `channel`; `topic` for Mercure-style clients. */
  channelParam?: string;
  /** Query parameter carrying the last seen id when a client cannot send `Last-Event-ID`. Default `lastEventId`. */
  lastEventIdParam?: string;
  /** Reconnection delay sent as the first line (`retry:`), in milliseconds. Default `3000`. */
  retry?: number;
  /** Interval between `:heartbeat` comments, in milliseconds; `0` disables them. Default `15000`. */
  heartbeatInterval?: number;
  /** Events kept for replay by the default in-memory adapter. Default `1000`. Ignored when `adapter` is given: size that adapter instead. */
  historySize?: number;
  /** A client whose unsent output grows beyond this many bytes is disconnected (it resumes by id). Default `1048576` (1 MiB). */
  maxBufferedBytes?: number;
  /** Cross-origin access. Default: none (no CORS headers; same-origin use only). */
  cors?: CorsOptions;
  /** Identifies the user of every SSE and subscribe request. Default: none (anonymous clients, every channel allowed). */
  authenticate?: Authenticate;
  /** Runtime failures (adapter, `authenticate`) that the hub answered with a 5xx or skipped. Default `console.error`. */
  onError?: (error: unknown) => void;
}

/** A Node `(req, res, next?)` handler, usable with `node:http`, Express and Connect-style routers. */
export type HubHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** The hub returned by {@link createHub}. */
export interface Hub {
  /** The SSE endpoint (`GET`; `OPTIONS` answers a CORS preflight). */
  handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** `POST {"clientId","channel"}`: adds a channel to a connected client (subscribe protocol, SPEC §5). */
  handleSubscribe(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** `POST {"clientId","channel"}`: removes a channel from a connected client. */
  handleUnsubscribe(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Mount on the events path (`/api/events`): a last path segment `subscribe` or `unsubscribe`
   * goes to those handlers, anything else to {@link Hub.handleEvents}.
   */
  handler: HubHandler;
  /** Stores and fans out one event; resolves with its id once stored. */
  publish(input: PublishInput): Promise<string>;
  /** Publishes to every client. */
  broadcast(data: unknown, event?: string): Promise<string>;
  /** Publishes to the clients authenticated as `userId`. */
  sendToUser(userId: string, data: unknown, event?: string): Promise<string>;
  /** Publishes to the clients subscribed to `channel`. */
  sendToChannel(channel: string, data: unknown, event?: string): Promise<string>;
  /** Number of open SSE connections on this instance. */
  readonly clients: number;
  /** Ends every stream, stops the heartbeat and closes the adapter. Later requests get 503. */
  close(): Promise<void>;
}
