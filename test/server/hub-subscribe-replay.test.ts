/**
 * A subscribe-protocol client that resumes joins its channels by POST after its stream's replay
 * has run: the hub then sends what it missed of each channel it joins, once, and in id order
 * among that channel's events. Both adapters (two instances with Redis), plus listeners that lag.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedisAdapter } from '../../src/server/redis-adapter';
import type { HubOptions } from '../../src/server/types';
import { redisUnavailable } from '../support/redis-server';
import type { SseStream } from '../support/sse-reader';
import { payloads, startHub, laggingAdapter, useRedis } from './helpers';
import type { HubServer } from './helpers';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`Skipping the Redis subscribe-replay tests: ${unavailable}.`);

/** The ids of the events after the handshake. */
const ids = (stream: SseStream) => stream.events.slice(1).map((event) => event.id);

/** Numeric order of memory ids (`7`) and stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

const byId = (list: string[]) => [...list].sort(compareIds);

/** Opens a stream (resuming from `lastEventId` when given) and returns it with its client id. */
async function open(server: HubServer, lastEventId?: string, headers: Record<string, string> = {}) {
  return server.connectClient('/events', lastEventId === undefined ? headers : { ...headers, 'last-event-id': lastEventId });
}

async function subscribe(server: HubServer, clientId: string, channel: string, headers: Record<string, string> = {}) {
  const response = await server.post('/events/subscribe', { clientId, channel }, headers);
  expect(response.status).toBe(200);
  await response.body?.cancel();
}

/** Publishes a broadcast marker and waits until `stream` got it: everything sent before it has arrived. */
async function settle(server: HubServer, stream: SseStream): Promise<string> {
  const marker = await server.hub.broadcast('marker');
  await stream.until(() => stream.events.some((event) => event.id === marker), 3000, `marker ${marker}`);
  return marker;
}

interface Setup {
  /** Two hubs sharing one store: the same hub twice in memory, two instances with Redis. */
  pair(options?: HubOptions): Promise<[HubServer, HubServer]>;
}

