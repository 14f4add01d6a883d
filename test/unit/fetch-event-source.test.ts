/**
 * FetchEventSource on its own, as a WHATWG EventSource in Node, against real
 * node:http servers on 127.0.0.1 (and the driven fake fetch where only fake
 * timers can prove that nothing is left behind).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FetchEventSource, type FetchEventSourceError } from '../../src/sse/transport-fetch';
import { createFakeFetch } from '../support/fake-fetch';
import { listen, type Listening } from '../support/listen';

interface Hit {
  n: number;
  req: IncomingMessage;
  res: ServerResponse;
  /** The request's socket has closed (the client aborted, or the response ended). */
  closed: boolean;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server whose `handler` answers the n-th request (0-based). */
async function serve(handler: (hit: Hit) => void) {
  const hits: Hit[] = [];
  const listening: Listening = await listen((req, res) => {
    const hit: Hit = { n: hits.length, req, res, closed: false };
    req.socket.once('close', () => (hit.closed = true));
    hits.push(hit);
    handler(hit);
  });
  cleanups.push(() => listening.close());
  return { url: listening.url + '/events', hits };
}

/** Starts an event stream and writes `text`. */
function stream(res: ServerResponse, text = '') {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  res.flushHeaders();
  if (text) res.write(text);
}

/** A source closed after the test. */
function source(url: string, init?: ConstructorParameters<typeof FetchEventSource>[1]) {
  const es = new FetchEventSource(url, init);
  cleanups.push(() => es.close());
  return es;
}

/** Records every event of the given types, in order. */
function record(es: FetchEventSource, types: string[]) {
  const log: { type: string; data?: string; lastEventId?: string; readyState: number; event: Event }[] = [];
  for (const type of types) {
    es.addEventListener(type, (event: Event) => {
      const m = event as MessageEvent;
      log.push({ type, data: m.data, lastEventId: m.lastEventId, readyState: es.readyState, event });
    });
  }
  return log;
}

