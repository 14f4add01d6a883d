import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';

// Several tabs of one site: pages of ONE browser context share Web Locks and
// BroadcastChannel, as the tabs of one browser profile do.

let browser: Browser;
let server: TestServer;
let context: BrowserContext | undefined;
const errors: string[] = [];

beforeAll(async () => {
  server = await start({ staticDir: [inject('distDir'), 'test/fixtures'] });
  browser = await launchChromium();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  await server.waitForOpen(0);
  server.reset();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const assertNoErrors = () => {
  const found = errors.splice(0);
  if (found.length > 0) throw new Error(`The pages reported ${found.length} error(s):\n${found.join('\n')}`);
};

/** Records what each page's widget dispatches and every OS notification it creates. */
const recorder = () => {
  const w = window as any;
  w.__states = [];
  w.__events = [];
  w.__notified = [];
  document.addEventListener('sse-state', (e: any) => w.__states.push(e.detail.state));
  document.addEventListener('sse-event', (e: any) => w.__events.push({ type: e.detail.type, id: e.detail.lastEventId }));
  const Native = w.Notification;
  if (Native) {
    w.Notification = class extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        w.__notified.push(options?.tag);
      }
    };
  }
};

const newContext = async () => {
  context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(recorder);
  return context;
};

/** Opens a tab and waits until its widget is open (as a follower or as the leader). */
const openTab = async (path: string) => {
  const page = await context!.newPage();
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    // The 503, 401 and dropped stream that tests cause on purpose are logged by Chromium itself.
    if (message.type() === 'error' && !/status of (503|401)|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(message.text())) errors.push(`console error: ${message.text()}`);
  });
  await page.goto(`${server.url}${path}`);
  await page.locator('sse-notify[state="open"]').waitFor({ state: 'attached' });
  return page;
};

const titles = (page: Page) => page.locator('sse-notify [part="toast"] [part="title"]').allTextContents();
const read = <T>(page: Page, name: string) => page.evaluate((n) => (window as any)[n], name) as Promise<T>;
const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));

const publish = (title: string) => server.publish({ event: 'notification', data: { title } });

it('holds one connection for three tabs and shows each event as a toast in all of them', async () => {
  await newContext();
  const tabs = [await openTab('/share-tabs.html'), await openTab('/share-tabs.html'), await openTab('/share-tabs.html')];
  await settle();
  expect(server.open).toBe(1);
  expect(server.connections).toBe(1);
  await publish('Shared news');
  for (const page of tabs) {
    await expect.poll(() => titles(page)).toEqual(['Shared news']);
  }
  assertNoErrors();
});

it('shows an OS notification in one tab only', async () => {
  await newContext();
  const tabs = [await openTab('/share-tabs.html'), await openTab('/share-tabs.html'), await openTab('/share-tabs.html')];
  const id = await publish('Once per browser');
  for (const page of tabs) await expect.poll(() => titles(page)).toEqual(['Once per browser']);
  await settle(300);
  const notified = await Promise.all(tabs.map((page) => read<string[]>(page, '__notified')));
  expect(notified.flat()).toEqual([id]);
  assertNoErrors();
});

it('hands the connection over when the leader tab closes, resuming from the last id with nothing lost or doubled', async () => {
  await newContext();
  const [leader, ...rest] = [await openTab('/share-tabs.html'), await openTab('/share-tabs.html'), await openTab('/share-tabs.html')];
  const first = await publish('Before');
  for (const page of rest) await expect.poll(() => titles(page)).toEqual(['Before']);
  server.reset();
  // The new leader's first attempt fails, so what is published next finds no stream open.
  server.answer(503);

  await leader.close();
  await expect.poll(() => server.requests.length).toBe(1);
  expect(server.open).toBe(0);
  const during = await publish('During');
  await server.waitForConnections(1, 5000);
  expect(server.requests.map((r) => [r.outcome, r.lastEventId])).toEqual([['fault', first], ['stream', first]]);
  const after = await publish('After');

  for (const page of rest) {
    await expect.poll(() => titles(page)).toEqual(['Before', 'During', 'After']);
  }
  await settle();
  for (const page of rest) {
    expect(await titles(page)).toEqual(['Before', 'During', 'After']);
    // Besides these, the hub greets each new stream with an id-less `message`.
    const events = await read<{ type: string; id: string }[]>(page, '__events');
    expect(events.filter((e) => e.type === 'notification').map((e) => e.id)).toEqual([first, during, after]);
    const states = await read<string[]>(page, '__states');
    expect(states.slice(-2)).toEqual(['reconnecting', 'open']);
    expect(await page.locator('sse-notify').getAttribute('state')).toBe('open');
  }
  expect(server.open).toBe(1);
  assertNoErrors();
});

it('hands the connection over when the leader tab crashes', async () => {
  await newContext();
  const [leader, ...rest] = [await openTab('/share-tabs.html'), await openTab('/share-tabs.html'), await openTab('/share-tabs.html')];
  const first = await publish('Before');
  for (const page of rest) await expect.poll(() => titles(page)).toEqual(['Before']);
  server.reset();
  const cdp = await context!.newCDPSession(leader);
  leader.on('pageerror', () => {});
  const crashed = leader.waitForEvent('crash');
  void cdp.send('Page.crash').catch(() => {}); // never answers: the page dies
  await crashed;
  await server.waitForConnections(1, 2000);
  expect(server.requests.map((r) => r.lastEventId)).toEqual([first]);
  await publish('After');
  for (const page of rest) await expect.poll(() => titles(page)).toEqual(['Before', 'After']);
  expect(server.open).toBe(1);
  assertNoErrors();
});

it('shows the failure in every tab, and Retry in a tab that does not hold the connection reconnects the group', async () => {
  await newContext();
  const tabs = [await openTab('/share-tabs.html'), await openTab('/share-tabs.html'), await openTab('/share-tabs.html')];
  server.answer(401);
  server.dropAll();
  for (const page of tabs) await page.locator('sse-notify[state="failed"]').waitFor({ state: 'attached' });
  server.reset();
  await tabs[2].getByRole('button', { name: 'Retry' }).click();
  for (const page of tabs) await page.locator('sse-notify[state="open"]').waitFor({ state: 'attached' });
  await settle();
  expect(server.connections).toBe(1);
  expect(server.open).toBe(1);
  assertNoErrors();
});

it('gives a tab opened later the live events but no replay of earlier ones', async () => {
  await newContext();
  const early = await openTab('/share-tabs.html');
  await publish('Earlier');
  await expect.poll(() => titles(early)).toEqual(['Earlier']);
  const late = await openTab('/share-tabs.html');
  await publish('Later');
  await expect.poll(() => titles(early)).toEqual(['Earlier', 'Later']);
  await expect.poll(() => titles(late)).toEqual(['Later']);
  expect(server.connections).toBe(1);
  assertNoErrors();
});

it('opens one connection per tab with share="off"', async () => {
  await newContext();
  const tabs = [await openTab('/share-off.html'), await openTab('/share-off.html'), await openTab('/share-off.html')];
  await server.waitForOpen(3);
  await publish('Each on its own');
  for (const page of tabs) await expect.poll(() => titles(page)).toEqual(['Each on its own']);
  expect(server.open).toBe(3);
  assertNoErrors();
});