function subscribeReplayTests(setup: () => Setup) {
  it('sends a resumed client the events of a channel it joins again that it missed, with the broadcasts, each once and nothing of other channels', async () => {
    const [a, b] = await setup().pair();
    const first = await open(a);
    await subscribe(a, first.clientId, 'orders');
    await a.hub.sendToChannel('orders', 'seen');
    await first.stream.waitForEvents(2);
    const last = first.stream.events[1]!.id;
    first.stream.close();
    await first.stream.waitForEnd();

    const missedOrders = [await b.hub.sendToChannel('orders', 'missed 1'), await a.hub.sendToChannel('orders', 'missed 2')];
    await b.hub.sendToChannel('stock', 'other channel');
    const missedBroadcast = await a.hub.broadcast('missed broadcast');
    const missedOrder3 = await b.hub.sendToChannel('orders', 'missed 3');

    const again = await open(b, last);
    await subscribe(b, again.clientId, 'orders');
    const live = await a.hub.sendToChannel('orders', 'live');
    const marker = await settle(b, again.stream);

    const got = ids(again.stream);
    expect(new Set(got).size).toBe(got.length);
    expect(byId(got)).toEqual([...missedOrders, missedBroadcast, missedOrder3, live, marker]);
    // The channel's own events arrive in id order, so the client's last id never goes back within the channel.
    const orders = again.stream.events.slice(1).filter((event) => event.data !== '"missed broadcast"' && event.data !== '"marker"');
    expect(orders.map((event) => JSON.parse(event.data))).toEqual(['missed 1', 'missed 2', 'missed 3', 'live']);
    expect(payloads(again.stream)).not.toContain('other channel');
  });

  it('replays a channel only on its first join on a stream: leaving and joining again sends nothing twice', async () => {
    const [a, b] = await setup().pair();
    const start = await a.hub.broadcast('start');
    const missed = await b.hub.sendToChannel('orders', 'missed');
    const { stream, clientId } = await open(a, start);
    await subscribe(a, clientId, 'orders');
    await stream.until(() => ids(stream).includes(missed), 3000, 'the missed event');
    const left = await a.post('/events/unsubscribe', { clientId, channel: 'orders' });
    expect(left.status).toBe(200);
    await b.hub.sendToChannel('orders', 'while away');
    // Instance a has seen 'while away' (pub/sub keeps publish order) before the client joins again.
    await settle(a, stream);
    await subscribe(a, clientId, 'orders');
    await b.hub.sendToChannel('orders', 'back');
    await settle(a, stream);
    expect(payloads(stream)).toEqual(['missed', 'marker', 'back', 'marker']);
  });

  it('sends a fresh client that joins a channel nothing from the history', async () => {
    const [a, b] = await setup().pair();
    await b.hub.sendToChannel('orders', 'old');
    const { stream, clientId } = await open(a);
    await subscribe(a, clientId, 'orders');
    await b.hub.sendToChannel('orders', 'new');
    await settle(a, stream);
    expect(payloads(stream)).toEqual(['new', 'marker']);
  });

  it('replays no channel event addressed to another user', async () => {
    const authenticate: HubOptions['authenticate'] = (req) => ({ userId: req.headers['x-user'] as string });
    const [a, b] = await setup().pair({ authenticate });
    const alice = { 'x-user': 'alice' };
    const start = await a.hub.broadcast('start');
    await b.hub.publish({ channel: 'orders', userId: 'bob', data: 'for bob' });
    await b.hub.publish({ channel: 'orders', userId: 'alice', data: 'for alice' });
    await b.hub.sendToChannel('orders', 'for everyone');
    const { stream, clientId } = await open(a, start, alice);
    await subscribe(a, clientId, 'orders', alice);
    await settle(a, stream);
    expect(payloads(stream)).toEqual(['for alice', 'for everyone', 'marker']);
  });

  it('moves a subscribe-protocol reader between instances while its channel is published to, with nothing lost or doubled', async () => {
    const [a, b] = await setup().pair();
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        published.push(await (i % 2 ? a : b).hub.sendToChannel('orders', i));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const received: string[] = [];
    let last: string | undefined;
    try {
      for (let hop = 0; hop < 12; hop++) {
        const server = hop % 2 ? b : a;
        const { stream, clientId } = await open(server, last);
        await subscribe(server, clientId, 'orders');
        await stream.until(() => stream.events.length >= 1 + 4 + (hop % 3), 3000, 'a few events');
        stream.close();
        // The client keeps the id of the last event it read, as the widget does.
        for (const id of ids(stream)) received.push((last = id));
      }
    } finally {
      publishing = false;
      await publisher;
    }
    const rest = await open(a, last);
    await subscribe(a, rest.clientId, 'orders');
    await rest.stream.until(() => [...received, ...ids(rest.stream)].at(-1) === published.at(-1), 3000, 'the rest');
    received.push(...ids(rest.stream));
    // A fresh client joins "from now": everything from its first event on, once and in order.
    expect(received).toEqual(published.filter((id) => compareIds(id, received[0]!) >= 0));
    expect(received.length).toBeGreaterThan(50);
  });
}

describe('hub subscribe replay with the memory adapter', () => {
  subscribeReplayTests(() => ({
    async pair(options) {
      const hub = await startHub(options);
      return [hub, hub];
    },
  }));
});

describe('hub subscribe replay of a large channel history', () => {
  it('sends a missed channel history larger than maxBufferedBytes in full, as the socket takes it', async () => {
    const server = await startHub({ maxBufferedBytes: 64 * 1024, heartbeatInterval: 0 });
    const start = await server.hub.broadcast('start');
    // About 2 MB missed on the channel: far beyond what a socket takes in one go.
    for (let i = 1; i <= 250; i++) await server.hub.sendToChannel('orders', `${i}:${'r'.repeat(8 * 1024)}`);
    const { stream, clientId } = await open(server, start);
    await subscribe(server, clientId, 'orders');
    await settle(server, stream);
    expect(stream.ended).toBe(false);
    const numbers = payloads(stream).slice(0, -1).map((data) => (data as string).split(':')[0]);
    expect(numbers).toEqual(Array.from({ length: 250 }, (_, i) => String(i + 1)));
  }, 20_000);
});

