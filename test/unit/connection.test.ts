/**
 * createConnection driven through the fake fetch and fake timers: every rule
 * of SPEC §5–§6, resume, and cleanup. Node has no window: the tests stub one
 * (an EventTarget behind addEventListener/removeEventListener) and navigator.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnection, type ConnectionOptions } from '../../src/sse/connection';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

const URL_ = 'https://api.example/events';

let fake: FakeFetch;
let win: EventTarget;
/** Window listeners added and not yet removed, as [type, listener]. */
let windowListeners: [string, unknown][];
let navigatorStub: { onLine: boolean };

beforeEach(() => {
  vi.useFakeTimers();
  fake = createFakeFetch();
  win = new EventTarget();
  windowListeners = [];
  navigatorStub = { onLine: true };
  vi.stubGlobal('navigator', navigatorStub);
  vi.stubGlobal('addEventListener', (type: string, listener: EventListener) => {
    windowListeners.push([type, listener]);
    win.addEventListener(type, listener);
  });
  vi.stubGlobal('removeEventListener', (type: string, listener: EventListener) => {
    const i = windowListeners.findIndex(([t, l]) => t === type && l === listener);
    if (i !== -1) windowListeners.splice(i, 1);
    win.removeEventListener(type, listener);
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** Lets promises (fetch, stream reads) settle without moving the clock. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
};

/** A connection on the fake fetch with no jitter (random 0: each delay is half its nominal) and a log of what it emits. */
function setup(options: Partial<ConnectionOptions> = {}) {
  const connection = createConnection({ url: URL_, fetch: fake.fetch, random: () => 0, storage: null, ...options });
  const log = {
    states: [] as string[],
    retries: [] as { attempt: number; delay: number; type: string; status: number }[],
    failed: [] as { attempts: number; reason: string; status?: number; type: string }[],
    opens: [] as { url: string }[],
    events: [] as { type: string; data: string; lastEventId: string; id?: string }[],
  };
  connection.on('state', ({ state }) => log.states.push(state));
  connection.on('retry', (detail) => log.retries.push(detail));
  connection.on('failed', (detail) => log.failed.push(detail));
  connection.on('open', (detail) => log.opens.push(detail));
  connection.on('*', (event) => log.events.push(event));
  return { connection, log };
}

const pageEvent = (type: string, persisted: boolean) => Object.assign(new Event(type), { persisted });

describe('createConnection: states', () => {
  it('goes idle → connecting → open → reconnecting → open, and closed on close()', async () => {
    const { connection, log } = setup();
    expect(connection.state).toBe('idle');
    expect(fake.streams).toHaveLength(0);
    connection.connect();
    expect(connection.state).toBe('connecting');
    await settle();
    expect(connection.state).toBe('open');
    expect(log.opens).toEqual([{ url: URL_ }]);
    fake.last().drop();
    await settle();
    expect(connection.state).toBe('reconnecting');
    expect(log.retries).toEqual([{ attempt: 1, delay: 500, type: 'network', status: 0 }]);
    await vi.advanceTimersByTimeAsync(499);
    expect(fake.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(fake.streams).toHaveLength(2);
    expect(connection.state).toBe('open');
    connection.close();
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'open', 'closed']);
    expect(fake.open()).toBe(0);
  });

  it('delivers every event type to its listeners and to *, and on() returns the unbind', async () => {
    const { connection, log } = setup();
    const notifications: string[] = [];
    const off = connection.on('notification', (event) => notifications.push(event.data));
    connection.connect();
    await settle();
    fake.last().send('event: notification\ndata: a\n\nevent: custom\ndata: b\n\n');
    await settle();
    off();
    fake.last().send('event: notification\ndata: c\n\n');
    await settle();
    expect(notifications).toEqual(['a']);
    expect(log.events.map((e) => [e.type, e.data])).toEqual([['notification', 'a'], ['custom', 'b'], ['notification', 'c']]);
    connection.close();
  });

  it('reports a listener that throws and keeps delivering to the others', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { connection, log } = setup();
    const boom = new Error('host page bug');
    connection.on('message', () => {
      throw boom;
    });
    connection.connect();
    await settle();
    fake.last().send('data: 1\n\ndata: 2\n\n');
    await settle();
    expect(log.events.map((e) => e.data)).toEqual(['1', '2']);
    expect(reported).toHaveBeenCalledWith(boom);
    expect(connection.state).toBe('open');
    connection.close();
  });

  it('throws only for misuse, with a message that says what to pass', () => {
    expect(() => createConnection(undefined as never)).toThrow(/url/);
    expect(() => createConnection({} as never)).toThrow(/SSE endpoint URL/);
  });
});

describe('createConnection: retry limits', () => {
  it.each([
    ['network errors', () => fake.failNext(), 'network', 0],
    ['503s', () => fake.respond(503), 'http-status', 503],
    ['HTML pages with 200', () => fake.respond(200, { headers: { 'content-type': 'text/html' }, body: '<!doctype html><p>Sign in' }), 'content-type', 200],
  ])('gives up after exactly 1 + maxRetries failed requests in a row of %s, with reason retry-limit', async (_name, failNext, type, status) => {
    for (let i = 0; i < 10; i++) failNext();
    const fetch = vi.fn(fake.fetch);
    const { connection, log } = setup({ maxRetries: 3, fetch });
    connection.connect();
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(log.retries).toEqual([
      { attempt: 1, delay: 500, type, status },
      { attempt: 2, delay: 1000, type, status },
      { attempt: 3, delay: 2000, type, status },
    ]);
    expect(log.failed).toEqual([{ attempts: 4, reason: 'retry-limit', type }]);
    expect(connection.state).toBe('failed');
    expect(log.states).toEqual(['connecting', 'reconnecting', 'failed']);
    expect(vi.getTimerCount()).toBe(0);
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it('counts requests exactly: maxRetries 0 fails on the first failure, 8 (the default) after nine', async () => {
    for (const [maxRetries, requests] of [[0, 1], [undefined, 9]] as const) {
      let calls = 0;
      const fetch = (async () => {
        calls++;
        throw new TypeError('Failed to fetch');
      }) as typeof globalThis.fetch;
      const { connection, log } = setup({ maxRetries, fetch });
      connection.connect();
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(calls).toBe(requests);
      expect(log.failed).toEqual([{ attempts: requests, reason: 'retry-limit', type: 'network' }]);
      connection.close();
    }
  });

  it('never gives up with maxRetries Infinity, and caps the delay at maxRetryDelay', async () => {
    let calls = 0;
    const fetch = (async () => {
      calls++;
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    const { connection, log } = setup({ maxRetries: Infinity, fetch, random: () => 1, maxRetryDelay: 4000 });
    connection.connect();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(calls).toBeGreaterThan(800);
    expect(log.failed).toEqual([]);
    expect(connection.state).toBe('reconnecting');
    expect(log.retries.slice(0, 5).map((r) => r.delay)).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(Math.max(...log.retries.map((r) => r.delay))).toBe(4000);
    connection.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resets the count after a connection stays open 10 s, not before', async () => {
    const run = async (openFor: number) => {
      fake.failNext();
      fake.failNext();
      const { connection, log } = setup({ maxRetries: 2 });
      connection.connect();
      await vi.advanceTimersByTimeAsync(500 + 1000);
      await settle();
      expect(connection.state).toBe('open');
      await vi.advanceTimersByTimeAsync(openFor);
      fake.last().drop();
      await settle();
      connection.close();
      return log;
    };
    const stable = await run(10_000);
    expect(stable.retries.map((r) => r.attempt)).toEqual([1, 2, 1]);
    expect(stable.failed).toEqual([]);
    const flapping = await run(9_000);
    expect(flapping.retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(flapping.failed).toEqual([{ attempts: 3, reason: 'retry-limit', type: 'network' }]);
  });

  it('resets the count when an event is delivered', async () => {
    fake.failNext();
    fake.failNext();
    const { connection, log } = setup({ maxRetries: 2 });
    connection.connect();
    await vi.advanceTimersByTimeAsync(1500);
    await settle();
    fake.last().send('data: hello\n\n');
    fake.last().drop();
    await settle();
    expect(log.retries.map((r) => [r.attempt, r.delay])).toEqual([[1, 500], [2, 1000], [1, 500]]);
    expect(connection.state).toBe('reconnecting');
    connection.close();
  });

  it('connect() after failed starts over with a fresh count', async () => {
    fake.respond(500);
    const { connection, log } = setup({ maxRetries: 0 });
    connection.connect();
    await settle();
    expect(log.failed).toHaveLength(1);
    connection.connect();
    await settle();
    expect(connection.state).toBe('open');
    expect(log.states).toEqual(['connecting', 'failed', 'connecting', 'open']);
    connection.close();
  });
});

describe('createConnection: failure rules by status', () => {
  it('stops at once on 204', async () => {
    fake.respond(204);
    const { connection, log } = setup();
    connection.connect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.failed).toEqual([{ attempts: 1, reason: 'status', status: 204, type: 'http-status' }]);
    expect(log.retries).toEqual([]);
    expect(connection.state).toBe('failed');
    expect(fake.streams).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([400, 404, 410, 422])('stops at once on %i', async (status) => {
    fake.respond(status);
    const { connection, log } = setup();
    connection.connect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.failed).toEqual([{ attempts: 1, reason: 'status', status, type: 'http-status' }]);
    expect(log.retries).toEqual([]);
    expect(fake.streams).toHaveLength(0);
  });

  it.each([401, 403])('stops at once on %i without a tokenProvider', async (status) => {
    fake.respond(status);
    const { connection, log } = setup({ token: 'static' });
    connection.connect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.failed).toEqual([{ attempts: 1, reason: 'status', status, type: 'http-status' }]);
    expect(fake.streams).toHaveLength(0);
  });

  it.each([401, 403])('on %i asks the tokenProvider once more and retries once, then fails with the status', async (status) => {
    const tokens: string[] = [];
    const seen: (string | undefined)[] = [];
    let n = 0;
    const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      seen.push((init?.headers as Record<string, string>).authorization);
      return new Response(null, { status });
    }) as typeof globalThis.fetch;
    const tokenProvider = vi.fn(async () => {
      const token = `t${++n}`;
      tokens.push(token);
      return token;
    });
    const { connection, log } = setup({ fetch, tokenProvider, token: 'ignored' });
    connection.connect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tokenProvider).toHaveBeenCalledTimes(2);
    expect(seen).toEqual(['Bearer t1', 'Bearer t2']);
    expect(log.failed).toEqual([{ attempts: 2, reason: 'status', status, type: 'http-status' }]);
    expect(log.retries).toEqual([]);
    expect(connection.state).toBe('failed');
  });

  it('calls the tokenProvider before every connect and opens with the fresh token after a 401', async () => {
    fake.respond(401);
    let n = 0;
    const tokenProvider = vi.fn(() => `t${++n}`);
    const { connection, log } = setup({ tokenProvider });
    connection.connect();
    await settle();
    expect(connection.state).toBe('open');
    expect(fake.streams.map((s) => s.headers.authorization)).toEqual(['Bearer t2']);
    fake.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(tokenProvider).toHaveBeenCalledTimes(3);
    expect(fake.streams.map((s) => s.headers.authorization)).toEqual(['Bearer t2', 'Bearer t3']);
    expect(log.failed).toEqual([]);
    connection.close();
  });

  it('treats a tokenProvider that throws as a failed attempt, never as a thrown error', async () => {
    const tokenProvider = vi.fn().mockRejectedValueOnce(new Error('auth server down')).mockResolvedValue('ok');
    const { connection, log } = setup({ tokenProvider });
    connection.connect();
    await settle();
    expect(log.retries).toEqual([{ attempt: 1, delay: 500, type: 'network', status: 0 }]);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(connection.state).toBe('open');
    expect(fake.last().headers.authorization).toBe('Bearer ok');
    connection.close();
  });

  it.each([503, 500, 429])('backs off on %i, waiting at least Retry-After, unjittered', async (status) => {
    fake.respond(status, { headers: { 'retry-after': '5' } });
    fake.respond(status);
    const { connection, log } = setup();
    connection.connect();
    await settle();
    expect(log.retries).toEqual([{ attempt: 1, delay: 5000, type: 'http-status', status }]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(log.retries).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(log.retries.map((r) => r.delay)).toEqual([5000, 1000]);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(connection.state).toBe('open');
    connection.close();
  });

  it('lets the server\'s retry: replace the base delay, and ignores a non-numeric retry', async () => {
    const { connection, log } = setup({ retryDelay: 1000 });
    connection.connect();
    await settle();
    fake.last().send('retry: 200\n\nretry: soon\n\nretry: 1e3\n\n');
    fake.last().drop();
    await settle();
    await vi.advanceTimersByTimeAsync(100);
    await settle();
    fake.last().drop();
    await settle();
    expect(log.retries.map((r) => r.delay)).toEqual([100, 200]);
    connection.close();
  });

  it('retries a 200 HTML page (content-type) and reports the reason to retry and failed listeners', async () => {
    fake.respond(200, { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><title>Portal</title>' });
    fake.respond(200, { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><title>Portal</title>' });
    const { connection, log } = setup({ maxRetries: 1 });
    connection.connect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(log.retries).toEqual([{ attempt: 1, delay: 500, type: 'content-type', status: 200 }]);
    expect(log.failed).toEqual([{ attempts: 2, reason: 'retry-limit', type: 'content-type' }]);
    expect(log.events).toEqual([]);
  });
});

describe('createConnection: offline and page lifecycle', () => {
  it('spends no attempt while offline and reconnects at once on online', async () => {
    navigatorStub.onLine = false;
    for (let i = 0; i < 5; i++) fake.failNext();
    const { connection, log } = setup({ maxRetries: 0 });
    connection.connect();
    await settle();
    expect(connection.state).toBe('reconnecting');
    expect(log.retries).toEqual([]);
    expect(log.failed).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    // Still offline: a spurious online event whose request fails again spends nothing either.
    win.dispatchEvent(new Event('online'));
    await settle();
    expect(log.failed).toEqual([]);
    expect(connection.state).toBe('reconnecting');
    // Back online for real: one failure in a row remains allowed (maxRetries 0 = the first failure gives up).
    navigatorStub.onLine = true;
    win.dispatchEvent(new Event('online'));
    await settle();
    expect(log.failed).toEqual([{ attempts: 1, reason: 'retry-limit', type: 'network' }]);
  });

  it('reconnects at once on online instead of waiting out the backoff', async () => {
    fake.failNext();
    const { connection, log } = setup({ retryDelay: 30_000, heartbeatTimeout: 0 });
    connection.connect();
    await settle();
    expect(log.retries).toHaveLength(1);
    win.dispatchEvent(new Event('online'));
    await settle();
    expect(connection.state).toBe('open');
    expect(fake.streams).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1); // only the 10 s stability timer
    win.dispatchEvent(new Event('online'));
    await settle();
    expect(fake.streams).toHaveLength(1); // an open connection ignores online
    connection.close();
  });

  it('closes the stream when the page enters the back/forward cache and reconnects when it is restored', async () => {
    const { connection } = setup();
    connection.connect();
    await settle();
    win.dispatchEvent(pageEvent('pagehide', false));
    expect(fake.open()).toBe(1);
    win.dispatchEvent(pageEvent('pagehide', true));
    expect(fake.open()).toBe(0);
    expect(connection.state).toBe('reconnecting');
    win.dispatchEvent(pageEvent('pageshow', true));
    await settle();
    expect(fake.streams).toHaveLength(2);
    expect(fake.open()).toBe(1);
    expect(connection.state).toBe('open');
    win.dispatchEvent(pageEvent('pageshow', true));
    await settle();
    expect(fake.streams).toHaveLength(2);
    connection.close();
  });

  it('reconnects at once on a pageshow from the back/forward cache while waiting to retry', async () => {
    fake.failNext();
    const { connection } = setup({ retryDelay: 30_000 });
    connection.connect();
    await settle();
    win.dispatchEvent(pageEvent('pageshow', false));
    await settle();
    expect(fake.streams).toHaveLength(0);
    win.dispatchEvent(pageEvent('pageshow', true));
    await settle();
    expect(fake.streams).toHaveLength(1);
    expect(connection.state).toBe('open');
    connection.close();
  });
});

describe('createConnection: resume', () => {
  it('sends the last id as Last-Event-ID after a drop, and keeps it past id-less events', async () => {
    const { connection, log } = setup();
    connection.connect();
    await settle();
    expect(fake.last().headers['last-event-id']).toBeUndefined();
    fake.last().send('id: n-5\nevent: notification\ndata: five\n\n');
    fake.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(fake.last().headers['last-event-id']).toBe('n-5');
    // The hub's handshake carries no id; it must not clear the resume point.
    fake.last().send('data: {"type":"connected","clientId":"c2"}\n\n');
    fake.last().drop();
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(fake.last().headers['last-event-id']).toBe('n-5');
    expect(connection.lastEventId).toBe('n-5');
    expect(log.events.map((e) => [e.data, e.lastEventId, e.id])).toEqual([
      ['five', 'n-5', 'n-5'],
      ['{"type":"connected","clientId":"c2"}', 'n-5', undefined],
    ]);
    connection.close();
  });

  it('ignores an id containing U+0000', async () => {
    const { connection, log } = setup();
    connection.connect();
    await settle();
    fake.last().send('id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n');
    await settle();
    expect(log.events.map((e) => e.lastEventId)).toEqual(['1', '1']);
    expect(connection.lastEventId).toBe('1');
    connection.close();
  });

  it('keeps the last id in sessionStorage per url, so a new connection (a reload) resumes', async () => {
    const store = new Map<string, string>();
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) });
    const first = createConnection({ url: URL_, fetch: fake.fetch });
    first.connect();
    await settle();
    fake.last().send('id: n-9\ndata: x\n\n');
    await settle();
    first.close();
    const reloaded = createConnection({ url: URL_, fetch: fake.fetch });
    expect(reloaded.lastEventId).toBe('n-9');
    reloaded.connect();
    await settle();
    expect(fake.last().headers['last-event-id']).toBe('n-9');
    reloaded.close();
    const other = createConnection({ url: 'https://api.example/other', fetch: fake.fetch });
    other.connect();
    await settle();
    expect(fake.last().headers['last-event-id']).toBeUndefined();
    other.close();
    const unstored = createConnection({ url: URL_, fetch: fake.fetch, storage: null });
    expect(unstored.lastEventId).toBe('');
  });

  it('survives a storage that throws (sandboxed iframe, full quota)', async () => {
    const storage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const { connection, log } = setup({ storage });
    connection.connect();
    await settle();
    fake.last().send('id: 1\ndata: a\n\n');
    await settle();
    expect(log.events).toHaveLength(1);
    expect(connection.lastEventId).toBe('1');
    connection.close();
  });
});

describe('createConnection: request', () => {
  it('sends the token as Authorization, extra headers, and no Authorization without a token', async () => {
    const a = createConnection({ url: URL_, fetch: fake.fetch, storage: null, token: 'abc', headers: { 'X-App': '1' } });
    a.connect();
    await settle();
    expect(fake.last().headers).toEqual({ accept: 'text/event-stream', authorization: 'Bearer abc', 'x-app': '1' });
    a.close();
    const b = createConnection({ url: URL_, fetch: fake.fetch, storage: null });
    b.connect();
    await settle();
    expect(fake.last().headers).toEqual({ accept: 'text/event-stream' });
    expect(fake.last().url).toBe(URL_);
    b.close();
  });

  it('puts channels in the query, one parameter each, named by channelParam', async () => {
    const cases: [Partial<ConnectionOptions>, string][] = [
      [{ channels: ['orders', 'alerts'] }, `${URL_}?channel=orders&channel=alerts`],
      [{ channels: ['a b', 'ü'], channelParam: 'topic' }, `${URL_}?topic=a+b&topic=%C3%BC`],
      [{ channels: ['orders'], channelsInQuery: false }, URL_],
      [{ channels: ['x'], url: `${URL_}?v=2` }, `${URL_}?v=2&channel=x`],
    ];
    for (const [options, expected] of cases) {
      const { connection } = setup(options);
      connection.connect();
      await settle();
      expect(fake.last().url).toBe(expected);
      connection.close();
    }
  });

  it('maps withCredentials to credentials include', async () => {
    for (const withCredentials of [true, false]) {
      const { connection } = setup({ withCredentials });
      connection.connect();
      await settle();
      connection.close();
    }
    expect(fake.streams.map((s) => s.credentials)).toEqual(['include', 'same-origin']);
  });

  it('reconnects when no byte arrives for heartbeatTimeout, comments keeping it alive', async () => {
    const { connection, log } = setup({ heartbeatTimeout: 1000 });
    connection.connect();
    await settle();
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(900);
      fake.last().send(':heartbeat\n\n');
      await settle();
    }
    expect(log.retries).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(log.retries).toEqual([{ attempt: 1, delay: 500, type: 'heartbeat', status: 0 }]);
    expect(fake.streams[0].closed).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(fake.streams).toHaveLength(2);
    expect(connection.state).toBe('open');
    connection.close();
  });
});

/** A driven stand-in for the browser's EventSource. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  closed = false;
  listeners = new Map<string, ((e: Event) => void)[]>();
  constructor(
    public url: string,
    public init: { withCredentials?: boolean } = {},
  ) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (e: Event) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  emit(type: string, data: string, lastEventId = '') {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data, lastEventId }));
  }
  fail() {
    this.readyState = 0;
    this.onerror?.(new Event('error'));
  }
}

describe('createConnection: eventsource transport', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
  });
  const last = () => FakeEventSource.instances[FakeEventSource.instances.length - 1];
  const esSetup = (options: Partial<ConnectionOptions> = {}) =>
    setup({ transport: 'eventsource', EventSource: FakeEventSource as unknown as typeof EventSource, ...options });

  it('resumes with the lastEventId query parameter and keeps the id past id-less events of the new stream', async () => {
    const { connection, log } = esSetup({ channels: ['orders'] });
    connection.on('custom', () => {});
    connection.connect();
    await settle();
    expect(last().url).toBe(`${URL_}?channel=orders`);
    expect([...last().listeners.keys()].sort()).toEqual(['custom', 'message', 'notification', 'progress']);
    last().open();
    last().emit('notification', 'one', 'n-1');
    last().fail();
    expect(FakeEventSource.instances[0].closed).toBe(true);
    expect(log.retries).toEqual([{ attempt: 1, delay: 500, type: 'network', status: 0 }]);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(last().url).toBe(`${URL_}?channel=orders&lastEventId=n-1`);
    last().open();
    last().emit('message', '{"type":"connected","clientId":"c"}', '');
    last().emit('notification', 'two', 'n-2');
    last().emit('notification', 'reset', '');
    expect(log.events.map((e) => [e.data, e.lastEventId])).toEqual([
      ['one', 'n-1'],
      ['{"type":"connected","clientId":"c"}', 'n-1'],
      ['two', 'n-2'],
      ['reset', ''],
    ]);
    connection.close();
    expect(last().closed).toBe(true);
  });

  it('puts the token and the last id in query parameters named by tokenParam and lastEventIdParam', async () => {
    const storage = new Map([[`sse-notify:last-id:${URL_}`, 'n-7']]);
    const { connection } = esSetup({
      token: 's3cret',
      tokenParam: 'access_token',
      lastEventIdParam: 'since',
      withCredentials: true,
      storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) },
    });
    connection.connect();
    await settle();
    expect(last().url).toBe(`${URL_}?access_token=s3cret&since=n-7`);
    expect(last().init).toEqual({ withCredentials: true });
    connection.close();
  });

  it('treats every EventSource error as an ordinary failure up to maxRetries', async () => {
    const { connection, log } = esSetup({ maxRetries: 2 });
    connection.connect();
    for (let i = 0; i < 3; i++) {
      await settle();
      last().fail();
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(FakeEventSource.instances).toHaveLength(3);
    expect(FakeEventSource.instances.every((es) => es.closed)).toBe(true);
    expect(log.failed).toEqual([{ attempts: 3, reason: 'retry-limit', type: 'network' }]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createConnection: cleanup', () => {
  it('leaves no open request, no timer and no window listener after 100 connect/close cycles', async () => {
    for (let i = 0; i < 100; i++) {
      const phase = i % 4;
      if (phase === 1) fake.failNext();
      const { connection } = setup({ heartbeatTimeout: 5000, tokenProvider: phase === 3 ? async () => 't' : undefined });
      connection.connect();
      if (phase !== 0) await settle(); // 0: closed while connecting; 1: waiting to retry; 2, 3: open
      expect(windowListeners.length).toBeGreaterThan(0);
      connection.close();
      connection.close();
      expect(vi.getTimerCount()).toBe(0);
    }
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.streams.length).toBeGreaterThan(40);
    expect(fake.open()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(windowListeners).toEqual([]);
  });

  it('does not open a request when closed while the tokenProvider is pending', async () => {
    let resolve!: (token: string) => void;
    const { connection } = setup({ tokenProvider: () => new Promise<string>((r) => (resolve = r)) });
    connection.connect();
    connection.close();
    resolve('late');
    await settle();
    expect(fake.streams).toHaveLength(0);
    expect(connection.state).toBe('closed');
  });

  it('registers its window listeners once however often connect() is called', async () => {
    const { connection } = setup();
    connection.connect();
    connection.connect();
    await settle();
    connection.close();
    connection.connect();
    await settle();
    expect(windowListeners.map(([type]) => type).sort()).toEqual(['online', 'pagehide', 'pageshow']);
    connection.close();
    expect(windowListeners).toEqual([]);
  });
});
