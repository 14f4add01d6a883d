/** The subscribe protocol (SPEC §5) over a real connection on the fake fetch. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnection, type Connection } from '../../src/sse/connection';
import { createSubscriptions, unsubscribeUrlFor, type SubscriptionOptions } from '../../src/sse/subscriptions';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

let fake: FakeFetch;
let connection: Connection;
/** Every POST: url, parsed body, headers, credentials. */
let posts: { url: string; body: unknown; headers: Record<string, string>; credentials?: RequestCredentials }[];
/** Status the next POSTs get (default 200); `'network'` rejects. */
let answer: number | 'network';

const post = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
  expect(init.method).toBe('POST');
  posts.push({ url: String(input), body: JSON.parse(String(init.body)), headers: init.headers as Record<string, string>, credentials: init.credentials });
  if (answer === 'network') throw new TypeError('Failed to fetch');
  return new Response(null, { status: answer });
}) as typeof fetch;

const settle = async () => {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
};
const connected = (clientId: string) => fake.last().send(`data: ${JSON.stringify({ type: 'connected', clientId })}\n\n`);
const bodies = () => posts.map((p) => [p.url, (p.body as { clientId: string }).clientId, (p.body as { channel: string }).channel]);

function subscribe(options: Partial<SubscriptionOptions> = {}) {
  const subs = createSubscriptions(connection, { subscribeUrl: '/events/subscribe', channels: ['orders', 'alerts'], fetch: post, ...options });
  connection.connect();
  return subs;
}

beforeEach(() => {
  vi.useFakeTimers();
  fake = createFakeFetch();
  posts = [];
  answer = 200;
  connection = createConnection({ url: 'https://api.example/events', fetch: fake.fetch, storage: null, random: () => 0, channelsInQuery: false, channels: ['orders'] });
});
afterEach(() => {
  connection.close();
  vi.useRealTimers();
});

describe('unsubscribeUrlFor', () => {
  it.each([
    ['/events/subscribe', '/events/unsubscribe'],
    ['/events/subscribe/', '/events/unsubscribe/'],
    ['https://api.example/v1/subscribe?app=shop', 'https://api.example/v1/unsubscribe?app=shop'],
    ['/subscribe#x', '/unsubscribe#x'],
    ['subscribe', 'unsubscribe'],
    ['/subscribe/events', '/subscribe/events'],
    ['/events/mysubscribe', '/events/mysubscribe'],
  ])('%s → %s', (url, expected) => {
    expect(unsubscribeUrlFor(url)).toBe(expected);
  });
});

describe('createSubscriptions', () => {
  it('waits for the connected message, then POSTs { clientId, channel } per channel', async () => {
    subscribe({ channels: ['orders', 'alerts', 'orders'] });
    await settle();
    expect(fake.last().url).toBe('https://api.example/events'); // channels stay out of the query
    fake.last().send('data: {"type":"notification"}\n\ndata: not json\n\ndata: {"type":"connected"}\n\nevent: notification\ndata: {"type":"connected","clientId":"x"}\n\n');
    await settle();
    expect(posts).toEqual([]);
    connected('c1');
    await settle();
    expect(bodies()).toEqual([
      ['/events/subscribe', 'c1', 'orders'],
      ['/events/subscribe', 'c1', 'alerts'],
    ]);
    expect(posts[0].headers['content-type']).toBe('application/json');
    expect(posts[0].credentials).toBe('same-origin');
  });

  it('joins added channels and leaves removed ones at the derived unsubscribe url', async () => {
    const subs = subscribe();
    await settle();
    connected('c1');
    await settle();
    posts = [];
    subs.setChannels(['alerts', 'billing', 'billing']);
    await settle();
    expect(bodies()).toEqual([
      ['/events/subscribe', 'c1', 'billing'],
      ['/events/unsubscribe', 'c1', 'orders'],
    ]);
    posts = [];
    subs.setChannels(['billing', 'alerts']);
    await settle();
    expect(posts).toEqual([]);
  });

  it('uses an explicit unsubscribe url, the given headers and credentials', async () => {
    const subs = subscribe({ unsubscribeUrl: '/leave', headers: () => ({ authorization: 'Bearer t' }), withCredentials: true });
    await settle();
    connected('c1');
    await settle();
    subs.setChannels([]);
    await settle();
    expect(bodies().slice(2)).toEqual([
      ['/leave', 'c1', 'orders'],
      ['/leave', 'c1', 'alerts'],
    ]);
    expect(posts.every((p) => p.headers.authorization === 'Bearer t' && p.credentials === 'include')).toBe(true);
  });

  it('only records channel changes before the handshake, and subscribes the latest list once connected', async () => {
    const subs = subscribe();
    subs.setChannels(['alerts', 'billing']);
    await settle();
    expect(posts).toEqual([]);
    connected('c1');
    await settle();
    expect(bodies()).toEqual([
      ['/events/subscribe', 'c1', 'alerts'],
      ['/events/subscribe', 'c1', 'billing'],
    ]);
  });

  it('subscribes again with the new client id after a reconnect', async () => {
    subscribe({ channels: ['orders'] });
    await settle();
    connected('c1');
    await settle();
    fake.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(fake.streams).toHaveLength(2);
    connected('c2');
    await settle();
    expect(bodies()).toEqual([
      ['/events/subscribe', 'c1', 'orders'],
      ['/events/subscribe', 'c2', 'orders'],
    ]);
  });

  it('reconnects once when the server answers 404 for the client id, then subscribes anew', async () => {
    subscribe();
    await settle();
    answer = 404;
    connected('gone');
    await settle();
    expect(posts).toHaveLength(2);
    expect(fake.streams).toHaveLength(2); // both 404s, one reconnect
    expect(fake.streams[0].closed).toBe(true);
    expect(connection.state).toBe('open');
    answer = 200;
    connected('fresh');
    await settle();
    expect(bodies().slice(2)).toEqual([
      ['/events/subscribe', 'fresh', 'orders'],
      ['/events/subscribe', 'fresh', 'alerts'],
    ]);
  });

  it('swallows a failed POST: no thrown error, the connection stays open', async () => {
    subscribe();
    await settle();
    answer = 'network';
    connected('c1');
    await settle();
    expect(posts).toHaveLength(2);
    expect(connection.state).toBe('open');
  });

  it('stops listening on close()', async () => {
    const subs = subscribe();
    await settle();
    subs.close();
    connected('c1');
    subs.setChannels(['x']);
    await settle();
    expect(posts).toEqual([]);
  });
});
