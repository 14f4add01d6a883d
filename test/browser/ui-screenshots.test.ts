import { mkdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';

// The pictures in README: the stack on a plausible app page, in light and
// dark theme and with progress toasts. Written on every run, so they always
// show the current styles.
const OUT = 'docs/screenshots';
const WIDTH = 1000;

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await start({ staticDir: [inject('distDir'), 'test/fixtures'] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const STACK = [
  { title: 'New order', body: 'Order #1042 was paid · $129.00', level: 'success', url: '/orders/1042' },
  { title: 'Anna mentioned you', body: '“Can you check the shipping rates before Friday?”', level: 'info' },
  { title: 'Disk almost full', body: 'db-2 is at 91% capacity.', level: 'warning' },
  { title: 'Payment failed', body: 'Card ending 4242 was declined.', level: 'error' },
];

async function shoot(name: string, theme: 'light' | 'dark', publish: () => Promise<void>, count: number) {
  const t = await newPage(browser, { viewport: { width: WIDTH, height: 520 }, deviceScaleFactor: 2, colorScheme: theme, reducedMotion: 'reduce' });
  await t.page.goto(`${server.url}/ui-screenshot.html`);
  await t.page.evaluate((th) => {
    document.body.classList.toggle('dark', th === 'dark');
    const el = document.createElement('sse-notify');
    el.setAttribute('src', '/events');
    el.setAttribute('theme', th);
    el.setAttribute('duration', '0');
    document.body.append(el);
  }, theme);
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await publish();
  await t.page.waitForFunction((n) => {
    const root = document.querySelector('sse-notify')!.shadowRoot!;
    const toasts = root.querySelectorAll('[part="toast"]');
    return toasts.length === n && [...toasts].every((el) => el.getAttribute('data-state') === 'visible') && root.getAnimations().length === 0;
  }, count);
  const stack = await t.page.evaluate(() => {
    const r = document.querySelector('sse-notify')!.shadowRoot!.querySelector('[part="stack"]')!.getBoundingClientRect();
    return { left: r.left, bottom: r.bottom };
  });
  const path = `${OUT}/${name}.png`;
  // The page's right-hand side: the stack with a little of the app around it.
  const x = Math.floor(stack.left - 40);
  await t.page.screenshot({ path, clip: { x, y: 0, width: WIDTH - x, height: Math.ceil(stack.bottom + 28) } });
  t.assertNoErrors();
  await t.close();
  return path;
}

const publishAll = (events: Array<Record<string, unknown>>, type = 'notification') => async () => {
  for (const data of events) await server.publish({ event: type, data });
};

it('saves the stack in the light theme', async () => {
  const path = await shoot('toasts-light', 'light', publishAll(STACK), 4);
  expect(statSync(path).size).toBeGreaterThan(10_000);
});

it('saves the stack in the dark theme', async () => {
  const path = await shoot('toasts-dark', 'dark', publishAll(STACK), 4);
  expect(statSync(path).size).toBeGreaterThan(10_000);
});

it('saves progress toasts: running, finished and failed', async () => {
  const path = await shoot(
    'toasts-progress',
    'light',
    async () => {
      await publishAll([{ taskId: 'shot-1', status: 'processing', progress: 65, title: 'Exporting orders', body: 'orders-2024.csv · 65%' }], 'progress')();
      await publishAll([{ taskId: 'shot-2', status: 'processing', progress: 30, title: 'Backing up' }], 'progress')();
      await publishAll([{ taskId: 'shot-2', status: 'completed', title: 'Backup finished', body: '2.4 GB in 3 min' }], 'progress')();
      await publishAll([{ taskId: 'shot-3', status: 'processing', progress: 60, title: 'Importing customers' }], 'progress')();
      await publishAll([{ taskId: 'shot-3', status: 'failed', title: 'Import failed', body: 'Row 212: invalid e-mail address.' }], 'progress')();
    },
    3,
  );
  expect(statSync(path).size).toBeGreaterThan(10_000);
});

it('saves an overflowing stack with its "+N more" summary', async () => {
  const many = Array.from({ length: 9 }, (_, i) => ({ title: `Order #${1050 + i} was paid`, body: `$${(20 + i * 7).toFixed(2)} · card`, level: 'success' }));
  const path = await shoot('toasts-overflow', 'light', publishAll(many), 5);
  expect(statSync(path).size).toBeGreaterThan(10_000);
});
