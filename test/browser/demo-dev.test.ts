// `npm start`: the Vite dev server with the project's own config, where the demo imports the
// widget from source (there is no built classic script) behind the same MSW mock.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage } from '../support/chromium';

let browser: Browser;
let vite: ViteDevServer;

beforeAll(async () => {
  vite = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
  await vite.listen();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await vite?.close();
});

it('serves the demo on the dev server: the mocked stream opens and the welcome shows', async () => {
  const url = vite.resolvedUrls?.local[0];
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const t = await newPage(browser);
  await t.page.goto(url!);
  await t.page.locator('sse-notify [part~="toast"]', { hasText: 'Welcome' }).waitFor();
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  expect(await t.page.locator('#log li[data-kind="open"] .msg').first().textContent()).toBe(
    'GET /api/events?userId=ana&channel=orders&channel=alerts',
  );
  t.assertNoErrors();
  await t.close();
});
