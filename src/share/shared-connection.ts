import { busy, createConnection, lastIdStore, type Connection, type ConnectionEvent, type ConnectionOptions } from '../sse/connection';
import { emit, listen, resolve, type Listeners } from '../sse/emitter';
import type { ConnectionState } from '../sse/types';

/** Options of {@link createSharedConnection}: those of `createConnection` plus `share`. */
export interface SharedConnectionOptions extends ConnectionOptions {
  /** `tabs` (default): one connection per browser for the same identity, shared by every tab; `off`: one per call. */
  share?: 'tabs' | 'off';
}

/** A {@link Connection} that may be shared with other tabs. */
export interface SharedConnection extends Connection {
  /**
   * Whether this tab holds the network connection (always `true` when not
   * shared). Exactly one tab of a group leads, and only the leader shows OS
   * notifications, so each is shown once per browser (with `hidden`, when the
   * leader's tab is hidden: a visible leader means the user sees the toast).
   */
  readonly leader: boolean;
}

// [type, detail]: a connection event name, `*` (an SSE event), h(ello) or y (its reply).
type Message = [type: string, detail?: any];

/** FNV-1a, base 36: tells tokens apart without putting one in a lock or channel name. */
const hash = (s: string) => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
};

/**
 * The name of the lock and the channel a connection is shared under: the
 * resolved URL, the sorted channels, the transport, the channel parameter and
 * a hash of the token. Exported for tests.
 */
export const shareKey = (o: ConnectionOptions) =>
  'sse-notify:' +
  JSON.stringify([
    resolve(o.url),
    [...new Set(o.channels)].sort(),
    o.transport || 'fetch',
    o.channelParam || 'channel',
    o.token ? hash(o.token) : '',
    o.transport === 'eventsource' ? o.events : 0,
  ]);

/**
 * Creates a connection shared by every tab of this browser that asks for the
 * same one (SPEC §3 `share`). One tab, elected with the Web Locks API, holds
 * the network connection and relays every event and state change over a
 * `BroadcastChannel`; the others emit the same events as if they held it.
 * When the leader's tab closes or crashes its lock is released, the next tab
 * takes over and resumes from the last id the group saw (state
 * `reconnecting` → `open` in every tab). A tab that joins late receives live
 * events only, never a replay of what the group saw before. Events are
 * shared, toasts are not: each tab keeps its own, so a toast dismissed in one
 * tab stays in the others. Ids are deduplicated within a tab, across the
 * handover too; a server must not reuse an id for a different event.
 *
 * The leader connects with its own options (`tokenProvider`, `headers`):
 * tabs of one group are expected to be the same user on the same page type.
 *
 * Falls back to a plain `createConnection` with `share: 'off'`, without
 * `navigator.locks` or `BroadcastChannel` (or where locks are refused, as in
 * an opaque origin), and with the subscribe protocol (`channelsInQuery:
 * false`), whose channel set belongs to one client id: a tab changing its
 * channels would change them for every tab.
 */
export function createSharedConnection(options: SharedConnectionOptions): SharedConnection {
  const o = options;
  const locks = (globalThis as any).navigator?.locks as LockManager | undefined;
  if (!o || o.share === 'off' || !locks || !globalThis.BroadcastChannel || o.channelsInQuery === false) {
    return Object.assign(createConnection(o), { leader: true });
  }
  const name = shareKey(o);
  const listeners: Listeners = new Map();
  const store = lastIdStore(o);
  let lastEventId = store();
  // Ids the group delivered lately: a takeover racing the old leader's last relay must not double one.
  const seen = new Set<string>();
  let state: ConnectionState = 'idle';
  let url = '';
  let channel: BroadcastChannel | undefined;
  let abort: AbortController | undefined;
  let release: (() => void) | undefined;
  let inner: Connection | undefined;

  const fire = (type: string, detail: unknown) => emit(listeners, type, detail);
  const setState = (next: ConnectionState) => {
    if (next != state) fire('state', { state: (state = next) });
  };
  const post = (message: Message) => channel?.postMessage(message);
  const setId = (id: string) => store((lastEventId = id));
  const deliver = (event: ConnectionEvent) => {
    const id = event.id;
    if (id != null) {
      if (seen.has(id)) return false;
      if (id) seen.add(id);
      if (seen.size > 64) seen.delete(seen.values().next().value!);
      setId(id);
    }
    fire(event.type, event);
    fire('*', event);
    return true;
  };

  /** Applies a connection event in this tab; `false` for an id already delivered. */
  const apply = (type: string, detail: any) => {
    if (type == '*') return deliver(detail);
    if (type == 'state') setState(detail.state);
    else {
      if (type == 'open') url = detail.url;
      fire(type, detail);
    }
    return true;
  };

  const lead = () => {
    // A tab that already followed a group takes over: to the user that is a reconnect.
    const resumed = state != 'connecting';
    // connection.ts reads the id to resume from through `storage`: hand it the group's.
    const c = (inner = createConnection({ ...o, storage: { getItem: () => lastEventId, setItem() {} } }));
    for (const type of ['*', 'state', 'open', 'retry', 'failed']) {
      c.on(type, (detail: any) => {
        if (c != inner) return;
        if (type == 'state' && resumed && detail.state == 'connecting') detail = { state: 'reconnecting' };
        if (apply(type, detail)) post([type, detail]);
      });
    }
    c.connect();
  };

  const onMessage = ({ data: [type, detail] }: MessageEvent<Message>) => {
    if (type == 'h') {
      if (!inner) return;
      // A tab that joins a group that gave up, or retries it, makes it try again: as its own connection would.
      if (inner.state == 'failed') inner.connect();
      post(['y', { state, lastEventId, url }]);
    } else if (type == '*' || !inner) {
      // A leader ignores the rest: it can only come from a leader that just died.
      if (type != 'y') apply(type, detail);
      else {
        if (detail.lastEventId) setId(detail.lastEventId);
        // Only the tab that said hello changes here; the others, or one that saw `open` first, stay as they are.
        const opened = detail.state == 'open' && state != 'open';
        setState(detail.state);
        if (opened) fire('open', { url: detail.url });
      }
    }
  };

  return {
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
    get leader() {
      return !!inner;
    },
    on: (type, listener) => listen(listeners, type, listener),
    connect() {
      if (busy(state)) return;
      if (abort) {
        // failed: the leader retries; a follower asks the leader to.
        if (inner) inner.connect();
        else post(['h']);
        return;
      }
      channel = new BroadcastChannel(name);
      channel.onmessage = onMessage;
      const mine = (abort = new AbortController());
      setState('connecting');
      // The lock is held until `release()`: while this tab lives, or until close().
      locks
        .request(name, { signal: mine.signal }, () =>
          abort == mine
            ? new Promise<void>((done) => {
                release = done;
                lead();
              })
            : undefined,
        )
        // AbortError after close(); otherwise locks are refused here (an opaque origin): connect alone.
        .catch(() => abort == mine && lead());
      post(['h']);
    },
    close() {
      abort?.abort();
      release?.();
      const c = inner;
      inner = abort = release = undefined;
      c?.close();
      channel?.close();
      channel = undefined;
      setState('closed');
    },
  };
}
