// The demo site as a newcomer gets it: `vite build --mode demo` served by a plain static
// server under a sub-path, the backend mocked by MSW's service worker, the widget loaded by
// the built classic script. With SCREENSHOTS=1 the last test refreshes docs/screenshots/demo*.png.
import { execSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage, type NewPageOptions } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';

let browser: Browser;
let server: TestServer;
let site: string;
const SUB_PATH = '/hosted/demo/';

beforeAll(async () => {
  mkdirSync('test/.artifacts', { recursive: true });
  site = resolve(mkdtempSync('test/.artifacts/demo-'));
  execSync(`node node_modules/vite/bin/vite.js build --mode demo --outDir ${join(site, SUB_PATH)} --logLevel error`, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' }, // as `npm run build:demo` runs, not as the test runner's `test`
  });
  server = await start({ staticDir: site });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

// The faults below make the browser log the failed stream requests they cause; nothing else may.
const EXPECTED_FAILURES: NewPageOptions['ignore'] = [/Failed to load resource: the server responded with a status of (503|401)/];

async function openDemo(options: NewPageOptions = {}) {
  const t = await newPage(browser, { viewport: { width: 1440, height: 900 }, ignore: EXPECTED_FAILURES, ...options });
  await t.page.goto(`${server.url}${SUB_PATH}`);
  await toast(t.page, 'Welcome').waitFor();
  await waitForState(t.page, 'open');
  return t;
}

const toast = (page: Page, title: string) => page.locator('sse-notify [part~="toast"]', { has: page.locator(`[part="title"]:text-is("${title}")`) });

const waitForState = (page: Page, state: string) =>
  page.waitForFunction((s) => document.querySelector('sse-notify')?.getAttribute('state') === s, state);

/** Titles of the toasts in the widget's shadow root, in stack order. */
const toastTitles = (page: Page) =>
  page.evaluate(() =>
    [...(document.querySelector('sse-notify')?.shadowRoot?.querySelectorAll('[part~="toast"] [part="title"]') ?? [])].map((n) => n.textContent),
  );

/** Texts of the demo's log rows of one kind. */
const logRows = (page: Page, kind: string) => page.locator(`#log li[data-kind="${kind}"] .msg`).allTextContents();

/** Starts recording the titles of every `sse-event` the element dispatches. */
const recordEvents = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { seen: string[] };
    w.seen = [];
    document.querySelector('sse-notify')!.addEventListener('sse-event', (e) => {
      const data = (e as CustomEvent<{ data: unknown }>).detail.data as { title?: string } | null;
      if (typeof data?.title === 'string') w.seen.push(data.title);
    });
  });
const recorded = (page: Page) => page.evaluate(() => (window as unknown as { seen: string[] }).seen);

/** POSTs JSON to the mocked API from the page, so MSW's service worker answers it. */
const post = (page: Page, path: string, body: unknown) =>
  page.evaluate(
    async ({ path, body }) => {
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() };
    },
    { path, body },
  );

const count = (items: (string | null)[], item: string) => items.filter((x) => x === item).length;

