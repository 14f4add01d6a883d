/**
 * The `connected` handshake carries the id to resume from, so a client that drops before any
 * other event still resumes without loss: the newest stored id on a fresh connect ("now"), no id
 * on a resumed one (a newer id would skip the replay). Both adapters, the same expectations.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryAdapter } from '../../src/server/memory-adapter';
import { createRedisAdapter } from '../../src/server/redis-adapter';
import type { HubAdapter, HubOptions } from '../../src/server/types';
import { redisUnavailable } from '../support/redis-server';
import type { SseStream } from '../support/sse-reader';
import { onCleanup, payloads, startHub, laggingAdapter, useRedis } from './helpers';
import type { HubServer } from './helpers';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`Skipping the Redis handshake tests: ${unavailable}.`);

/** The handshake of a stream: its id ('' when the frame named none) and client id. */
async function handshake(stream: SseStream): Promise<{ id: string; clientId: string }> {
  const [first] = await stream.waitForEvents(1);
  const data = JSON.parse(first!.data) as { type: string; clientId: string };
  expect(data.type).toBe('connected');
  return { id: first!.id, clientId: data.clientId };
}

/** The ids of the events after the handshake. */
const ids = (stream: SseStream) => stream.events.slice(1).map((event) => event.id);

/** Numeric order of memory ids (`7`) and stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

interface Setup {
  /** Two hubs sharing one store: the same hub twice in memory, two instances with Redis. */
  pair(options?: HubOptions): Promise<[HubServer, HubServer]>;
  adapter(): HubAdapter;
  /** The id the adapter gives the first event of an empty store, matched loosely. */
  idPattern: RegExp;
}

function handshakeTests(setup: () => Setup) {
  it('names "0" on a fresh connect to an empty history, from which a dropped client resumes everything published since', async () => {
    const [a, b] = await setup().pair();
    const first = await a.connect('/events?channel=orders');
    const { id } = await handshake(first);
    expect(id).toBe('0');
    first.close();
    const published = [await a.hub.broadcast('one'), await b.hub.sendToChannel('orders', 'two'), await a.hub.broadcast('three')];
    const resumed = await b.connect('/events?channel=orders', { 'last-event-id': id });
    await resumed.waitForEvents(4);
    expect(payloads(resumed)).toEqual(['one', 'two', 'three']);
    expect(ids(resumed)).toEqual(published);
  });

  it('names the newest stored id on a fresh connect, so a resume brings what came after the connect and nothing from before', async () => {
    const [a, b] = await setup().pair();
    await a.hub.broadcast('before 1');
    const newest = await b.hub.broadcast('before 2');
    const first = await a.connect();
    expect((await handshake(first)).id).toBe(newest);
    first.close();
    await first.waitForEnd();
    await a.hub.broadcast('after 1');
    await b.hub.broadcast('after 2');
    const resumed = await b.connect(`/events?lastEventId=${encodeURIComponent(newest)}`);
    await resumed.waitForEvents(3);
    await a.hub.broadcast('live');
    await resumed.waitForEvents(4);
    expect(payloads(resumed)).toEqual(['after 1', 'after 2', 'live']);
  });

  it('names no id on a resumed connect, by header or query, and replays after the handshake', async () => {
    const [a, b] = await setup().pair();
    const start = await a.hub.broadcast('start');
    const later = await b.hub.broadcast('later');
    for (const resumed of [
      await b.connect('/events', { 'last-event-id': start }),
      await a.connect(`/events?lastEventId=${encodeURIComponent(start)}`),
    ]) {
      expect((await handshake(resumed)).id).toBe('');
      await resumed.waitForEvents(2);
      expect(resumed.events[1]).toEqual({ type: 'notification', data: '"later"', id: later });
      // The frame itself has no id line: a client that keeps its id across streams keeps `start`.
      expect(resumed.text.split('\n\n').find((frame) => frame.includes('"connected"'))).not.toMatch(/^id:/m);
    }
  });

  it('delivers every event stored after the handshake id exactly once while publishes race the connects', async () => {
    const [a, b] = await setup().pair();
    const published: string[] = [];
    const streams: SseStream[] = [];
    const connects: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      published.push(await (i % 2 ? a : b).hub.broadcast(i));
      if (i % 6 === 0) connects.push((i % 12 ? a : b).connect().then((stream) => void streams.push(stream)));
    }
    await Promise.all(connects);
    const last = published.at(-1)!;
    for (const stream of streams) await stream.until(() => stream.events.at(-1)?.id === last, 3000, `event ${last}`);
    expect(streams).toHaveLength(10);
    for (const stream of streams) {
      const { id } = await handshake(stream);
      const after = published.filter((p) => compareIds(p, id) > 0);
      const got = ids(stream);
      // An event stored just before the handshake's id was read may still be on its way through
      // pub/sub; sending it is not a duplicate, missing one after the id would be a loss.
      expect(new Set(got).size).toBe(got.length);
      expect(got.filter((g) => compareIds(g, id) > 0)).toEqual(after);
    }
  });

  it('moves a reader between instances mid-burst, resuming from its last id, with nothing lost or doubled', async () => {
    const [a, b] = await setup().pair();
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        published.push(await (i % 2 ? a : b).hub.broadcast(i));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const received: string[] = [];
    let start: string | undefined;
    let last: string | undefined;
    try {
      for (let hop = 0; hop < 16; hop++) {
        const stream = await (hop % 2 ? b : a).connect('/events', last === undefined ? {} : { 'last-event-id': last });
        const { id } = await handshake(stream);
        start ??= id;
        last ??= id;
        await stream.until(() => stream.events.length >= 1 + 5 + (hop % 3), 3000, 'a few events');
        stream.close();
        for (const event of stream.events.slice(1)) received.push((last = event.id));
      }
    } finally {
      publishing = false;
      await publisher;
    }
    const missed = await a.connect('/events', { 'last-event-id': last! });
    await missed.until(() => [...received, ...ids(missed)].at(-1) === published.at(-1), 3000, 'the rest');
    received.push(...ids(missed));
    // Nothing from before the first connect, everything after it, once and in order.
    expect(received).toEqual(published.filter((id) => compareIds(id, start!) > 0));
    expect(received.length).toBeGreaterThan(80);
  });

  it('sends the handshake without an id and keeps streaming when the adapter cannot tell its newest id', async () => {
    const { adapter: make } = setup();
    const adapter = make();
    const failure = new Error('newest id unavailable');
    const onError = vi.fn();
    const { hub, connect } = await startHub({ adapter: { ...adapter, lastId: () => Promise.reject(failure) }, onError });
    const stream = await connect();
    expect((await handshake(stream)).id).toBe('');
    const id = await hub.broadcast('still here');
    await stream.waitForEvents(2);
    expect(stream.events[1]!.id).toBe(id);
    expect(onError).toHaveBeenCalledWith(failure);
  });

  it('reports its newest id as lastId, "0" while empty, and reads everything after "0"', async () => {
    const { adapter: make, idPattern } = setup();
    const adapter = make();
    expect(await adapter.lastId!()).toBe('0');
    expect(await adapter.since('0')).toEqual([]);
    const one = await adapter.append({ event: 'notification', data: '"one"' });
    const two = await adapter.append({ event: 'notification', data: '"two"', channel: 'orders' });
    expect(one.id).toMatch(idPattern);
    expect(await adapter.lastId!()).toBe(two.id);
    expect(await adapter.since('0')).toEqual([one, two]);
    expect(await adapter.since((await adapter.lastId!())!)).toEqual([]);
  });
}

