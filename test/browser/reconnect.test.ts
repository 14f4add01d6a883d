/**
 * Reconnect, resume, heartbeat and cleanup in real Chromium: the built IIFE on
 * a host page (test/fixtures/connection-reconnect.html, whose query string
 * becomes the element's attributes) against the SSE test server's faults.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage, type NewPageOptions, type TestPage } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';
import type { HubOptions } from '../../src/server/types';

interface Recorded {
  type: string;
  detail: any;
  t: number;
}

/** What the harness page (connection-reconnect.html) puts on window. */
interface Harness {
  __events: Recorded[];
  __mount(attributes: Record<string, string>): HTMLElement;
  __titles(): string[];
  __windowListeners?: Record<string, number>;
}
// Not a `declare global`: other suites give window members of these names other types.
// Inside page.evaluate() callbacks: `(window as unknown as Harness)` (the callback runs in the page).

let browser: Browser;
let server: TestServer | undefined;
const pages: TestPage[] = [];

// Failed requests are network noise in the console, not page errors (uncaught exceptions still count).
const NETWORK_NOISE = [/Failed to load resource/, /net::ERR_/];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(() => {
  server = undefined;
});
afterEach(async () => {
  while (pages.length) await pages.pop()!.close();
  await server?.close();
});

/** The test server for this test; the hub's `retry:` is short so the widget's own backoff shows. */
async function serve(hub: HubOptions = {}) {
  server = await start({ staticDir: [inject('distDir'), 'test/fixtures'], hub: { retry: 100, ...hub } });
  return server;
}

/** Opens the harness with these element attributes (on top of quick backoff and sticky toasts). */
async function open(attributes: Record<string, string> = {}, options: NewPageOptions & { manual?: boolean } = {}) {
  const { manual, ...pageOptions } = options;
  const t = await newPage(browser, { ignore: NETWORK_NOISE, ...pageOptions });
  pages.push(t);
  const query = manual
    ? 'manual'
    : new URLSearchParams({ src: '/events', 'retry-delay': '100', 'max-retry-delay': '400', 'max-toasts': '50', duration: '0', ...attributes }).toString();
  await t.page.goto(`${server!.url}/connection-reconnect.html?${query}`);
  return t;
}

