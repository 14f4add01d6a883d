import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  server = await start({ staticDir: [inject('distDir'), 'test/fixtures'] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const LEVELS = ['info', 'success', 'warning', 'error'];

it('keeps the page responsive through 1000 events in one second: max-toasts elements, no long task', async () => {
  const t = await newPage(browser);
  await t.page.goto(`${server.url}/ui-toasts.html`);
  await t.page.evaluate(() => {
    const el = document.createElement('sse-notify');
    el.setAttribute('src', '/events');
    el.setAttribute('max-toasts', '5');
    document.body.append(el);
  });
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await t.page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });

  // 20 batches of 50, 50 ms apart: 1000 events within one second.
  for (let batch = 0, n = 0; batch < 20; batch++) {
    for (let i = 0; i < 50; i++, n++) {
      await server.publish({ event: 'notification', data: { title: `Order ${n}`, body: `Order #${n} was paid`, level: LEVELS[n % 4] } });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Every event arrived: 4 visible toasts and a summary of the other 996.
  const more = t.page.locator('sse-notify [data-id="sse-notify-more"] [part="body"]');
  await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelector('[data-id="sse-notify-more"] [part="body"]')?.textContent === '+996 more', undefined, { timeout: 10_000 });
  expect(await more.textContent()).toBe('+996 more');
  expect(await t.page.locator('sse-notify [part="toast"]').count()).toBe(5);
  // Let the observer report the last tasks.
  await t.page.waitForTimeout(200);
  const longTasks: number[] = await t.page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`burst: ${longTasks.length} long tasks, longest ${Math.max(0, ...longTasks).toFixed(0)} ms`);
  expect(longTasks.filter((ms) => ms > 50)).toEqual([]);
  t.assertNoErrors();
  await t.close();
});