describe('FetchEventSource', () => {
  it('goes CONNECTING, OPEN, CONNECTING on a dropped stream, OPEN again, then CLOSED on close()', async () => {
    const server = await serve(({ n, res }) => {
      stream(res, n === 0 ? 'retry: 20\ndata: first\n\n' : 'data: second\n\n');
    });
    const es = source(server.url);
    const log = record(es, ['open', 'message', 'error']);
    expect(es.readyState).toBe(FetchEventSource.CONNECTING);
    expect(es.url).toBe(server.url);
    expect(es.withCredentials).toBe(false);
    await vi.waitFor(() => expect(log.map((e) => e.type)).toEqual(['open', 'message']));
    expect(es.readyState).toBe(FetchEventSource.OPEN);
    server.hits[0].res.socket!.destroy();
    await vi.waitFor(() => expect(log.map((e) => e.type)).toEqual(['open', 'message', 'error', 'open', 'message']));
    expect(log.map((e) => e.readyState)).toEqual([1, 1, 0, 1, 1]);
    expect(log.map((e) => e.data).filter(Boolean)).toEqual(['first', 'second']);
    es.close();
    expect(es.readyState).toBe(FetchEventSource.CLOSED);
    expect([es.CONNECTING, es.OPEN, es.CLOSED]).toEqual([0, 1, 2]);
  });

  it('calls onopen, onmessage and each listener exactly once per event', async () => {
    const server = await serve(({ res }) => stream(res, 'data: one\n\ndata: two\n\n'));
    const es = source(server.url);
    const calls: string[] = [];
    es.onopen = () => calls.push('onopen');
    es.onmessage = (e) => calls.push('onmessage ' + e.data);
    const listener = (e: MessageEvent) => calls.push('listener ' + e.data);
    es.addEventListener('message', listener);
    es.addEventListener('message', listener); // the same listener twice is one listener
    es.addEventListener('message', { handleEvent: (e: MessageEvent) => calls.push('object ' + e.data) });
    es.addEventListener('open', () => calls.push('open listener'));
    await vi.waitFor(() => expect(calls).toHaveLength(8));
    await sleep(30);
    expect(calls).toEqual([
      'onopen', 'open listener',
      'onmessage one', 'listener one', 'object one',
      'onmessage two', 'listener two', 'object two',
    ]);
  });

  it('delivers custom event types to their listeners only, and stops after removeEventListener', async () => {
    const server = await serve(({ res }) => stream(res, 'event: notification\ndata: {"title":"Hi"}\n\nevent: progress\ndata: 40\n\n'));
    const es = source(server.url);
    const messages: string[] = [];
    const progress: string[] = [];
    es.onmessage = (e) => messages.push(e.data);
    const onProgress = (e: MessageEvent) => progress.push(e.data);
    es.addEventListener('progress', onProgress);
    const notifications = record(es, ['notification']);
    await vi.waitFor(() => expect(progress).toEqual(['40']));
    expect(notifications.map((e) => [e.data, e.event.type, e.event instanceof MessageEvent])).toEqual([['{"title":"Hi"}', 'notification', true]]);
    expect((notifications[0].event as MessageEvent).origin).toBe(new URL(server.url).origin);
    expect(messages).toEqual([]);
    es.removeEventListener('progress', onProgress);
    server.hits[0].res.write('event: progress\ndata: 80\n\nevent: notification\ndata: later\n\n');
    await vi.waitFor(() => expect(notifications).toHaveLength(2));
    expect(progress).toEqual(['40']);
  });

  it('reconnects after a dropped stream with the last id in Last-Event-ID, after the server\'s retry: delay', async () => {
    const server = await serve(({ n, res }) => {
      if (n === 0) stream(res, 'retry: 300\nid: 7\ndata: seven\n\n');
      else stream(res, 'data: no id of its own\n\n');
    });
    const es = source(server.url);
    const log = record(es, ['message', 'error']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    expect(server.hits[0].req.headers['last-event-id']).toBeUndefined();
    const dropped = Date.now();
    server.hits[0].res.socket!.destroy();
    await vi.waitFor(() => expect(server.hits).toHaveLength(2));
    const waited = Date.now() - dropped;
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(2500); // not the 3 s default
    expect(server.hits[1].req.headers['last-event-id']).toBe('7');
    await vi.waitFor(() => expect(log).toHaveLength(3));
    expect(log.map((e) => [e.type, e.lastEventId])).toEqual([['message', '7'], ['error', undefined], ['message', '7']]);
  });

  it('keeps the last id across streams until a stream sets or clears it, and still strips one BOM', async () => {
    const server = await serve(({ n, res }) => {
      if (n === 0) stream(res, 'retry: 10\nid: a\ndata: 1\n\n');
      if (n === 1) stream(res, '\uFEFFdata: 2\n\nid\ndata: 3\n\n');
      if (n === 2) stream(res, 'data: 4\n\n');
    });
    const es = source(server.url);
    const log = record(es, ['message']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    server.hits[0].res.socket!.destroy();
    await vi.waitFor(() => expect(log).toHaveLength(3));
    server.hits[1].res.socket!.destroy();
    await vi.waitFor(() => expect(log).toHaveLength(4));
    expect(log.map((e) => [e.data, e.lastEventId])).toEqual([['1', 'a'], ['2', 'a'], ['3', ''], ['4', '']]);
    expect(server.hits.map((h) => h.req.headers['last-event-id'])).toEqual([undefined, 'a', undefined]);
  });

  it('starts from the lastEventId option', async () => {
    const server = await serve(({ res }) => stream(res, 'data: x\n\n'));
    const es = source(server.url, { lastEventId: 'n-41' });
    const log = record(es, ['message']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    expect(server.hits[0].req.headers['last-event-id']).toBe('n-41');
    expect(log[0].lastEventId).toBe('n-41');
  });

  it.each([
    ['a 500', (res: ServerResponse) => res.writeHead(500, { 'content-type': 'text/plain' }).end('oops'), 'http-status', 500],
    ['a 204', (res: ServerResponse) => res.writeHead(204).end(), 'http-status', 204],
    ['a 404 with an event-stream type', (res: ServerResponse) => res.writeHead(404, { 'content-type': 'text/event-stream' }).end('data: x\n\n'), 'http-status', 404],
    ['an HTML page with 200', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>Sign in'), 'content-type', 200],
    ['a 200 without a Content-Type', (res: ServerResponse) => res.writeHead(200).end('data: x\n\n'), 'content-type', 200],
  ])('fails for good on %s: CLOSED, one error, no reconnect', async (_name, answer, reason, status) => {
    // The first stream sets a 20 ms reconnection time, so a reconnect would show at once.
    const server = await serve(({ n, res }) => (n === 0 ? stream(res, 'retry: 20\ndata: up\n\n') : answer(res)));
    const es = source(server.url);
    const log = record(es, ['open', 'message', 'error']);
    await vi.waitFor(() => expect(log).toHaveLength(2));
    server.hits[0].res.socket!.destroy();
    await vi.waitFor(() => expect(es.readyState).toBe(FetchEventSource.CLOSED));
    await sleep(200);
    expect(server.hits).toHaveLength(2);
    expect(log.map((e) => e.type)).toEqual(['open', 'message', 'error', 'error']);
    const error = log[3].event as FetchEventSourceError;
    expect([error.reason, error.status]).toEqual([reason, status]);
    expect(log[3].readyState).toBe(FetchEventSource.CLOSED);
  });

  it('accepts the event-stream MIME type in any case and with parameters, and nothing that merely starts like it', async () => {
    const types = ['TEXT/Event-Stream', 'text/event-stream;charset=utf-8', 'text/event-stream ; charset=utf-8', 'text/event-streams', 'text/event-stream-x', 'application/json'];
    const server = await serve(({ n, res }) => res.writeHead(200, { 'content-type': types[n] }).end('data: x\n\n'));
    const outcomes: string[] = [];
    for (const type of types) {
      const es = source(server.url, { reconnect: false });
      const log = record(es, ['message', 'error']);
      await vi.waitFor(() => expect(log.length).toBeGreaterThan(0));
      outcomes.push(`${type}: ${log[0].type}`);
      es.close();
    }
    expect(outcomes).toEqual([
      'TEXT/Event-Stream: message',
      'text/event-stream;charset=utf-8: message',
      'text/event-stream ; charset=utf-8: message',
      'text/event-streams: error',
      'text/event-stream-x: error',
      'application/json: error',
    ]);
  });

  it('fails on the first request with a wrong Content-Type, never dispatching its body', async () => {
    const server = await serve(({ res }) => res.writeHead(200, { 'content-type': 'text/plain' }).end('data: not an event\n\n'));
    const es = source(server.url);
    const log = record(es, ['open', 'message', 'error']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    expect(log[0].type).toBe('error');
    expect(es.readyState).toBe(FetchEventSource.CLOSED);
  });

  it('tells why in the error event: reason, status and Retry-After', async () => {
    const server = await serve(({ n, res }) => {
      if (n === 0) res.writeHead(503, { 'retry-after': '7' }).end();
    });
    const es = source(server.url);
    const errors: FetchEventSourceError[] = [];
    es.onerror = (e) => errors.push(e);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0].type).toBe('error');
    expect([errors[0].reason, errors[0].status, errors[0].retryAfter]).toEqual(['http-status', 503, 7000]);

    const refused = await serve(() => {});
    await cleanups.pop()!(); // close that server: its port now refuses connections
    const network = source(refused.url, { reconnect: false });
    const networkErrors: FetchEventSourceError[] = [];
    network.onerror = (e) => networkErrors.push(e);
    await vi.waitFor(() => expect(networkErrors).toHaveLength(1));
    expect([networkErrors[0].reason, networkErrors[0].status, networkErrors[0].retryAfter]).toEqual(['network', 0, 0]);
    expect(networkErrors[0].cause).toBeInstanceOf(Error);
    expect(network.readyState).toBe(FetchEventSource.CLOSED);
  });

  it('reestablishes after a network error on connect after the default 3 s, unless reconnect is false', async () => {
    vi.useFakeTimers();
    const fake = createFakeFetch();
    fake.failNext();
    const es = source('http://127.0.0.1:1/events', { fetch: fake.fetch });
    const errors = record(es, ['error']);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((e) => [(e.event as FetchEventSourceError).reason, e.readyState])).toEqual([['network', FetchEventSource.CONNECTING]]);
    await vi.advanceTimersByTimeAsync(2999);
    expect(fake.streams).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.streams).toHaveLength(1);
    expect(es.readyState).toBe(FetchEventSource.OPEN);

    fake.failNext();
    const manual = source('http://127.0.0.1:1/events', { fetch: fake.fetch, reconnect: false });
    const manualErrors = record(manual, ['error']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(manualErrors.map((e) => e.readyState)).toEqual([FetchEventSource.CLOSED]);
    expect(fake.streams).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends Accept, the given headers such as Authorization, and credentials only when asked', async () => {
    const server = await serve(({ res }) => stream(res, 'data: x\n\n'));
    const es = source(server.url, { headers: { Authorization: 'Bearer s3cret', 'X-Client': 'widget' }, withCredentials: true });
    const log = record(es, ['message']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    const { headers } = server.hits[0].req;
    expect(headers.accept).toBe('text/event-stream');
    expect(headers.authorization).toBe('Bearer s3cret');
    expect(headers['x-client']).toBe('widget');
    expect(es.withCredentials).toBe(true);

    const fake = createFakeFetch();
    source('http://127.0.0.1:1/events', { fetch: fake.fetch, withCredentials: true });
    source('http://127.0.0.1:1/events', { fetch: fake.fetch });
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2));
    expect(fake.streams.map((s) => s.credentials)).toEqual(['include', 'same-origin']);
    expect(Object.keys(fake.streams[1].headers)).toEqual(['accept']);
  });

  it('sends a non-ASCII id back in Last-Event-ID as its UTF-8 bytes', async () => {
    const id = 'café-✓-日本';
    const server = await serve(({ n, res }) => stream(res, n === 0 ? `retry: 10\nid: ${id}\ndata: x\n\n` : ''));
    const es = source(server.url);
    const log = record(es, ['message']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    expect(log[0].lastEventId).toBe(id);
    server.hits[0].res.socket!.destroy();
    await vi.waitFor(() => expect(server.hits).toHaveLength(2));
    // node:http hands header bytes over as latin1 characters.
    const raw = server.hits[1].req.headers['last-event-id'] as string;
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe(id);
  });

  it('ignores an id containing U+0000 and a non-numeric retry', async () => {
    const server = await serve(({ n, res }) => stream(res, n === 0 ? 'retry: 10\nid: ok\ndata: 1\n\nid: bad\0id\nretry: 5s\ndata: 2\n\n' : ''));
    const es = source(server.url);
    const log = record(es, ['message']);
    await vi.waitFor(() => expect(log).toHaveLength(2));
    expect(log.map((e) => e.lastEventId)).toEqual(['ok', 'ok']);
    const dropped = Date.now();
    server.hits[0].res.socket!.destroy();
    await vi.waitFor(() => expect(server.hits).toHaveLength(2));
    expect(Date.now() - dropped).toBeLessThan(1000); // still retry: 10, not reset by "5s"
    expect(server.hits[1].req.headers['last-event-id']).toBe('ok');
  });

  it('reconnects when no byte arrives for heartbeatTimeout, and comments keep the stream alive', async () => {
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    cleanups.push(() => clearInterval(heartbeat));
    const server = await serve(({ n, res }) => {
      stream(res, 'retry: 10\n\n');
      if (n === 1) heartbeat = setInterval(() => res.write(':heartbeat\n\n'), 50);
    });
    const es = source(server.url, { heartbeatTimeout: 400 });
    const errors = record(es, ['error']);
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 2000 });
    expect((errors[0].event as FetchEventSourceError).reason).toBe('heartbeat');
    await vi.waitFor(() => expect(server.hits).toHaveLength(2));
    await vi.waitFor(() => expect(server.hits[0].closed).toBe(true)); // the dead stream was aborted
    await sleep(800);
    expect(errors).toHaveLength(1);
    expect(server.hits).toHaveLength(2);
    expect(es.readyState).toBe(FetchEventSource.OPEN);
  });

  it('counts a stalled response (headers never come) as dead too', async () => {
    const server = await serve(() => {});
    const es = source(server.url, { heartbeatTimeout: 150, reconnect: false });
    const errors = record(es, ['error']);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect((errors[0].event as FetchEventSourceError).reason).toBe('heartbeat');
    await vi.waitFor(() => expect(server.hits[0].closed).toBe(true));
  });

  it('close() aborts the request so the server sees the stream end', async () => {
    const server = await serve(({ res }) => stream(res, 'data: x\n\n'));
    const es = source(server.url);
    const log = record(es, ['message']);
    await vi.waitFor(() => expect(log).toHaveLength(1));
    expect(server.hits[0].closed).toBe(false);
    es.close();
    await vi.waitFor(() => expect(server.hits[0].closed).toBe(true));
    server.hits[0].res.write('data: after close\n\n');
    await sleep(50);
    expect(log).toHaveLength(1);
  });

  it('close() from onopen releases the body', async () => {
    const server = await serve(({ res }) => stream(res, ''));
    const es = source(server.url);
    es.onopen = () => es.close();
    await vi.waitFor(() => expect(server.hits).toHaveLength(1));
    await vi.waitFor(() => expect(server.hits[0].closed).toBe(true));
    expect(es.readyState).toBe(FetchEventSource.CLOSED);
  });

  it('close() leaves no timer and no open request, whatever the state', async () => {
    vi.useFakeTimers();
    const fake = createFakeFetch();
    const url = 'http://127.0.0.1:1/events';
    // Closed while the request is in flight (the watchdog armed).
    const connecting = new FetchEventSource(url, { fetch: fake.fetch, heartbeatTimeout: 1000 });
    expect(vi.getTimerCount()).toBe(1);
    connecting.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.open()).toBe(0);
    // Closed while open.
    const open = new FetchEventSource(url, { fetch: fake.fetch, heartbeatTimeout: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(open.readyState).toBe(FetchEventSource.OPEN);
    expect(fake.open()).toBe(1);
    open.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.open()).toBe(0);
    // Closed while waiting to reconnect.
    const waiting = new FetchEventSource(url, { fetch: fake.fetch, heartbeatTimeout: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    fake.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting.readyState).toBe(FetchEventSource.CONNECTING);
    expect(vi.getTimerCount()).toBe(1);
    waiting.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.streams).toHaveLength(3);
    expect(fake.open()).toBe(0);
    // Closed by its own onopen listener.
    const selfClosing = new FetchEventSource(url, { fetch: fake.fetch, heartbeatTimeout: 1000 });
    selfClosing.onopen = () => selfClosing.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.streams).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.open()).toBe(0);
  });

  it('delivers a 2 MB event intact, written in pieces', async () => {
    const big = Array.from({ length: 2 * 1024 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const server = await serve(({ res }) => {
      stream(res, 'event: notification\ndata: ');
      for (let i = 0; i < big.length; i += 100_000) res.write(big.slice(i, i + 100_000));
      res.write('\n\n');
    });
    const es = source(server.url);
    const log = record(es, ['notification']);
    await vi.waitFor(() => expect(log).toHaveLength(1), { timeout: 5000 });
    expect(log[0].data!.length).toBe(big.length);
    expect(log[0].data === big).toBe(true);
  });

  it('never dispatches an event whose last line was not terminated', async () => {
    const server = await serve(({ n, res }) => {
      if (n === 0) res.writeHead(200, { 'content-type': 'text/event-stream' }).end('retry: 10\ndata: whole\n\ndata: cut');
      else if (n === 1) res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: one line end\n');
      else stream(res, 'data: next stream\n\n');
    });
    const es = source(server.url);
    const log = record(es, ['message', 'error']);
    await vi.waitFor(() => expect(log.filter((e) => e.type === 'message')).toHaveLength(2));
    expect(log.map((e) => e.data ?? e.type)).toEqual(['whole', 'error', 'error', 'next stream']);
  });

  it('keeps the stream going when a listener throws, and reports the error', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = await serve(({ res }) => stream(res, 'data: 1\n\n'));
    const es = source(server.url);
    const boom = new Error('listener bug');
    const seen: string[] = [];
    es.onmessage = () => {
      throw boom;
    };
    es.addEventListener('message', (e: MessageEvent) => seen.push(e.data));
    await vi.waitFor(() => expect(seen).toEqual(['1']));
    server.hits[0].res.write('data: 2\n\n');
    await vi.waitFor(() => expect(seen).toEqual(['1', '2']));
    expect(es.readyState).toBe(FetchEventSource.OPEN);
    expect(reported).toHaveBeenCalledWith(boom);
    expect(reported).toHaveBeenCalledTimes(2);
  });

  it('stops dispatching the rest of a chunk once a listener calls close()', async () => {
    const server = await serve(({ res }) => stream(res, 'data: 1\n\ndata: 2\n\ndata: 3\n\n'));
    const es = source(server.url);
    const seen: string[] = [];
    es.onmessage = (e) => {
      seen.push(e.data);
      if (e.data === '2') es.close();
    };
    await vi.waitFor(() => expect(server.hits[0]?.closed).toBe(true));
    expect(seen).toEqual(['1', '2']);
  });
});
