import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createHub } from '../../src/server/hub';
import { createMemoryAdapter } from '../../src/server/memory-adapter';
import type { Hub, HubAdapter, HubEvent, HubOptions } from '../../src/server/types';
import { startRedis } from '../support/redis-server';
import type { RedisProcess } from '../support/redis-server';
import { listen } from '../support/listen';
import type { Listening } from '../support/listen';
import { openSse } from '../support/sse-reader';
import type { SseStream } from '../support/sse-reader';

const cleanups: Array<() => unknown> = [];

// Registered once per test file that imports this module: every stream, hub and server a test
// starts is released after it, passed or failed, newest first.
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export interface HubServer extends Listening {
  hub: Hub;
  /** The SSE endpoint, `<url>/events`. */
  events: string;
  /** Opens an SSE stream on `<url><path>`; closed after the test. */
  connect(path?: string, headers?: Record<string, string>): Promise<SseStream>;
  /** Opens a stream and waits for the connected message; returns the stream and its client id. */
  connectClient(path?: string, headers?: Record<string, string>): Promise<{ stream: SseStream; clientId: string }>;
  /** POSTs `body` (JSON-encoded unless a string) to `<url><path>`. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** A hub mounted with `hub.handler` on `/events` of a fresh server. */
export async function startHub(options: HubOptions = {}): Promise<HubServer> {
  const hub = createHub({ onError: () => {}, ...options });
  const listening = await listen((req, res) => {
    if (req.url?.startsWith('/events')) hub.handler(req, res);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  onCleanup(async () => {
    await hub.close();
    await listening.close();
  });
  const connect = async (path = '/events', headers: Record<string, string> = {}) => {
    const stream = await openSse(listening.url + path, { headers });
    onCleanup(() => stream.close());
    return stream;
  };
  return {
    ...listening,
    hub,
    events: `${listening.url}/events`,
    connect,
    async connectClient(path, headers) {
      const stream = await connect(path, headers);
      const [connected] = await stream.waitForEvents(1);
      return { stream, clientId: (JSON.parse(connected!.data) as { clientId: string }).clientId };
    },
    post(path, body, headers = {}) {
      return fetch(listening.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
  };
}

/** The parsed `data` of each event of a stream after the connected message. */
export function payloads(stream: SseStream): unknown[] {
  return stream.events.slice(1).map((event) => JSON.parse(event.data) as unknown);
}

/**
 * A memory adapter whose listeners can be made to lag behind its history, as an instance's Redis
 * pub/sub can lag behind the stream it reads on another connection; `since` and `lastId` can be
 * made to wait (`lastId` unless `gateLastId` is false), so the lag lands while a client is being
 * connected or a channel replayed.
 */
export function laggingAdapter({ gateLastId = true }: { gateLastId?: boolean } = {}) {
  const memory = createMemoryAdapter();
  const listeners = new Set<(event: HubEvent) => void>();
  const held: HubEvent[] = [];
  let holding = false;
  memory.subscribe((event) => {
    if (holding) held.push(event);
    else for (const listener of listeners) listener(event);
  });
  let gate: Promise<void> | undefined;
  let open = () => {};
  let reached = () => {};
  let reading = Promise.resolve();
  const wait = async () => {
    reached();
    await gate;
  };
  const adapter: HubAdapter = {
    ...memory,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    since: async (id) => (await wait(), memory.since(id)),
    lastId: async () => (gateLastId && (await wait()), memory.lastId!()),
  };
  return {
    adapter,
    /** From now on, appended events reach the listeners only on `release()`. */
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const event of held.splice(0)) for (const listener of listeners) listener(event);
    },
    /** The next history reads wait for `open()`; `reading` resolves once one is waiting. */
    close() {
      gate = new Promise((resolve) => (open = resolve));
      reading = new Promise((resolve) => (reached = resolve));
    },
    get reading() {
      return reading;
    },
    open: () => open(),
  };
}

/**
 * Starts a throwaway redis-server for the enclosing `describe` (stopped after it) and returns a
 * factory of clients, each quit after its test.
 */
export function useRedis(): () => Redis {
  let server: RedisProcess | undefined;
  beforeAll(async () => {
    server = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    const redis = new Redis(server!.url, { maxRetriesPerRequest: 1 });
    onCleanup(() => redis.quit());
    return redis;
  };
}