describe('hub handshake with listeners lagging behind the history', () => {
  it('sends a replayed event once when its live copy arrives after the replay', async () => {
    const lag = laggingAdapter();
    const { hub, connect } = await startHub({ adapter: lag.adapter });
    const first = await hub.broadcast('one');
    lag.hold();
    await hub.broadcast('two');
    const stream = await connect('/events', { 'last-event-id': first });
    await stream.waitForEvents(2);
    lag.release();
    await hub.broadcast('three');
    await stream.waitForEvents(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(payloads(stream)).toEqual(['two', 'three']);
  });

  it('does not resend events up to the resume id that reach this instance late', async () => {
    const lag = laggingAdapter();
    const { hub, connect } = await startHub({ adapter: lag.adapter });
    lag.hold();
    await hub.broadcast('one');
    const seen = await hub.broadcast('two'); // the client got these from another instance
    lag.close();
    const stream = await connect('/events', { 'last-event-id': seen });
    await lag.reading;
    lag.release();
    lag.open();
    await hub.broadcast('three');
    await stream.waitForEvents(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(payloads(stream)).toEqual(['three']);
  });

  it('does not send a fresh client the events up to its handshake id that reach this instance late', async () => {
    const lag = laggingAdapter();
    const { hub, connect } = await startHub({ adapter: lag.adapter });
    lag.hold();
    const before = await hub.broadcast('before the connect');
    lag.close();
    const stream = await connect();
    await lag.reading;
    lag.release();
    lag.open();
    expect((await handshake(stream)).id).toBe(before);
    await hub.broadcast('after the connect');
    await stream.waitForEvents(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(payloads(stream)).toEqual(['after the connect']);
  });
});

describe('hub handshake with the memory adapter', () => {
  handshakeTests(() => ({
    async pair(options) {
      const hub = await startHub(options);
      return [hub, hub];
    },
    adapter: () => {
      const adapter = createMemoryAdapter();
      onCleanup(() => adapter.close());
      return adapter;
    },
    idPattern: /^1$/,
  }));

  it('keeps naming the newest id once the ring buffer has dropped older events', async () => {
    const adapter = createMemoryAdapter({ historySize: 3 });
    for (let i = 0; i < 10; i++) await adapter.append({ event: 'message', data: String(i) });
    expect(await adapter.lastId!()).toBe('10');
    expect((await adapter.since('0')).map((event) => event.id)).toEqual(['8', '9', '10']);
  });
});

describe.skipIf(unavailable !== undefined)('hub handshake with the Redis adapter', () => {
  const client = useRedis();

  handshakeTests(() => ({
    async pair(options) {
      const key = `test:${randomUUID()}`;
      const a = await startHub({ ...options, adapter: createRedisAdapter({ redis: client(), key }) });
      const b = await startHub({ ...options, adapter: createRedisAdapter({ redis: client(), key }) });
      return [a, b];
    },
    adapter: () => {
      const adapter = createRedisAdapter({ redis: client(), key: `test:${randomUUID()}` });
      onCleanup(() => adapter.close());
      return adapter;
    },
    idPattern: /^\d+-\d+$/,
  }));

  it('keeps naming the newest id once the stream has been trimmed', async () => {
    const key = `test:${randomUUID()}`;
    const adapter = createRedisAdapter({ redis: client(), key, historySize: 5 });
    onCleanup(() => adapter.close());
    let newest = '';
    for (let i = 0; i < 300; i++) newest = (await adapter.append({ event: 'message', data: String(i) })).id;
    expect(await client().xlen(key)).toBeLessThan(300);
    expect(await adapter.lastId!()).toBe(newest);
    expect((await adapter.since('0')).at(-1)!.id).toBe(newest);
  });
});
