// The demo's mock backend behind MSW in Node: streams read with fetch and a
// tiny line parser, every stream aborted at the end of its test.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setupServer } from 'msw/node';
import { createBackend, DEMO_TOKEN, type Backend } from '../../demo/mocks/backend';
import type * as HandlersModule from '../../demo/mocks/handlers';

// msw's sse() asserts that EventSource exists when a handler is built; Node 20 has none.
if (typeof globalThis.EventSource === 'undefined') vi.stubGlobal('EventSource', class EventSource {});
const mod: typeof HandlersModule = await import('../../demo/mocks/handlers');

const ORIGIN = 'http://demo.test';
const server = setupServer();

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  /** A frame with no field: the empty heartbeat. */
  empty?: true;
}

interface Stream {
  status: number;
  headers: Headers;
  frames: Frame[];
  /** Waits until `predicate(frames)` holds (or fails after `ms`). */
  until(predicate: (frames: Frame[]) => boolean, ms?: number): Promise<Frame[]>;
  /** Frames that carry data, parsed as JSON when possible. */
  events(): { id?: string; event: string; data: unknown }[];
  close(): Promise<void>;
  /** Resolves when the server ended or errored the stream. */
  ended: Promise<'closed' | 'errored'>;
}

const streams = new Set<Stream>();

async function open(query = '', headers: Record<string, string> = {}): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${ORIGIN}/api/events${query}`, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const frames: Frame[] = [];
  let aborted = false;
  let ended: Promise<'closed' | 'errored'> = Promise.resolve('closed');
  if (res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let current: Frame = {};
    let fields = 0;
    ended = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return 'closed';
          buffer += value;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line === '') {
              frames.push(fields === 0 ? { empty: true } : current);
              current = {};
              fields = 0;
              continue;
            }
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const val = line.slice(colon + 1).replace(/^ /, '');
            fields++;
            if (field === 'data') current.data = current.data === undefined ? val : `${current.data}\n${val}`;
            else if (field === 'id') current.id = val;
            else if (field === 'event') current.event = val;
            else if (field === 'retry') current.retry = Number(val);
          }
        }
      } catch {
        return aborted ? 'closed' : 'errored';
      }
    })();
  }
  const stream: Stream = {
    status: res.status,
    headers: res.headers,
    frames,
    ended,
    async until(predicate, ms = 2000) {
      const deadline = Date.now() + ms;
      while (!predicate(frames)) {
        if (Date.now() > deadline) throw new Error(`timed out; frames so far: ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return frames;
    },
    events() {
      return frames
        .filter((f) => f.data !== undefined)
        .map((f) => ({ ...(f.id ? { id: f.id } : {}), event: f.event ?? 'message', data: parse(f.data!) }));
    },
    async close() {
      aborted = true;
      controller.abort();
      await ended;
      streams.delete(stream);
    },
  };
  streams.add(stream);
  return stream;
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${ORIGIN}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** Notifications (event `notification`) seen so far, as parsed data. */
const notifications = (s: Stream) => s.events().filter((e) => e.event === 'notification').map((e) => e.data as any);
const titles = (s: Stream) => notifications(s).map((n) => n.title);
const connectedFrame = (s: Stream) => s.events().find((e) => (e.data as any)?.type === 'connected');
const clientIdOf = (s: Stream) => (connectedFrame(s)!.data as { clientId: string }).clientId;
const isConnected = (frames: Frame[]) => frames.some((f) => f.data?.includes('"connected"'));

let clock = 1_000_000;
let backend: Backend;
let demo: HandlersModule.DemoHandlers;

function setup(options: HandlersModule.DemoHandlerOptions = {}): void {
  backend = createBackend({ now: () => clock });
  demo = mod.createDemoHandlers({ backend, base: `${ORIGIN}/api`, heartbeatMs: 0, tickerMs: 0, progressStepMs: 5, ...options });
  server.resetHandlers(...demo.handlers);
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  await Promise.all([...streams].map((s) => s.close()));
  // Every stream that ended (aborted or dropped) left the backend: nothing keeps a timer alive.
  expect(backend.clients()).toEqual([]);
  demo.dispose();
  backend.reset();
});
afterAll(() => {
  server.close();
  vi.unstubAllGlobals();
});

describe('demo mock: module exports', () => {
  it('exports ready handlers (gate first) and their backend', () => {
    expect(mod.handlers.length).toBeGreaterThanOrEqual(9);
    expect(mod.backend.lastId()).toBe('');
    setup();
  });
});

