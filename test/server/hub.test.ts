import { connect as connectSocket } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createHub } from '../../src/server/hub';
import { createMemoryAdapter } from '../../src/server/memory-adapter';
import type { HubAdapter, HubEvent } from '../../src/server/types';
import { eventually, listen } from '../support/listen';
import { onCleanup, payloads, startHub } from './helpers';

describe('createHub', () => {
  it('opens a stream with the event-stream headers, a retry line and the connected message', async () => {
    const { connect } = await startHub({ retry: 1234 });
    const stream = await connect();
    const [connected] = await stream.waitForEvents(1);
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.response.headers.get('connection')).toBe('keep-alive');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.text.startsWith('retry: 1234\n\n')).toBe(true);
    expect(stream.retries).toEqual([1234]);
    expect(connected!.type).toBe('message');
    expect(connected!.id).toBe('0'); // the handshake names "now": nothing stored yet
    expect(JSON.parse(connected!.data)).toEqual({ type: 'connected', clientId: expect.stringMatching(/^[\w-]{8,}$/) });
  });

  it('delivers a broadcast to every connected client as a notification event', async () => {
    const { hub, connect } = await startHub();
    const a = await connect();
    const b = await connect();
    await a.waitForEvents(1);
    await b.waitForEvents(1);
    expect(hub.clients).toBe(2);
    const id = await hub.broadcast({ title: 'Hello', body: 'world' });
    for (const stream of [a, b]) {
      const [, event] = await stream.waitForEvents(2);
      expect(event).toEqual({ type: 'notification', data: '{"title":"Hello","body":"world"}', id });
    }
  });

  it('routes channel events to the clients that named the channel in the query', async () => {
    const { hub, connect } = await startHub();
    const orders = await connect('/events?channel=orders&channel=alerts');
    const other = await connect('/events?channel=news');
    await orders.waitForEvents(1);
    await other.waitForEvents(1);
    await hub.sendToChannel('orders', { n: 1 });
    await hub.sendToChannel('alerts', { n: 2 }, 'progress');
    await hub.broadcast({ n: 3 });
    await orders.waitForEvents(4);
    await other.waitForEvents(2);
    expect(payloads(orders)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(orders.events[2]!.type).toBe('progress');
    expect(payloads(other)).toEqual([{ n: 3 }]);
  });

  it('reads channels from the configured query parameter', async () => {
    const { hub, connect } = await startHub({ channelParam: 'topic' });
    const stream = await connect('/events?topic=https%3A%2F%2Fshop.example%2Forders&channel=ignored');
    await stream.waitForEvents(1);
    await hub.sendToChannel('ignored', 'no');
    await hub.sendToChannel('https://shop.example/orders', 'yes');
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual(['yes']);
  });

  it('joins and leaves channels through the subscribe protocol', async () => {
    const { hub, connectClient, post } = await startHub();
    const { stream, clientId } = await connectClient();
    const joined = await post('/events/subscribe', { clientId, channel: 'orders' });
    expect(joined.status).toBe(200);
    expect(await joined.json()).toEqual({ ok: true, channels: ['orders'] });
    await hub.sendToChannel('orders', 'first');
    await stream.waitForEvents(2);
    const left = await post('/events/unsubscribe', { clientId, channel: 'orders' });
    expect(await left.json()).toEqual({ ok: true, channels: [] });
    await hub.sendToChannel('orders', 'second');
    await hub.broadcast('third');
    await stream.waitForEvents(3);
    expect(payloads(stream)).toEqual(['first', 'third']);
  });

  it('routes user events to the connections of that user only', async () => {
    const { hub, connect } = await startHub({
      authenticate: (req) => {
        const user = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1];
        return user ? { userId: user } : null;
      },
    });
    const alice = await connect('/events', { authorization: 'Bearer alice' });
    const aliceAgain = await connect('/events', { authorization: 'Bearer alice' });
    const bob = await connect('/events', { authorization: 'Bearer bob' });
    for (const stream of [alice, aliceAgain, bob]) await stream.waitForEvents(1);
    await hub.sendToUser('alice', 'for alice');
    await hub.broadcast('for all');
    await alice.waitForEvents(3);
    await aliceAgain.waitForEvents(3);
    await bob.waitForEvents(2);
    expect(payloads(alice)).toEqual(['for alice', 'for all']);
    expect(payloads(aliceAgain)).toEqual(['for alice', 'for all']);
    expect(payloads(bob)).toEqual(['for all']);
  });

  it('answers 401 when authenticate resolves null and 403 for a channel the user may not join', async () => {
    const { events } = await startHub({
      authenticate: (req) => (req.headers.authorization ? { userId: 'u1', channels: ['mine'] } : null),
    });
    const anonymous = await fetch(events);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toEqual({ error: 'unauthorized' });
    const forbidden = await fetch(`${events}?channel=mine&channel=theirs`, { headers: { authorization: 'Bearer x' } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: 'channel not allowed', channel: 'theirs' });
  });

  it('answers 500 and reports the error when authenticate throws', async () => {
    const onError = vi.fn();
    const failure = new Error('identity provider down');
    const { events } = await startHub({ onError, authenticate: () => Promise.reject(failure) });
    const response = await fetch(events);
    expect(response.status).toBe(500);
    await response.body?.cancel();
    expect(onError).toHaveBeenCalledWith(failure);
  });

  it('gives events strictly increasing ids', async () => {
    const { hub, connect } = await startHub();
    const stream = await connect();
    await stream.waitForEvents(1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await hub.broadcast(i));
    await stream.waitForEvents(6);
    expect(stream.events.slice(1).map((event) => event.id)).toEqual(ids);
    const numbers = ids.map(Number);
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
  });

  it('replays the events after the Last-Event-ID header, then continues live', async () => {
    const { hub, connect } = await startHub();
    const first = await hub.broadcast('one');
    await hub.broadcast('two');
    await hub.broadcast('three');
    const stream = await connect('/events', { 'last-event-id': first });
    await stream.waitForEvents(3);
    await hub.broadcast('four');
    await stream.waitForEvents(4);
    expect(payloads(stream)).toEqual(['two', 'three', 'four']);
  });

  it('replays the events after the lastEventId query parameter', async () => {
    const { hub, connect } = await startHub();
    const first = await hub.broadcast('one');
    await hub.broadcast('two');
    const stream = await connect(`/events?lastEventId=${first}`);
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual(['two']);
    expect(stream.events[1]!.id).not.toBe(first);
  });

  it('replays only what the client would have received: broadcasts, its channels and its user', async () => {
    const { hub, connect } = await startHub({ authenticate: () => ({ userId: 'alice' }) });
    const start = await hub.broadcast('start');
    await hub.sendToChannel('orders', 'order');
    await hub.sendToChannel('news', 'news');
    await hub.sendToUser('alice', 'to alice');
    await hub.sendToUser('bob', 'to bob');
    await hub.publish({ data: 'orders of bob', channel: 'orders', userId: 'bob' });
    await hub.broadcast('end');
    const stream = await connect('/events?channel=orders', { 'last-event-id': start });
    await stream.waitForEvents(4);
    await hub.broadcast('live');
    await stream.waitForEvents(5);
    expect(payloads(stream)).toEqual(['order', 'to alice', 'end', 'live']);
  });

  it('replays nothing for an id it does not know', async () => {
    const { hub, connect } = await startHub();
    await hub.broadcast('old');
    const stream = await connect('/events', { 'last-event-id': 'not-an-id' });
    await stream.waitForEvents(1);
    await hub.broadcast('new');
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual(['new']);
  });

  it('sends an event published while the history is read exactly once', async () => {
    const memory = createMemoryAdapter();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reading!: () => void;
    const started = new Promise<void>((resolve) => (reading = resolve));
    // History reads wait for the test, so publishes land between registration and replay.
    const adapter: HubAdapter = {
      ...memory,
      async since(lastEventId) {
        reading();
        await gate;
        return memory.since(lastEventId);
      },
    };
    const { hub, connect } = await startHub({ adapter });
    const first = await hub.broadcast('one');
    await hub.broadcast('two');
    const stream = await connect('/events', { 'last-event-id': first });
    await started;
    await hub.broadcast('three');
    release();
    await stream.waitForEvents(3);
    await hub.broadcast('four');
    await stream.waitForEvents(4);
    expect(payloads(stream)).toEqual(['two', 'three', 'four']);
  });

  it('sends a heartbeat comment every interval', async () => {
    const { connect } = await startHub({ heartbeatInterval: 40 });
    const stream = await connect();
    await stream.until(() => stream.comments.length >= 2, 2000, 'two heartbeats');
    expect(stream.comments.slice(0, 2)).toEqual(['heartbeat', 'heartbeat']);
    expect(stream.events).toHaveLength(1);
  });

  it('answers a CORS preflight and echoes an allowed origin with credentials', async () => {
    const { events } = await startHub({ cors: { origins: ['https://shop.example'], credentials: true } });
    const preflight = await fetch(`${events}/subscribe`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = preflight.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const name of ['authorization', 'last-event-id', 'content-type']) expect(allowed).toContain(name);
    expect(preflight.headers.get('vary')).toContain('Origin');

    const controller = new AbortController();
    const stream = await fetch(events, { headers: { origin: 'https://shop.example' }, signal: controller.signal });
    expect(stream.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(stream.headers.get('access-control-allow-credentials')).toBe('true');
    controller.abort();
  });

  it('sends no CORS headers to an origin outside the allow-list', async () => {
    const { events } = await startHub({ cors: { origins: ['https://shop.example'], credentials: true } });
    const preflight = await fetch(events, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('allows any origin with a star when credentials are off', async () => {
    const { events } = await startHub({ cors: { origins: '*' } });
    const preflight = await fetch(events, {
      method: 'OPTIONS',
      headers: { origin: 'https://any.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers 404 for an unknown client id', async () => {
    const { post } = await startHub();
    const response = await post('/events/subscribe', { clientId: 'nobody', channel: 'orders' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'unknown client' });
  });

  it('answers 400 for malformed JSON and for missing fields', async () => {
    const { post, connectClient } = await startHub();
    const { clientId } = await connectClient();
    const bodies = ['{"clientId":', '[]', 'null', { clientId }, { channel: 'orders' }, { clientId, channel: 7 }, { clientId, channel: '' }];
    const statuses = [];
    for (const body of bodies) {
      const response = await post('/events/subscribe', body);
      await response.body?.cancel();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 400]);
  });

  it('answers 413 for a body over 16 KB', async () => {
    const { post, connectClient } = await startHub();
    const { clientId } = await connectClient();
    const response = await post('/events/subscribe', { clientId, channel: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'body too large' });
  });

  it('answers 403 for a channel the user may not join and for another user’s client', async () => {
    const { post, connectClient } = await startHub({
      authenticate: (req) => {
        const user = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1];
        return user ? { userId: user, channels: ['public', `user-${user}`] } : null;
      },
    });
    const alice = { authorization: 'Bearer alice' };
    const { clientId } = await connectClient('/events', alice);
    const ok = await post('/events/subscribe', { clientId, channel: 'user-alice' }, alice);
    expect(ok.status).toBe(200);
    const notAllowed = await post('/events/subscribe', { clientId, channel: 'user-bob' }, alice);
    expect(notAllowed.status).toBe(403);
    expect(await notAllowed.json()).toEqual({ error: 'channel not allowed', channel: 'user-bob' });
    const hijack = await post('/events/subscribe', { clientId, channel: 'public' }, { authorization: 'Bearer bob' });
    expect(hijack.status).toBe(403);
    expect(await hijack.json()).toEqual({ error: 'client belongs to another user' });
    const anonymous = await post('/events/unsubscribe', { clientId, channel: 'public' });
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
  });

  it('answers 405 for a method an endpoint does not serve', async () => {
    const { events } = await startHub();
    const post = await fetch(events, { method: 'POST', body: '{}' });
    const get = await fetch(`${events}/subscribe`);
    expect([post.status, get.status]).toEqual([405, 405]);
    expect(post.headers.get('allow')).toBe('GET, OPTIONS');
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    await post.body?.cancel();
    await get.body?.cancel();
  });

  it('disconnects a client whose unread output exceeds maxBufferedBytes and keeps serving the others', async () => {
    const { hub, url, connect } = await startHub({ maxBufferedBytes: 64 * 1024, heartbeatInterval: 0 });
    const healthy = await connect();
    await healthy.waitForEvents(1);
    // A raw socket that sends the request and then never reads a byte.
    const socket: Socket = connectSocket(Number(new URL(url).port), '127.0.0.1');
    onCleanup(() => socket.destroy());
    socket.pause();
    socket.write('GET /events?channel=bulk HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    await eventually(() => hub.clients === 2, 3000, 'the raw client');
    const chunk = 'x'.repeat(256 * 1024);
    let published = 0;
    while (hub.clients === 2 && published < 400) {
      await hub.sendToChannel('bulk', chunk);
      published++;
      // Let the socket flush what the kernel still accepts.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(() => hub.clients === 1, 3000, 'the slow client to be dropped');
    expect(published).toBeLessThan(400);
    await hub.broadcast('still here');
    await healthy.waitForEvents(2);
    expect(payloads(healthy)).toEqual(['still here']);
  });

  it('releases every stream and the heartbeat timer on close and refuses requests afterwards', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onCleanup(() => vi.useRealTimers());
    const { hub, events, connect, server } = await startHub({ heartbeatInterval: 1000 });
    expect(vi.getTimerCount()).toBe(0);
    const a = await connect();
    const b = await connect('/events?channel=x');
    await a.waitForEvents(1);
    await b.waitForEvents(1);
    expect(vi.getTimerCount()).toBe(1);
    await hub.close();
    expect(hub.clients).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await a.waitForEnd();
    await b.waitForEnd();
    const refused = await fetch(events);
    expect(refused.status).toBe(503);
    await refused.body?.cancel();
    await expect(hub.broadcast('late')).rejects.toThrow(/after close/);
    // No connection is held open by the hub: the server closes without force.
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  it('stops the heartbeat when the last client leaves', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onCleanup(() => vi.useRealTimers());
    const { hub, connect } = await startHub();
    const stream = await connect();
    await stream.waitForEvents(1);
    expect(vi.getTimerCount()).toBe(1);
    stream.close();
    await eventually(() => hub.clients === 0, 3000, 'the client to leave');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('serialises payloads as JSON so line breaks in data cannot inject fields', async () => {
    const { hub, connect } = await startHub();
    const stream = await connect();
    await stream.waitForEvents(1);
    await hub.broadcast('line one\n\nid: 999\nevent: evil\r\ndata: x');
    await stream.waitForEvents(2);
    expect(stream.events).toHaveLength(2);
    expect(stream.events[1]!.type).toBe('notification');
    expect(JSON.parse(stream.events[1]!.data)).toBe('line one\n\nid: 999\nevent: evil\r\ndata: x');
    expect(stream.events[1]!.id).toBe('1');
  });

  it('rejects an event name with a line break and a non-string channel', async () => {
    const hub = createHub();
    onCleanup(() => hub.close());
    await expect(hub.publish({ event: 'a\nid: 5', data: 1 })).rejects.toThrow(TypeError);
    await expect(hub.publish({ data: 1, channel: 5 as unknown as string })).rejects.toThrow(/channel must be a non-empty string/);
  });

  it('throws a helpful error for an invalid option', () => {
    expect(() => createHub({ retry: -1 })).toThrow(/retry must be an integer ≥ 0/);
    expect(() => createHub({ channelParam: '' })).toThrow(/channelParam must be a non-empty string/);
    expect(() => createHub({ maxBufferedBytes: 0 })).toThrow(/maxBufferedBytes/);
  });

  it('mounts its handlers directly on a plain node:http server', async () => {
    const hub = createHub({ onError: () => {} });
    const listening = await listen((req, res) => {
      const path = req.url?.split('?')[0];
      if (path === '/sse') void hub.handleEvents(req, res);
      else if (path === '/join') void hub.handleSubscribe(req, res);
      else void hub.handleUnsubscribe(req, res);
    });
    onCleanup(async () => {
      await hub.close();
      await listening.close();
    });
    const { openSse } = await import('../support/sse-reader');
    const stream = await openSse(`${listening.url}/sse`);
    onCleanup(() => stream.close());
    const [connected] = await stream.waitForEvents(1);
    const { clientId } = JSON.parse(connected!.data) as { clientId: string };
    const join = await fetch(`${listening.url}/join`, { method: 'POST', body: JSON.stringify({ clientId, channel: 'c' }) });
    expect(join.status).toBe(200);
    await join.body?.cancel();
    await hub.sendToChannel('c', 'via handleSubscribe');
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual(['via handleSubscribe']);
  });
});

describe('memory adapter', () => {
  it('keeps the newest historySize events in order', async () => {
    const adapter = createMemoryAdapter({ historySize: 3 });
    onCleanup(() => adapter.close());
    const stored: HubEvent[] = [];
    for (let i = 1; i <= 5; i++) stored.push(await adapter.append({ event: 'message', data: String(i) }));
    expect(stored.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5']);
    expect((await adapter.since('0')).map((event) => event.data)).toEqual(['3', '4', '5']);
    expect((await adapter.since('4')).map((event) => event.data)).toEqual(['5']);
    expect(await adapter.since('5')).toEqual([]);
    expect(await adapter.since('1-0')).toEqual([]);
  });

  it('reports appended events to its listeners until they unsubscribe', async () => {
    const adapter = createMemoryAdapter();
    const listener = vi.fn();
    const off = adapter.subscribe(listener);
    await adapter.append({ event: 'message', data: '1', channel: 'c' });
    off();
    await adapter.append({ event: 'message', data: '2' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith({ id: '1', event: 'message', data: '1', channel: 'c' });
    await adapter.close();
  });

  it('refuses a history size that is not a positive integer', () => {
    expect(() => createMemoryAdapter({ historySize: 0 })).toThrow(/historySize must be a positive integer/);
  });
});
