/**
 * The real widget (built IIFE, test/fixtures/hub-widget.html) in Chromium against the reference
 * hub: one instance with the memory adapter, and two instances sharing one real Redis behind a
 * switchable proxy (test/support/proxy.ts) that moves the stream between them mid-burst, as a load
 * balancer draining an instance would. Every published event must reach the page exactly once,
 * and every reconnect must resume from the last id the widget saw.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createRedisAdapter } from '../../src/server/redis-adapter';
import type { HubOptions } from '../../src/server/types';
import { launchChromium, newPage, type TestPage } from '../support/chromium';
import { startProxy, type SwitchableProxy } from '../support/proxy';
import { redisUnavailable, startRedis, type RedisProcess } from '../support/redis-server';
import { start, type TestServer } from '../support/sse-test-server';

interface Recorded {
  type: string;
  detail: any;
}

const unavailable = redisUnavailable();
if (unavailable) console.warn(`Skipping the two-instance Redis browser tests: ${unavailable}.`);

// Cut streams and 503s show up as failed loads in the console; uncaught exceptions still count.
const NETWORK_NOISE = [/Failed to load resource/, /net::ERR_/];
// How many times the stream is moved in the burst, and events published per move.
const MOVES = 6;
const PER_MOVE = 12;

let browser: Browser;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (check: () => Promise<unknown>, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 25 });

/** A hub instance (the browser-test server built on the hub) serving the widget and the fixture. */
async function instance(hub: HubOptions = {}): Promise<TestServer> {
  // A short `retry:` replaces the widget's base delay, so reconnects take tens of milliseconds.
  const server = await start({ staticDir: [inject('distDir'), 'test/fixtures'], hub: { retry: 50, ...hub } });
  cleanups.push(() => server.close());
  return server;
}

async function proxyTo(upstream: TestServer): Promise<SwitchableProxy> {
  const proxy = await startProxy(upstream.url);
  cleanups.push(() => proxy.close());
  return proxy;
}

async function openWidget(proxy: SwitchableProxy): Promise<TestPage> {
  const t = await newPage(browser, { ignore: NETWORK_NOISE });
  cleanups.push(() => t.close());
  await t.page.goto(`${proxy.url}/hub-widget.html`);
  await until(async () => expect(await t.page.locator('sse-notify').getAttribute('state')).toBe('open'));
  return t;
}

const recorded = (t: TestPage) => t.page.evaluate(() => (window as unknown as { __events: Recorded[] }).__events);

/** Ids of the `notification` events the page dispatched as `sse-notification`, in order. */
async function notified(t: TestPage): Promise<string[]> {
  return (await recorded(t)).filter((e) => e.type === 'sse-notification').map((e) => e.detail.notification.id as string);
}

/** The stream requests the proxy forwarded that the hub answered with a stream, in order. */
const streams = (proxy: SwitchableProxy) => proxy.requests.filter((r) => new URL(r.url, proxy.url).pathname === '/events' && r.status === 200);

/**
 * Publishes `title` on `server` and returns its id; `published` keeps every id with its title.
 * Titles are unique, the payload has no `id`, so the widget takes the SSE id as the notification
 * id and a duplicate delivery shows up as a second `sse-notification` with that id.
 */
async function publish(server: TestServer, published: Map<string, string>, title: string): Promise<string> {
  const id = await server.publish({ event: 'notification', data: { title, body: `via ${server.url}` } });
  published.set(id, title);
  return id;
}

/** Numeric order of memory ids (`7`) and Redis stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** How many published ids the page never notified, and how many it notified more than once. */
function lossAndDuplicates(published: Map<string, string>, seen: string[]) {
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const lost = [...published.keys()].filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const unknown = [...counts.keys()].filter((id) => !published.has(id));
  return { lost, duplicated, unknown };
}

/**
 * The scenario both suites run. `servers` are the two instances (the same one twice in memory).
 *
 * 1. Right after the first handshake, before any other event, the stream is cut and the next
 *    instance refuses connects for a while, as events are published on both: the widget must come
 *    back with `Last-Event-ID` set to the handshake's id and receive all of them.
 * 2. A burst published alternately on both instances while the stream is moved between them
 *    `MOVES` times; after each move one event goes out on the old instance while the widget is
 *    still waiting out its reconnect delay, so it arrives by the new instance's replay.
 */