it('loads from a sub-path with the built classic script and shows the mocked welcome', async () => {
  const t = await openDemo();
  const scripts = await t.page.evaluate(() => [...document.scripts].map((s) => s.getAttribute('src')));
  expect(scripts).toContain('./sse-notify.iife.js');
  expect(await t.page.evaluate(() => typeof (window as { SSENotify?: { define?: unknown } }).SSENotify?.define)).toBe('function');
  expect(await t.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}${SUB_PATH}mockServiceWorker.js`);
  expect(await t.page.locator('#conn').textContent()).toBe('open');
  expect(await logRows(t.page, 'state')).toEqual(['connecting', 'open']);
  expect((await logRows(t.page, 'server'))[0]).toContain('no last id (a new client)');
  expect((await logRows(t.page, 'event')).some((row) => row.includes('"title":"Welcome"'))).toBe(true);
  t.assertNoErrors();
  await t.close();
});

it.each([
  ['fetch', 'Last-Event-ID: '],
  ['eventsource', '?lastEventId='],
])(
  'with the %s transport, shows every notification sent during an outage exactly once after recovery',
  async (transport, resumeMark) => {
    const t = await openDemo();
    const { page } = t;
    if (transport !== 'fetch') {
      await page.selectOption('select[data-attr="transport"]', transport);
      await page.waitForFunction(() => document.querySelectorAll('#log li[data-kind="open"]').length === 2);
    }
    // Keep every toast on screen so each can be counted.
    await page.evaluate(() => {
      const element = document.querySelector('sse-notify')!;
      element.setAttribute('duration', '0');
      element.setAttribute('max-toasts', '50');
    });
    await recordEvents(page);

    const outage = await post(page, '/api/faults', { outageMs: 2500 });
    expect(outage.json).toMatchObject({ dropped: 1 });
    const missed = ['Missed 1', 'Missed 2', 'Missed 3', 'Missed 4', 'Missed 5'];
    for (const title of missed) expect((await post(page, '/api/broadcast', { title, level: 'warning' })).json).toMatchObject({ delivered: 0 });
    expect(await page.locator('sse-notify').getAttribute('state')).not.toBe('open');

    await waitForState(page, 'open');
    await toast(page, 'Missed 5').waitFor();
    // A later live event: once it is shown, any duplicate replay would have arrived before it.
    await post(page, '/api/broadcast', { title: 'After' });
    await toast(page, 'After').waitFor();

    const titles = await toastTitles(page);
    const seen = await recorded(page);
    for (const title of missed) {
      expect(count(titles, title), `${title} toasts`).toBe(1);
      expect(count(seen, title), `${title} events`).toBe(1);
    }
    expect(seen.filter((x) => x.startsWith('Missed'))).toEqual(missed);
    expect(count(titles, 'Welcome')).toBe(1); // resumed, not welcomed as a new client
    expect((await logRows(page, 'retry')).length).toBeGreaterThan(0);
    expect((await logRows(page, 'server')).some((row) => row.includes(resumeMark))).toBe(true);
    t.assertNoErrors();
    await t.close();
  },
);

it('sends from the control panel only to subscribed channels and shows the chosen level', async () => {
  const t = await openDemo();
  const { page } = t;
  await page.uncheck('input[name="channel"][value="alerts"]');
  expect(await page.locator('sse-notify').getAttribute('channels')).toBe('orders');
  expect(await page.locator('#snippet').textContent()).toContain('channels="orders"');
  await page.waitForFunction(() => document.querySelectorAll('#log li[data-kind="open"]').length === 2);

  await page.fill('input[name="title"]', 'Only alerts');
  await page.selectOption('select[name="target"]', 'channel:alerts');
  await page.click('#send button[type="submit"]');
  await page.locator('#log li[data-kind="action"]', { hasText: 'delivered to 0 open streams' }).waitFor();

  await page.fill('input[name="title"]', 'Disk almost full');
  await page.fill('input[name="body"]', 'Volume /data is 91% full');
  await page.check('input[name="level"][value="warning"]');
  await page.selectOption('select[name="target"]', 'channel:orders');
  await page.click('#send button[type="submit"]');

  const shown = toast(page, 'Disk almost full');
  await shown.waitFor();
  expect(await shown.getAttribute('data-level')).toBe('warning');
  expect(await shown.locator('[part="body"]').textContent()).toBe('Volume /data is 91% full');
  expect(await toastTitles(page)).not.toContain('Only alerts');
  t.assertNoErrors();
  await t.close();
});

it('stops on 401 with a Retry toast, and Retry reconnects once the server lets it in', async () => {
  const t = await openDemo();
  const { page } = t;
  await page.click('button[data-action="unauthorized"]');
  await waitForState(page, 'failed');
  expect(await page.locator('button[data-action="unauthorized"]').getAttribute('aria-pressed')).toBe('true');
  expect((await logRows(page, 'failed')).join()).toContain('HTTP 401');
  const retry = page.locator('sse-notify [part~="toast"][data-level="error"] [part~="action"]');
  await retry.waitFor();

  await page.click('button[data-action="unauthorized"]');
  await page.waitForFunction(() => document.querySelector('button[data-action="unauthorized"]')?.getAttribute('aria-pressed') === 'false');
  await retry.click();
  await waitForState(page, 'open');
  expect(await page.locator('#conn').textContent()).toBe('open');
  t.assertNoErrors();
  await t.close();
});

it('runs a long task as one progress toast that ends as a success', async () => {
  const t = await openDemo();
  const { page } = t;
  await page.evaluate(() => document.querySelector('sse-notify')!.setAttribute('duration', '0'));
  await page.click('button[data-action="task"]');
  const task = toast(page, 'Generating report');
  await task.locator('[part="progress"]').waitFor();
  await page.waitForFunction(() => {
    const t = document.querySelector('sse-notify')?.shadowRoot?.querySelector('[part~="toast"][data-level="success"] [part="title"]');
    return t?.textContent === 'Generating report';
  });
  expect(await task.count()).toBe(1);
  expect(await task.locator('[part="progress"]').count()).toBe(0);
  t.assertNoErrors();
  await t.close();
});

it('shows the demo mid-session: toasts of every level, a task in progress, a resume in the log', async () => {
  const t = await openDemo({ colorScheme: 'light' });
  const { page } = t;
  await toast(page, 'Welcome').locator('[part="close"]').click();
  await toast(page, 'Welcome').waitFor({ state: 'detached' });
  await post(page, '/api/faults', { outageMs: 2500 }); // long enough for a 503 with Retry-After in the log
  await post(page, '/api/broadcast', { title: 'Payment failed', body: 'Card ending 4242 was declined', level: 'error' });
  await waitForState(page, 'open');
  await toast(page, 'Payment failed').waitFor();
  await page.fill('input[name="title"]', 'New order');
  await page.click('#send button[type="submit"]');
  await page.click('button[data-action="task"]');
  await post(page, '/api/channel/alerts', { title: 'Disk space', body: 'Volume /data is 85% full', level: 'warning' });
  await page.waitForFunction(() => {
    const bar = document.querySelector('sse-notify')?.shadowRoot?.querySelector<HTMLProgressElement>('[part="progress"]');
    return (bar?.value ?? 0) >= 40;
  });
  // Let the last toast finish its entrance transition.
  await page.waitForFunction(() => !document.querySelector('sse-notify')?.shadowRoot?.querySelector('[data-state="entering"], [data-state="leaving"]'));
  await page.waitForTimeout(250);
  const levels = await page.locator('sse-notify [part~="toast"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-level')));
  expect(new Set(levels)).toEqual(new Set(['info', 'success', 'warning', 'error']));

  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(site, 'demo.png') });
  // The same moment with the theme select set to dark: page and widget switch together.
  await page.selectOption('select[data-attr="theme"]', 'dark');
  expect(await page.locator('sse-notify').getAttribute('theme')).toBe('dark');
  const background = await toast(page, 'Payment failed').evaluate((n) => getComputedStyle(n).backgroundColor);
  expect(Math.max(...(background.match(/\d+/g) ?? ['255']).slice(0, 3).map(Number)), background).toBeLessThan(64);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(site, 'demo-dark.png') });
  if (process.env.SCREENSHOTS) {
    mkdirSync('docs/screenshots', { recursive: true });
    for (const name of ['demo.png', 'demo-dark.png']) copyFileSync(join(site, name), join('docs/screenshots', name));
  }
  t.assertNoErrors();
  await t.close();
});
