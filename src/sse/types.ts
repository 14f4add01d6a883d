/** One dispatched server-sent event, as the WHATWG "dispatch the event" step builds it. */
export interface ParsedEvent {
  /** The `event:` field, or `message` when absent or empty. */
  type: string;
  /** The `data:` lines joined with `\n` (the final newline removed). */
  data: string;
  /** The last event id buffer at dispatch time (it persists across events). */
  lastEventId: string;
  /**
   * This event's own `id:` field, when its block had one; `undefined` when
   * it only inherited `lastEventId`. An extension to WHATWG, which keeps only
   * `lastEventId`: it lets a client tell a repeated id (a replay) from an
   * event that carries no id at all.
   */
  id?: string;
}

/** Callbacks of {@link createParser}. */
export interface ParserCallbacks {
  /** Called once per dispatched event. */
  onEvent: (event: ParsedEvent) => void;
  /** Called with the reconnection time in ms when a `retry:` field holds only ASCII digits. */
  onRetry?: (ms: number) => void;
  /** Called with the text after `:` of each comment line (heartbeats). */
  onComment?: (comment: string) => void;
}

/** A streaming SSE parser: feed it decoded text in any chunking. */
export interface Parser {
  /** Feeds the next chunk of text (decoded with the BOM kept). */
  feed(chunk: string): void;
  /** Forgets any partial line and event (for a new connection); keeps nothing but the callbacks. */
  reset(): void;
}

/** The states of a connection, mirrored by the element's `state` attribute. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

/** Why a connection attempt failed. */
export type FailureType = 'http-status' | 'network' | 'content-type' | 'heartbeat' | 'retry-limit' | 'auth';

/** Why the connection gave up, as `sse-failed` reports it. */
export type FailedReason = 'retry-limit' | 'status';