describe('demo mock: GET /api/events', () => {
  it('sends retry alone, then connected, then the welcome on a fresh connect', async () => {
    setup();
    const s = await open();
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('text/event-stream');
    await s.until((f) => f.length >= 3);
    expect(s.frames[0]).toEqual({ retry: 2000 });
    expect(s.frames[1]!.event).toBeUndefined();
    expect(JSON.parse(s.frames[1]!.data!)).toEqual({ type: 'connected', clientId: expect.stringMatching(/^c-/) });
    expect(s.frames[2]).toMatchObject({ event: 'notification' });
    expect(JSON.parse(s.frames[2]!.data!)).toEqual({ title: 'Welcome', body: 'Connected to the demo server', level: 'info' });
    expect(s.frames[2]!.id).toBeUndefined();
    expect(backend.clients()).toHaveLength(1);
  });

  it('delivers live broadcasts with increasing ids, custom event types included', async () => {
    setup();
    const s = await open();
    await s.until((f) => f.length >= 3);
    expect((await post('/broadcast', { title: 'Hi', body: 'there', level: 'success' })).json).toEqual({ id: '1', delivered: 1 });
    expect((await post('/broadcast', { event: 'custom', x: 1 })).json).toMatchObject({ id: '2' });
    await s.until(() => s.events().length >= 4);
    expect(s.events().slice(2)).toEqual([
      { id: '1', event: 'notification', data: { title: 'Hi', body: 'there', level: 'success' } },
      { id: '2', event: 'custom', data: { x: 1 } },
    ]);
    expect((await post('/broadcast', { event: 'bad\nname' })).status).toBe(400);
  });

  it.each([
    ['the Last-Event-ID header', (id: string) => open('', { 'last-event-id': id })],
    ['the lastEventId query', (id: string) => open(`?lastEventId=${id}`)],
  ])('replays only the missed events, in order, without a welcome, by %s', async (_, resume) => {
    setup();
    for (const title of ['one', 'two', 'three', 'four']) await post('/broadcast', { title });
    const s = await resume('2');
    await s.until(() => s.events().length >= 3);
    await post('/broadcast', { title: 'five' });
    await s.until(() => s.events().length >= 4);
    expect(s.frames[0]).toEqual({ retry: 2000 });
    expect(connectedFrame(s)).toEqual(s.events()[0]);
    expect(s.events().slice(1)).toEqual([
      { id: '3', event: 'notification', data: { title: 'three' } },
      { id: '4', event: 'notification', data: { title: 'four' } },
      { id: '5', event: 'notification', data: { title: 'five' } },
    ]);
    expect(titles(s)).not.toContain('Welcome');
  });

  it('gives a new client the log position as its first id, so it can resume before any event reached it', async () => {
    setup();
    const first = await open();
    await first.until(isConnected);
    expect(connectedFrame(first)!.id).toBe('0');
    await post('/broadcast', { title: 'one' });
    const second = await open();
    await second.until(isConnected);
    expect(connectedFrame(second)!.id).toBe('1');
    await post('/faults', { drop: true });
    await post('/broadcast', { title: 'missed' });

    const resumed = await open('', { 'last-event-id': connectedFrame(first)!.id! });
    await resumed.until(() => titles(resumed).includes('missed'));
    expect(titles(resumed)).toEqual(['one', 'missed']);
    expect(connectedFrame(resumed)!.id).toBeUndefined();
  });

  it('welcomes a client resuming from an id this server never issued (the page reloaded and restarted it)', async () => {
    setup();
    await post('/broadcast', { title: 'one' });
    const s = await open('', { 'last-event-id': '57' });
    await s.until(() => titles(s).length >= 1);
    expect(titles(s)).toEqual(['Welcome']);
  });

  it('routes channel events by the channel and topic query parameters', async () => {
    setup();
    const orders = await open('?channel=orders&channel=alerts');
    const mercure = await open('?topic=news');
    const none = await open();
    await Promise.all([orders, mercure, none].map((s) => s.until(isConnected)));
    expect((await post('/channel/orders', { title: 'o1' })).json).toEqual({ id: '1', delivered: 1 });
    await post('/channel/news', { title: 'n1' });
    await post('/channel/alerts', { title: 'a1' });
    await post('/broadcast', { title: 'all' });
    await orders.until(() => titles(orders).includes('all'));
    await mercure.until(() => titles(mercure).includes('all'));
    await none.until(() => titles(none).includes('all'));
    expect(titles(orders)).toEqual(['Welcome', 'o1', 'a1', 'all']);
    expect(notifications(orders)[1]).toEqual({ channel: 'orders', title: 'o1' });
    expect(titles(mercure)).toEqual(['Welcome', 'n1', 'all']);
    expect(titles(none)).toEqual(['Welcome', 'all']);
    // Replay is filtered the same way.
    const resumed = await open('?channel=alerts&lastEventId=0');
    await resumed.until(() => titles(resumed).includes('all'));
    expect(titles(resumed)).toEqual(['a1', 'all']);
  });

  it('speaks the subscribe protocol: subscribe, unsubscribe, 404 for an unknown client', async () => {
    setup();
    const s = await open();
    await s.until(isConnected);
    const clientId = clientIdOf(s);
    expect(await post('/events/subscribe', { clientId, channel: 'orders' })).toEqual({
      status: 200,
      json: { clientId, channels: ['orders'] },
    });
    await post('/channel/orders', { title: 'o1' });
    await s.until(() => titles(s).includes('o1'));
    expect((await post('/events/unsubscribe', { clientId, channel: 'orders' })).json.channels).toEqual([]);
    await post('/channel/orders', { title: 'o2' });
    await post('/broadcast', { title: 'end' });
    await s.until(() => titles(s).includes('end'));
    expect(titles(s)).toEqual(['Welcome', 'o1', 'end']);
    expect((await post('/events/subscribe', { clientId: 'c-gone', channel: 'orders' })).status).toBe(404);
    expect((await post('/events/unsubscribe', { clientId: 'c-gone', channel: 'orders' })).status).toBe(404);
    expect((await post('/events/subscribe', { clientId })).status).toBe(400);
  });

  it('sends a per-user notification only to that user', async () => {
    setup();
    const ana = await open('?userId=ana');
    const bob = await open('?userId=bob');
    await Promise.all([ana.until(isConnected), bob.until(isConnected)]);
    expect((await post('/notify/ana', { title: 'for ana' })).json).toEqual({ id: '1', delivered: 1 });
    await post('/broadcast', { title: 'all' });
    await ana.until(() => titles(ana).includes('all'));
    await bob.until(() => titles(bob).includes('all'));
    expect(titles(ana)).toEqual(['Welcome', 'for ana', 'all']);
    expect(titles(bob)).toEqual(['Welcome', 'all']);
  });

  it('answers 503 with Retry-After during an outage, then replays what was published meanwhile', async () => {
    setup();
    const s = await open();
    await s.until((f) => f.length >= 3);
    await post('/broadcast', { title: 'before' });
    await s.until(() => titles(s).includes('before'));
    const { json } = await post('/faults', { outageMs: 4500 });
    expect(json).toMatchObject({ dropped: 1, outageRemainingMs: 4500, faults: { outageUntil: clock + 4500 } });
    expect(await s.ended).toBe('errored');
    expect(backend.clients()).toEqual([]);
    await post('/broadcast', { title: 'missed 1' });
    await post('/broadcast', { title: 'missed 2' });

    const refused = await open('', { 'last-event-id': '1' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    clock += 4000;
    const later = await open('?lastEventId=1');
    expect([later.status, later.headers.get('retry-after')]).toEqual([503, '1']);

    clock += 500;
    const back = await open('?lastEventId=1');
    expect(back.status).toBe(200);
    await back.until(() => back.events().length >= 3);
    expect(back.events().slice(1)).toEqual([
      { id: '2', event: 'notification', data: { title: 'missed 1' } },
      { id: '3', event: 'notification', data: { title: 'missed 2' } },
    ]);
  });

  it('answers 401 when auth is required and the token is missing or wrong; lets the demo token in', async () => {
    setup();
    await post('/faults', { authRequired: true });
    const missing = await open();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await open('', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await open('?token=nope')).status).toBe(401);

    const byHeader = await open('', { authorization: `Bearer ${DEMO_TOKEN}` });
    const byQuery = await open(`?token=${DEMO_TOKEN}`);
    expect([byHeader.status, byQuery.status]).toEqual([200, 200]);
    await byHeader.until(isConnected);
    await byQuery.until(isConnected);

    await post('/faults', { authRequired: false });
    expect((await open()).status).toBe(200);
  });

  it('unauthorized revokes: drops open streams and 401s requests without the token', async () => {
    setup();
    const s = await open();
    await s.until(isConnected);
    expect((await post('/faults', { unauthorized: true })).json.faults.unauthorized).toBe(true);
    expect(await s.ended).toBe('errored');
    expect((await open('?lastEventId=0')).status).toBe(401);
    expect((await open(`?token=${DEMO_TOKEN}`)).status).toBe(200);
  });

  it('drop closes every open stream as a network error', async () => {
    setup();
    const a = await open();
    const b = await open('?channel=x');
    await Promise.all([a.until(isConnected), b.until(isConnected)]);
    expect((await post('/faults', { drop: true })).json.dropped).toBe(2);
    expect(await Promise.all([a.ended, b.ended])).toEqual(['errored', 'errored']);
    expect(backend.clients()).toEqual([]);
  });
});

describe('demo mock: POST endpoints', () => {
  it('runs a long task: progress 0 → 100, then completed, one taskId', async () => {
    setup();
    const s = await open();
    await s.until(isConnected);
    const { json } = await post('/process', { title: 'Export' });
    expect(json).toEqual({ taskId: expect.stringMatching(/^t-/) });
    const progress = () => s.events().filter((e) => e.event === 'progress').map((e) => e.data as any);
    await s.until(() => progress().some((p) => p.status === 'completed'));
    expect(progress().map((p) => [p.progress, p.status])).toEqual([
      [0, 'started'],
      [20, 'processing'],
      [40, 'processing'],
      [60, 'processing'],
      [80, 'processing'],
      [100, 'completed'],
    ]);
    expect(new Set(progress().map((p) => `${p.taskId}/${p.title}`))).toEqual(new Set([`${json.taskId}/Export`]));
  });

  it('ends a task with failed when asked', async () => {
    setup();
    await post('/process', { fail: true });
    await vi.waitFor(() => expect(backend.log().at(-1)?.data).toContain('"failed"'));
    expect(backend.log().map((e) => JSON.parse(e.data).progress)).toEqual([0, 20, 40, 60]);
  });

  it('publishes a burst of N notifications at once', async () => {
    setup();
    const s = await open();
    await s.until(isConnected);
    const { json } = await post('/faults', { burst: 100 });
    expect(json.published).toHaveLength(100);
    await s.until(() => notifications(s).length >= 101);
    expect(titles(s).slice(1, 3)).toEqual(['Burst 1/100', 'Burst 2/100']);
    expect(titles(s).at(-1)).toBe('Burst 100/100');
    expect(s.events().slice(-100).map((e) => e.id)).toEqual(json.published);
  });

  it('publishes one malformed event whose data is not JSON', async () => {
    setup();
    const s = await open();
    await s.until(isConnected);
    expect((await post('/faults', { malformed: true })).json.published).toEqual(['1']);
    await s.until((f) => f.some((x) => x.id === '1'));
    const raw = s.frames.find((f) => f.id === '1')!;
    expect(raw).toEqual({ id: '1', event: 'notification', data: mod.MALFORMED_DATA });
    expect(() => JSON.parse(raw.data!)).toThrow();
  });

  it('rejects fault bodies of the wrong shape', async () => {
    setup();
    expect((await post('/faults', { burst: 'lots' })).status).toBe(400);
    expect((await post('/faults', { slow: 'yes' })).status).toBe(400);
    expect((await post('/faults', [1])).status).toBe(400);
  });
});

describe('demo mock: timers and stream faults', () => {
  it('sends empty heartbeat frames and the rotating demo notification, and stops both on abort', async () => {
    setup({ heartbeatMs: 10, tickerMs: 15 });
    const s = await open();
    await s.until((f) => f.filter((x) => x.empty).length >= 2 && notifications(s).length >= 3);
    expect(titles(s).slice(1, 3)).toEqual(mod.AMBIENT_NOTIFICATIONS.slice(0, 2).map((n) => n.title));
    await s.close();
    const logged = backend.log().length;
    await new Promise((r) => setTimeout(r, 60));
    expect(backend.log().length).toBe(logged);
  });

  it('heartbeat-only holds everything but heartbeats, then catches up in order', async () => {
    setup({ heartbeatMs: 10 });
    await post('/faults', { heartbeatOnly: true });
    const s = await open();
    await post('/broadcast', { title: 'held' });
    await s.until((f) => f.filter((x) => x.empty).length >= 2);
    expect(s.frames.every((f) => f.empty)).toBe(true);
    await post('/faults', { heartbeatOnly: false });
    await s.until(() => titles(s).includes('held'));
    expect(s.frames.filter((f) => !f.empty)[0]).toEqual({ retry: 2000 });
    expect(titles(s)).toEqual(['Welcome', 'held']);
  });

  it('slow delays each frame', async () => {
    setup();
    await post('/faults', { slow: 40 });
    const started = Date.now();
    const s = await open();
    await s.until((f) => f.length >= 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect((await post('/faults', { slow: false })).json.faults.slowMs).toBe(0);
  });
});