async function moveAround(servers: [TestServer, TestServer], proxy: SwitchableProxy, t: TestPage, handshakeId: string) {
  const published = new Map<string, string>();
  const [a, b] = servers;

  // 1. A drop right after the handshake.
  expect(streams(proxy)).toHaveLength(1);
  b.answer(503, { times: Infinity });
  // Only the stream in flight: the page's other requests (script, favicon) have ended.
  await proxy.waitForOpen(1);
  expect(proxy.switchTo(b.url)).toBe(1);
  await publish(a, published, 'while down 1');
  await publish(b, published, 'while down 2');
  await until(async () => expect(b.requests.some((r) => r.outcome === 'fault')).toBe(true));
  await publish(a, published, 'while down 3');
  b.reset();
  await until(async () => expect(streams(proxy)).toHaveLength(2));
  const [, resumed] = streams(proxy);
  expect(resumed).toMatchObject({ upstream: b.url, lastEventId: handshakeId });
  await until(async () => expect(await notified(t)).toEqual([...published.keys()]));

  // 2. Moves in the middle of a burst.
  let publishing = true;
  const publisher = (async () => {
    for (let i = 0; publishing; i++) {
      await publish(i % 2 ? a : b, published, `burst ${i}`);
      await sleep(4);
    }
  })();
  try {
    for (let move = 0; move < MOVES; move++) {
      const from = move % 2 ? a : b;
      const to = move % 2 ? b : a;
      await proxy.waitForOpen(1);
      // Let some events flow live on this stream before it is cut.
      const before = published.size;
      await until(async () => expect(published.size).toBeGreaterThanOrEqual(before + PER_MOVE));
      await proxy.waitForOpen(1);
      expect(proxy.switchTo(to.url)).toBe(1);
      await publish(from, published, `after move ${move}, on the instance left`);
    }
    await proxy.waitForOpen(1);
    await sleep(50);
  } finally {
    publishing = false;
    await publisher;
  }

  const last = [...published.keys()].sort(compareIds).at(-1)!;
  await until(async () => expect(await notified(t)).toContain(last));
  await sleep(300); // time for a late duplicate to show up
  const seen = await notified(t);
  const { lost, duplicated, unknown } = lossAndDuplicates(published, seen);
  console.log(
    `hub ${a === b ? 'memory, one instance' : 'redis, two instances'}: ${published.size} published, ${seen.length} notified, ` +
      `${lost.length} lost, ${duplicated.length} duplicated, ${streams(proxy).length} streams (${1 + MOVES} moves)`,
  );
  expect({ lost, duplicated, unknown }).toEqual({ lost: [], duplicated: [], unknown: [] });
  // Ids increase along the page's record, across every move: nothing arrived out of order.
  expect(seen).toEqual([...published.keys()].sort(compareIds));

  // Each stream after a cut landed where the proxy pointed, and asked to resume from exactly the
  // last id the widget had seen: the last `sse-event` before that stream's `sse-open`.
  const opened = streams(proxy);
  expect(opened).toHaveLength(2 + MOVES);
  expect(opened.map((r) => r.upstream)).toEqual([a.url, b.url, ...Array.from({ length: MOVES }, (_, m) => (m % 2 ? b.url : a.url))]);
  const log = await recorded(t);
  const expectedIds: string[] = [];
  let lastId = '';
  for (const entry of log) {
    if (entry.type === 'sse-event') lastId = entry.detail.lastEventId;
    if (entry.type === 'sse-open') expectedIds.push(lastId);
  }
  expect(opened.map((r) => r.lastEventId ?? '')).toEqual(expectedIds);
  expect(expectedIds[0]).toBe('');
  expect(expectedIds[1]).toBe(handshakeId);
  expect(expectedIds.slice(2).every((id) => published.has(id))).toBe(true);
  expect(await t.page.locator('sse-notify').getAttribute('state')).toBe('open');
}

/** The `connected` handshake of the page's first stream, with the id it carried. */
async function firstHandshake(t: TestPage): Promise<{ lastEventId: string; clientId: string }> {
  const first = (await recorded(t)).find((e) => e.type === 'sse-event')!;
  expect(first.detail).toMatchObject({ type: 'message', data: { type: 'connected' } });
  return { lastEventId: first.detail.lastEventId, clientId: first.detail.data.clientId };
}

describe('hub with the memory adapter, one instance', () => {
  it('delivers every event exactly once to the real widget across drops, one of them right after the handshake', async () => {
    const server = await instance();
    const proxy = await proxyTo(server);
    const t = await openWidget(proxy);
    const { lastEventId } = await firstHandshake(t);
    // Nothing stored yet: the handshake names "0", from which the hub replays everything.
    expect(lastEventId).toBe('0');
    await moveAround([server, server], proxy, t, lastEventId);
    t.assertNoErrors();
  });

  it('names the newest stored id on the handshake, so a widget that drops at once gets only what came after', async () => {
    const server = await instance();
    const published = new Map<string, string>();
    const old = await publish(server, published, 'before the page');
    const proxy = await proxyTo(server);
    const t = await openWidget(proxy);
    expect((await firstHandshake(t)).lastEventId).toBe(old);
    server.answer(503, { times: 2 });
    await proxy.waitForOpen(1);
    expect(proxy.switchTo(server.url)).toBe(1);
    const missed = await publish(server, published, 'while down');
    await until(async () => expect(await notified(t)).toEqual([missed]));
    expect(streams(proxy).map((r) => r.lastEventId)).toEqual([undefined, old]);
    t.assertNoErrors();
  });
});

describe.skipIf(unavailable !== undefined)('hub with the Redis adapter, two instances behind a switchable proxy', () => {
  let redis: RedisProcess;

  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  /** An instance on its own Redis connection, sharing the stream `key`. */
  async function redisInstance(key: string): Promise<TestServer> {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    cleanups.push(() => client.quit());
    return instance({ adapter: createRedisAdapter({ redis: client, key }) });
  }

  it('moves the real widget between instances mid-stream with no event lost or duplicated, resuming by Last-Event-ID', async () => {
    const key = `e2e:${randomUUID()}`;
    const a = await redisInstance(key);
    const b = await redisInstance(key);
    const proxy = await proxyTo(a);
    const t = await openWidget(proxy);
    const { lastEventId } = await firstHandshake(t);
    // The stream is empty: the handshake names "0", which B reads as "from the start".
    expect(lastEventId).toBe('0');
    await moveAround([a, b], proxy, t, lastEventId);
    t.assertNoErrors();
  });
});