const recorded = async (t: TestPage, type?: string) => {
  const all = await t.page.evaluate(() => (window as unknown as Harness).__events);
  return type ? all.filter((e) => e.type === type) : all;
};
const titles = (t: TestPage) => t.page.evaluate(() => (window as unknown as Harness).__titles());
const stateOf = (t: TestPage) => t.page.evaluate(() => document.querySelector('sse-notify')?.getAttribute('state'));
const until = (check: () => Promise<unknown>, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 25 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const notify = (title: string) => server!.publish({ event: 'notification', data: { title } });

/** The SSE `notification` events the page saw, as [title, lastEventId]. */
const seenNotifications = async (t: TestPage) =>
  (await recorded(t, 'sse-event')).filter((e) => e.detail.type === 'notification').map((e) => [e.detail.data.title, e.detail.lastEventId]);

it('reconnects after a dropped stream and resumes with Last-Event-ID: nothing lost, nothing twice', async () => {
  const s = await serve();
  const t = await open();
  await s.waitForOpen(1);
  const id1 = await notify('n1');
  const id2 = await notify('n2');
  await until(async () => expect(await titles(t)).toEqual(['n1', 'n2']));

  // The next two connects get 503, so the client stays down while three more are published.
  s.answer(503, { times: 2 });
  expect(s.dropAll()).toBe(1);
  const missed = [await notify('n3'), await notify('n4'), await notify('n5')];
  await until(async () => expect(await titles(t)).toHaveLength(5));
  await sleep(300);

  expect(await titles(t)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  expect(await seenNotifications(t)).toEqual([
    ['n1', id1], ['n2', id2], ['n3', missed[0]], ['n4', missed[1]], ['n5', missed[2]],
  ]);
  const streams = s.requests.filter((r) => r.path === '/events');
  expect(streams.map((r) => [r.outcome, r.lastEventId])).toEqual([
    ['stream', undefined],
    ['fault', id2],
    ['fault', id2],
    ['stream', id2],
  ]);
  expect((await recorded(t, 'sse-retry')).map((e) => e.detail.attempt)).toEqual([1, 2, 3]);
  expect((await recorded(t, 'sse-open'))).toHaveLength(2);
  expect(await stateOf(t)).toBe('open');

  // Two more drops with nothing new: the id-less `connected` handshake of each new stream must
  // not clear the resume point.
  for (const opens of [3, 4]) {
    s.dropAll();
    await until(async () => expect(await recorded(t, 'sse-open')).toHaveLength(opens));
  }
  expect(s.requests.filter((r) => r.path === '/events').slice(4).map((r) => r.lastEventId)).toEqual([missed[2], missed[2]]);
  expect(await titles(t)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  t.assertNoErrors();
});

it('waits out a 503 Retry-After, then recovers', async () => {
  const s = await serve();
  s.answer(503, { retryAfter: 1 });
  const t = await open();
  await until(async () => expect(await recorded(t, 'sse-open')).toHaveLength(1));
  const [retry] = await recorded(t, 'sse-retry');
  const [opened] = await recorded(t, 'sse-open');
  expect(retry.detail).toEqual({ attempt: 1, delay: 1000 });
  expect(opened.t - retry.t).toBeGreaterThanOrEqual(950);
  expect(s.requests.map((r) => r.outcome)).toEqual(['fault', 'stream']);
  expect((await recorded(t, 'sse-state')).map((e) => e.detail.state)).toEqual(['connecting', 'reconnecting', 'open']);
  t.assertNoErrors();
});

it('gives up on a 401 with sse-failed carrying the status, and asks no more', async () => {
  const s = await serve();
  s.answer(401);
  const t = await open();
  await until(async () => expect(await recorded(t, 'sse-failed')).toHaveLength(1));
  await sleep(500);
  expect((await recorded(t, 'sse-failed')).map((e) => e.detail)).toEqual([{ attempts: 1, reason: 'status', status: 401, type: 'http-status' }]);
  expect(await recorded(t, 'sse-retry')).toEqual([]);
  expect(await stateOf(t)).toBe('failed');
  expect(s.requests).toHaveLength(1);
  t.assertNoErrors();
});

it('on a 401 asks the tokenProvider for a fresh token, sends it as Authorization and connects', async () => {
  const s = await serve();
  s.answer(401);
  const t = await open({}, { manual: true });
  await t.page.evaluate(() => {
    let n = 0;
    const el = document.createElement('sse-notify') as HTMLElement & { tokenProvider: () => Promise<string> };
    el.tokenProvider = async () => `token-${++n}`;
    el.setAttribute('src', '/events');
    document.body.append(el);
  });
  await until(async () => expect(await recorded(t, 'sse-open')).toHaveLength(1));
  expect(s.requests.map((r) => [r.outcome, r.authorization])).toEqual([
    ['fault', 'Bearer token-1'],
    ['stream', 'Bearer token-2'],
  ]);
  t.assertNoErrors();
});

it('stops at once on a 204', async () => {
  const s = await serve();
  s.answer(204);
  const t = await open();
  await until(async () => expect(await recorded(t, 'sse-failed')).toHaveLength(1));
  await sleep(500);
  expect((await recorded(t, 'sse-failed')).map((e) => e.detail)).toEqual([{ attempts: 1, reason: 'status', status: 204, type: 'http-status' }]);
  expect(s.requests).toHaveLength(1);
  expect(await stateOf(t)).toBe('failed');
  t.assertNoErrors();
});

it('retries an HTML page answered with 200 and gives up with retry-limit, without a page error', async () => {
  const s = await serve();
  s.answer(200, { times: 3 });
  const t = await open({ 'max-retries': '2' });
  await until(async () => expect(await recorded(t, 'sse-failed')).toHaveLength(1));
  expect((await recorded(t, 'sse-failed')).map((e) => e.detail)).toEqual([{ attempts: 3, reason: 'retry-limit', type: 'content-type' }]);
  expect((await recorded(t, 'sse-retry')).map((e) => e.detail.attempt)).toEqual([1, 2]);
  expect(s.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault']);
  t.assertNoErrors();
});

it('stays up on heartbeats, and reconnects when the stream stalls past heartbeat-timeout', async () => {
  const s = await serve({ heartbeatInterval: 250 });
  const t = await open({ 'heartbeat-timeout': '800' });
  await s.waitForOpen(1);
  await sleep(2000); // only heartbeat comments flow: the watchdog must not fire
  expect(await recorded(t, 'sse-retry')).toEqual([]);
  expect(s.connections).toBe(1);

  s.stall();
  const stalledAt = Date.now();
  await until(async () => expect(await recorded(t, 'sse-retry')).toHaveLength(1), 5000);
  // 800 ms after the last byte, which came at most one 250 ms heartbeat before the stall.
  expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(500);
  s.stall(false);
  await until(async () => expect(await recorded(t, 'sse-open')).toHaveLength(2));
  await s.waitForOpen(1); // the dead stream was closed by the client
  await notify('after the stall');
  await until(async () => expect(await titles(t)).toEqual(['after the stall']));
  t.assertNoErrors();
});

it('resumes the eventsource transport with the lastEventId query parameter', async () => {
  const s = await serve();
  const t = await open({ transport: 'eventsource' }, { ignore: [...NETWORK_NOISE, /EventSource/] });
  await s.waitForOpen(1);
  const id1 = await notify('n1');
  await until(async () => expect(await titles(t)).toEqual(['n1']));
  s.answer(503, { times: 1 });
  s.dropAll();
  const missed = [await notify('n2'), await notify('n3')];
  await until(async () => expect(await titles(t)).toHaveLength(3));
  await sleep(300);
  expect(await titles(t)).toEqual(['n1', 'n2', 'n3']);
  expect(await seenNotifications(t)).toEqual([['n1', id1], ['n2', missed[0]], ['n3', missed[1]]]);
  const streams = s.requests.filter((r) => r.path === '/events');
  expect(streams.map((r) => [r.outcome, new URL(r.url, s.url).searchParams.get('lastEventId')])).toEqual([
    ['stream', null],
    ['fault', id1],
    ['stream', id1],
  ]);
  for (const opens of [3, 4]) {
    s.dropAll();
    await until(async () => expect(await recorded(t, 'sse-open')).toHaveLength(opens));
  }
  const resumedFrom = s.requests.filter((r) => r.path === '/events').slice(3).map((r) => new URL(r.url, s.url).searchParams.get('lastEventId'));
  expect(resumedFrom).toEqual([missed[1], missed[1]]);
  t.assertNoErrors();
});

it.each(['tabs', 'off'])('with share="%s", closes the server-side stream when the element is removed, and 20 add/remove cycles leave nothing open', async (share) => {
  const s = await serve();
  const t = await open({}, { manual: true });
  await t.page.evaluate(() => {
    // Count the window listeners the widget holds.
    const active: Record<string, number> = ((window as unknown as Harness).__windowListeners = {});
    const add = window.addEventListener.bind(window);
    const remove = window.removeEventListener.bind(window);
    const seen = new Set<unknown>();
    window.addEventListener = ((type: string, listener: EventListener, options?: boolean | AddEventListenerOptions) => {
      if (!seen.has(listener)) active[type] = (active[type] ?? 0) + 1;
      seen.add(listener);
      add(type, listener, options);
    }) as typeof window.addEventListener;
    window.removeEventListener = ((type: string, listener: EventListener, options?: boolean | EventListenerOptions) => {
      if (seen.delete(listener)) active[type] -= 1;
      remove(type, listener, options);
    }) as typeof window.removeEventListener;
  });
  await t.page.evaluate((share) => (window as unknown as Harness).__mount({ src: '/events', id: 'first', share }), share);
  await s.waitForOpen(1);
  await t.page.evaluate(() => document.getElementById('first')!.remove());
  await s.waitForOpen(0);
  expect(await t.page.evaluate(() => document.querySelector('#first')?.getAttribute('state') ?? 'gone')).toBe('gone');

  await t.page.evaluate(async (share) => {
    for (let i = 0; i < 20; i++) {
      const el = (window as unknown as Harness).__mount({ src: '/events', share });
      // Half the cycles remove the element while it is still connecting.
      if (i % 2) await new Promise((resolve) => el.addEventListener('sse-open', resolve, { once: true }));
      el.remove();
    }
  }, share);
  await s.waitForOpen(0);
  await sleep(500);
  expect(s.open).toBe(0);
  expect(s.connections).toBeGreaterThanOrEqual(11);
  expect(await t.page.evaluate(() => document.querySelectorAll('sse-notify').length)).toBe(0);
  const listeners = await t.page.evaluate(() => (window as unknown as Harness).__windowListeners!);
  expect(Object.keys(listeners).length).toBeGreaterThan(0);
  expect(Object.values(listeners).every((n) => n === 0)).toBe(true);
  t.assertNoErrors();
});
