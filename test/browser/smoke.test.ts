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

it('shows a toast from the built classic script, pasted as one script tag', async () => {
  const t = await newPage(browser);
  await t.page.goto(`${server.url}/script-tag.html`);
  await server.waitForOpen(1);
  await server.publish({ event: 'notification', data: { title: 'New order', body: 'Order #42 was paid', level: 'success' } });
  const toast = t.page.locator('sse-notify [part="toast"][data-level="success"]');
  await toast.waitFor();
  expect(await toast.locator('[part="title"]').textContent()).toBe('New order');
  expect(await t.page.evaluate(() => typeof (window as any).SSENotify.createConnection)).toBe('function');
  t.assertNoErrors();
  await t.close();
});
