// Type-only: the caller brings ioredis, so the hub itself needs no Redis client installed.
import type { Redis } from 'ioredis';
import type { HubAdapter, HubEvent, NewHubEvent } from './types';

/** Options of {@link createRedisAdapter}. */
export interface RedisAdapterOptions {
  /**
   * An ioredis (v5) client for commands. The adapter opens one more connection with
   * `redis.duplicate()` for pub/sub and closes only that one: the caller keeps ownership of
   * `redis` and quits it after `hub.close()`.
   */
  redis: Redis;
  /** Key of the Redis Stream that numbers and keeps the events. Default `sse-notify:events`. */
  key?: string;
  /** Pub/sub channel every instance listens on. Default: the stream key. */
  channel?: string;
  /** Events kept for replay, trimmed approximately (`MAXLEN ~`, so a little more may stay). Default `1000`. */
  historySize?: number;
  /** Errors of the subscriber connection (ioredis reconnects by itself). Default `console.error`. */
  onError?: (error: unknown) => void;
}

// Stream append and publish in one atomic step: Redis runs scripts one at a time and delivers
// pub/sub messages in publish order, so every instance sees events in id order. With two separate
// commands, two instances' publishes could cross, and a client that resumed from the later id
// would never get the earlier event.
const APPEND = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('PUBLISH', ARGV[3], id .. ' ' .. ARGV[2])
return id`;

const STREAM_ID = /^\d{1,20}(-\d{1,20})?$/;

/**
 * History in a Redis Stream, fan-out through Redis pub/sub, so any number of hub instances
 * share ids and history and a client resumes on whichever instance it reaches. Each instance
 * delivers only what arrives through pub/sub, its own publishes included: never twice.
 * Needs Redis ≥ 6.2 (exclusive `XRANGE` start).
 */
export function createRedisAdapter(options: RedisAdapterOptions): HubAdapter {
  const key = options.key ?? 'sse-notify:events';
  const channel = options.channel ?? key;
  const historySize = options.historySize ?? 1000;
  const onError = options.onError ?? ((error: unknown) => console.error('sse-notify redis adapter:', error));
  if (!Number.isInteger(historySize) || historySize < 1) {
    throw new TypeError(`createRedisAdapter: historySize must be a positive integer (got ${String(historySize)}).`);
  }
  const { redis } = options;
  if (typeof redis?.duplicate !== 'function') {
    throw new TypeError('createRedisAdapter: `redis` must be an ioredis client, e.g. new Redis(process.env.REDIS_URL).');
  }
  // Resubscribed by hand after a reconnect, to know when the subscription is back (see onGap).
  const subscriber = redis.duplicate({ autoResubscribe: false });
  subscriber.on('error', onError);

  const listeners = new Set<(event: HubEvent) => void>();
  const gapListeners = new Set<() => void>();
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const space = message.indexOf(' ');
    const event = decode(message.slice(0, space), message.slice(space + 1));
    if (!event) return;
    for (const listener of [...listeners]) listener(event);
  });
  // Until the subscription is confirmed this instance would miss its own publishes.
  let failed = false;
  let subscribed = subscribe(); // queued by ioredis until the connection is ready
  let connectedBefore = false;
  subscriber.on('ready', () => {
    const reconnect = connectedBefore;
    connectedBefore = true;
    if (!reconnect && !failed) return;
    // After a reconnect, what was published meanwhile never reached this instance, but it is in
    // the stream: subscribe again, then let the hub end its streams so clients resume by id.
    subscribed = subscribe();
    if (reconnect) {
      subscribed.then(() => {
        for (const gap of [...gapListeners]) gap();
      }, onError);
    }
  });

  function subscribe(): Promise<void> {
    failed = false;
    const confirmed = subscriber.subscribe(channel).then(() => undefined);
    // Reported by whoever awaits it (append, the hub's connect); the next 'ready' retries.
    confirmed.catch(() => {
      failed = true;
    });
    return confirmed;
  }

  let closing: Promise<void> | undefined;

  return {
    ready: () => subscribed,
    async append(event: NewHubEvent) {
      await subscribed;
      const json = JSON.stringify(encode(event));
      const id = (await redis.eval(APPEND, 1, key, String(historySize), json, channel)) as string;
      return { ...event, id };
    },
    async since(lastEventId: string) {
      if (!STREAM_ID.test(lastEventId)) return [];
      // No COUNT: the stream is already bounded, and a limit would return the oldest entries and
      // leave a gap before the live ones for a client far behind.
      const entries = await redis.xrange(key, `(${lastEventId}`, '+');
      const events: HubEvent[] = [];
      for (const [id, fields] of entries) {
        const json = fields[fields.indexOf('e') + 1];
        const event = json === undefined ? undefined : decode(id, json);
        if (event) events.push(event);
      }
      return events;
    },
    async lastId() {
      const [newest] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
      // '0' (the incomplete id 0-0) precedes every stream id, so since('0') reads from the start.
      return newest?.[0] ?? '0';
    },
    subscribe(listener, onGap) {
      listeners.add(listener);
      if (onGap) gapListeners.add(onGap);
      return () => {
        listeners.delete(listener);
        if (onGap) gapListeners.delete(onGap);
      };
    },
    close() {
      return (closing ??= (async () => {
        listeners.clear();
        gapListeners.clear();
        try {
          await subscriber.quit();
        } catch {
          subscriber.disconnect();
        }
      })());
    },
  };
}

interface StoredShape {
  v: string;
  d: string;
  c?: string;
  u?: string;
}

function encode(event: NewHubEvent): StoredShape {
  return {
    v: event.event,
    d: event.data,
    ...(event.channel !== undefined && { c: event.channel }),
    ...(event.userId !== undefined && { u: event.userId }),
  };
}

/** Reads an entry back; anything not written by this adapter is skipped. */
function decode(id: string, json: string): HubEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, d, c, u } = value as Partial<StoredShape>;
  if (!STREAM_ID.test(id) || typeof v !== 'string' || typeof d !== 'string') return undefined;
  return {
    id,
    event: v,
    data: d,
    ...(typeof c === 'string' && { channel: c }),
    ...(typeof u === 'string' && { userId: u }),
  };
}
