import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisAdapter } from '../../src/server/redis-adapter';
import type { RedisAdapterOptions } from '../../src/server/redis-adapter';
import { redisUnavailable } from '../support/redis-server';
import { onCleanup, payloads, startHub, useRedis } from './helpers';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`Skipping the Redis adapter tests: ${unavailable}.`);

/** Stream ids `<ms>-<seq>` in numeric order. */
function increasing(ids: string[]): boolean {
  const keys = ids.map((id) => id.split('-').map(BigInt) as [bigint, bigint]);
  return keys.every(([ms, seq], i) => {
    if (i === 0) return true;
    const [prevMs, prevSeq] = keys[i - 1]!;
    return ms > prevMs || (ms === prevMs && seq > prevSeq);
  });
}

describe.skipIf(unavailable !== undefined)('redis adapter', () => {
  const client = useRedis();

  function adapter(options: Omit<RedisAdapterOptions, 'redis'> = {}) {
    const created = createRedisAdapter({ redis: client(), ...options });
    onCleanup(() => created.close());
    return created;
  }

  /** A hub on its own Redis connection: a separate instance sharing the stream `key`. */
  function instance(key: string) {
    return startHub({ adapter: createRedisAdapter({ redis: client(), key }) });
  }

  it('numbers events with increasing stream ids and reads back those after an id', async () => {
    const store = adapter({ key: `test:${randomUUID()}` });
    const first = await store.append({ event: 'notification', data: '"a"', channel: 'orders' });
    const second = await store.append({ event: 'progress', data: '"b"', userId: 'alice' });
    const third = await store.append({ event: 'notification', data: '"c"' });
    expect(first.id).toMatch(/^\d+-\d+$/);
    expect(increasing([first.id, second.id, third.id])).toBe(true);
    expect(await store.since(first.id)).toEqual([second, third]);
    expect(await store.since(third.id)).toEqual([]);
    expect(await store.since('not an id')).toEqual([]);
    expect(await store.since('0')).toEqual([first, second, third]);
  });

  it('trims the stream to about historySize entries', async () => {
    const key = `test:${randomUUID()}`;
    const store = adapter({ key, historySize: 10 });
    for (let i = 0; i < 250; i++) await store.append({ event: 'message', data: String(i) });
    const length = await client().xlen(key);
    // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), never below the bound.
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(250);
    const kept = await store.since('0');
    expect(kept.at(-1)!.data).toBe('249');
  });

  it('delivers a local publish exactly once, through pub/sub', async () => {
    const a = await instance(`test:${randomUUID()}`);
    const stream = await a.connect();
    await stream.waitForEvents(1);
    for (const n of [1, 2, 3]) await a.hub.broadcast(n);
    await a.hub.broadcast('last');
    await stream.waitForEvents(5);
    // pub/sub keeps publish order, so a duplicate would have arrived before 'last'.
    expect(payloads(stream)).toEqual([1, 2, 3, 'last']);
  });

  it('delivers what one instance publishes to the clients of every instance', async () => {
    const key = `test:${randomUUID()}`;
    const a = await instance(key);
    const b = await instance(key);
    const onA = await a.connect('/events?channel=orders');
    const onB = await b.connect('/events?channel=orders');
    await onA.waitForEvents(1);
    await onB.waitForEvents(1);
    await a.hub.sendToChannel('orders', 'from a');
    await b.hub.sendToChannel('orders', 'from b');
    await onA.waitForEvents(3);
    await onB.waitForEvents(3);
    expect(payloads(onA)).toEqual(['from a', 'from b']);
    expect(payloads(onB)).toEqual(['from a', 'from b']);
    expect(onA.events.slice(1).map((e) => e.id)).toEqual(onB.events.slice(1).map((e) => e.id));
  });

  it('resumes a client on another instance with exactly the events it missed', async () => {
    const key = `test:${randomUUID()}`;
    const a = await instance(key);
    const b = await instance(key);
    const first = await a.connect('/events?channel=orders');
    await first.waitForEvents(1);
    await a.hub.sendToChannel('orders', 'o1');
    await b.hub.sendToChannel('orders', 'o2');
    await a.hub.broadcast('b3');
    await first.waitForEvents(4);
    const lastSeen = first.events.at(-1)!.id;
    first.close();

    await b.hub.sendToChannel('orders', 'o4');
    await a.hub.sendToChannel('news', 'not for this client');
    await a.hub.sendToUser('someone', 'not for this client either');
    await a.hub.broadcast('b5');
    const resumed = await b.connect('/events?channel=orders', { 'last-event-id': lastSeen });
    await resumed.waitForEvents(3);
    await a.hub.sendToChannel('orders', 'o6 live');
    await resumed.waitForEvents(4);

    expect(payloads(first)).toEqual(['o1', 'o2', 'b3']);
    expect(payloads(resumed)).toEqual(['o4', 'b5', 'o6 live']);
    const ids = [...first.events, ...resumed.events].map((e) => e.id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    expect(increasing([...new Set(ids)])).toBe(true);
  });

  it('keeps id order for clients when two instances publish at the same time', async () => {
    const key = `test:${randomUUID()}`;
    const a = await instance(key);
    const b = await instance(key);
    const stream = await b.connect();
    await stream.waitForEvents(1);
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => a.hub.broadcast(`a${i}`)),
      ...Array.from({ length: 40 }, (_, i) => b.hub.broadcast(`b${i}`)),
    ]);
    await stream.waitForEvents(81);
    const ids = stream.events.slice(1).map((e) => e.id);
    expect(new Set(ids).size).toBe(80);
    expect(increasing(ids)).toBe(true);
  });

  it('ends its streams once a lost pub/sub connection is back, so clients resume from the stream', async () => {
    const a = await instance(`test:${randomUUID()}`);
    const first = await a.connect();
    await first.waitForEvents(1);
    await a.hub.broadcast('before');
    await first.waitForEvents(2);
    const killed = await client().client('KILL', 'TYPE', 'pubsub');
    expect(killed).toBeGreaterThanOrEqual(1);
    await a.hub.broadcast('during');
    await first.waitForEnd(5000);
    const resumed = await a.connect('/events', { 'last-event-id': first.events.at(-1)!.id });
    await resumed.until(() => resumed.events.some((e) => e.data === '"during"') || first.events.some((e) => e.data === '"during"'));
    await a.hub.broadcast('after');
    await resumed.until(() => resumed.events.some((e) => e.data === '"after"'), 3000, 'the live event');
    expect([...payloads(first), ...payloads(resumed)]).toEqual(['before', 'during', 'after']);
  });

  it('refuses a redis option that is not an ioredis client', () => {
    expect(() => createRedisAdapter({ redis: 'redis://localhost' as unknown as Redis })).toThrow(/must be an ioredis client/);
  });
});