describe.skipIf(unavailable !== undefined)('hub subscribe replay with the Redis adapter', () => {
  const client = useRedis();

  subscribeReplayTests(() => ({
    async pair(options) {
      const key = `test:${randomUUID()}`;
      const a = await startHub({ ...options, adapter: createRedisAdapter({ redis: client(), key }) });
      const b = await startHub({ ...options, adapter: createRedisAdapter({ redis: client(), key }) });
      return [a, b];
    },
  }));
});


describe('hub subscribe replay with listeners lagging behind the history', () => {
  /** A client that saw `seen` on `orders` and dropped; returns the id to resume from. */
  async function dropAfterOne(server: HubServer): Promise<string> {
    const { stream, clientId } = await open(server);
    await subscribe(server, clientId, 'orders');
    const seen = await server.hub.sendToChannel('orders', 'seen');
    await stream.waitForEvents(2);
    stream.close();
    await stream.waitForEnd();
    return seen;
  }

  it('sends a replayed channel event once when its live copy arrives after the join', async () => {
    const lag = laggingAdapter({ gateLastId: false });
    const server = await startHub({ adapter: lag.adapter });
    const seen = await dropAfterOne(server);
    lag.hold();
    await server.hub.sendToChannel('orders', 'missed 1');
    await server.hub.sendToChannel('stock', 'other channel');
    await server.hub.broadcast('missed broadcast');
    await server.hub.sendToChannel('orders', 'missed 2');
    const { stream, clientId } = await open(server, seen);
    await stream.waitForEvents(2);
    await subscribe(server, clientId, 'orders');
    lag.release();
    await server.hub.sendToChannel('orders', 'live');
    await settle(server, stream);
    expect(payloads(stream)).toEqual(['missed broadcast', 'missed 1', 'missed 2', 'live', 'marker']);
  });

  it('holds live events of the channel while its history is read and sends each once, in id order', async () => {
    const lag = laggingAdapter({ gateLastId: false });
    const server = await startHub({ adapter: lag.adapter });
    const seen = await dropAfterOne(server);
    lag.hold();
    await server.hub.sendToChannel('orders', 'missed 1');
    await server.hub.broadcast('missed broadcast');
    const { stream, clientId } = await open(server, seen);
    await stream.waitForEvents(2);
    lag.close();
    const joined = server.post('/events/subscribe', { clientId, channel: 'orders' });
    await lag.reading;
    // While the channel's history is read: the lagging copies arrive, and a new event comes live.
    lag.release();
    await server.hub.sendToChannel('orders', 'during the join');
    await server.hub.broadcast('broadcast during the join');
    lag.open();
    expect((await joined).status).toBe(200);
    await server.hub.sendToChannel('orders', 'live');
    await settle(server, stream);
    expect(payloads(stream)).toEqual([
      'missed broadcast',
      'broadcast during the join',
      'missed 1',
      'during the join',
      'live',
      'marker',
    ]);
  });

  it('replays the channel once when the join arrives while the stream replay is still being read', async () => {
    const lag = laggingAdapter({ gateLastId: false });
    const server = await startHub({ adapter: lag.adapter });
    const seen = await dropAfterOne(server);
    lag.hold();
    await server.hub.sendToChannel('orders', 'missed 1');
    await server.hub.broadcast('missed broadcast');
    lag.close();
    const { stream, clientId } = await open(server, seen);
    await lag.reading;
    const joined = server.post('/events/subscribe', { clientId, channel: 'orders' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the POST reaches the hub
    lag.release();
    await server.hub.sendToChannel('orders', 'during the replay');
    lag.open();
    expect((await joined).status).toBe(200);
    await server.hub.sendToChannel('orders', 'live');
    await settle(server, stream);
    const got = ids(stream);
    expect(new Set(got).size).toBe(got.length);
    expect(payloads(stream).filter((data) => data !== 'missed broadcast')).toEqual(['missed 1', 'during the replay', 'live', 'marker']);
    expect(payloads(stream)).toContain('missed broadcast');
  });
});
