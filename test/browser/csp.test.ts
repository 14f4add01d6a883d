// Issue 10, part 2: the built classic script on pages served with a strict
// Content-Security-Policy header (no 'unsafe-inline', no 'unsafe-eval', anywhere), and with
// Trusted Types required for script sinks: the widget connects, reconnects, renders styled
// toasts and reacts to clicks, and the page sees no `securitypolicyviolation` (recorded by
// test/fixtures/hardening-guard.js, an external script, on document).
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';

const STRICT = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
// `trusted-types 'none'`: the widget may not even create a policy of its own.
const TRUSTED_TYPES = `${STRICT}; require-trusted-types-for 'script'; trusted-types 'none'`;
const POLICIES: Record<string, string> = {
  '/csp-strict.html': STRICT,
  '/csp-trusted-types.html': TRUSTED_TYPES,
};

let browser: Browser;
let server: TestServer;
// The console line Chromium logs for the stream the test drops on purpose.
const DROPPED = { ignore: [/ERR_INCOMPLETE_CHUNKED_ENCODING/] };

beforeAll(async () => {
  server = await start({ staticDir: [inject('distDir'), 'test/fixtures'] });
  // The test server's static files carry no policy: this listener runs first and sets the
  // header, which the static handler's writeHead() then sends with its own headers.
  server.server.prependListener('request', (req, res) => {
    const policy = POLICIES[new URL(req.url ?? '/', server.url).pathname];
    if (policy) res.setHeader('Content-Security-Policy', policy);
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

declare global {
  interface Window {
    __violations: string[];
    __hostErrors: string[];
  }
}

const shadow = (page: Page, selector: string) => page.locator(`sse-notify >> ${selector}`);
const state = (page: Page) => page.evaluate(() => document.querySelector('sse-notify')!.getAttribute('state'));

/** Drives the widget through what a user sees: toasts of each kind, clicks, a reconnect. */
async function exercise(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await server.publish({ event: 'notification', data: { title: 'New order', body: 'Order #42 was paid', level: 'success', url: '/orders/42' } });
  await server.publish({ event: 'progress', data: { title: 'Export', taskId: 'csv', progress: 40, status: 'processing' } });
  await page.evaluate(() => document.querySelector('sse-notify')!.toast({ title: 'From the page', level: 'warning' }));
  await shadow(page, '[part~=toast][data-level=warning][data-state=visible]').waitFor();
  await shadow(page, '[part=progress]').waitFor();

  // Styled by the adopted stylesheet: not the user agent's defaults.
  const style = await page.evaluate(() => {
    const root = document.querySelector('sse-notify')!.shadowRoot!;
    const toast = getComputedStyle(root.querySelector('[part~=toast][data-level=success]')!);
    const stack = getComputedStyle(root.querySelector('[part=stack]')!);
    return {
      radius: toast.borderTopLeftRadius,
      shadow: toast.boxShadow,
      position: stack.position,
      sheets: root.adoptedStyleSheets.length,
    };
  });
  expect(style.radius).toBe('10px');
  expect(style.shadow).not.toBe('none');
  expect(style.position).toBe('fixed');
  expect(style.sheets).toBe(1);

  // Clicks work: close one toast, then overflow max-toasts and dismiss all.
  await shadow(page, '[part~=toast][data-level=success] [part=close]').click();
  await shadow(page, '[part~=toast][data-level=success]').waitFor({ state: 'detached' });
  for (let i = 0; i < 4; i++) await server.publish({ event: 'notification', data: { title: `Burst ${i}` } });
  await page.locator('sse-notify').getByRole('button', { name: 'Dismiss all' }).click();
  await page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part~=toast]').length === 0);

  // A dropped stream reconnects (connect-src 'self') and the next event shows.
  const before = server.connections;
  server.dropAll();
  await server.waitForConnections(before + 1);
  await server.waitForOpen(1);
  await page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await server.publish({ event: 'notification', data: { title: 'After the drop' } });
  await shadow(page, '[part=title]:text("After the drop")').waitFor();
}

it('works, styled, under a strict CSP with no unsafe-inline anywhere, and fires no securitypolicyviolation', async () => {
  const t = await newPage(browser, DROPPED);
  const response = await t.page.goto(`${server.url}/csp-strict.html`);
  expect(response!.headers()['content-security-policy']).toBe(STRICT);
  await exercise(t.page);
  expect(await state(t.page)).toBe('open');
  expect(await t.page.evaluate(() => window.__violations)).toEqual([]);
  expect(await t.page.evaluate(() => window.__hostErrors)).toEqual([]);
  t.assertNoErrors();

  // The guard does see a violation when one happens: a style attribute is blocked.
  await t.page.evaluate(() => document.body.setAttribute('style', 'color: red'));
  await t.page.waitForFunction(() => window.__violations.length > 0);
  expect((await t.page.evaluate(() => window.__violations))[0]).toMatch(/^style-src-attr/);
  await t.close();
});

it('works with Trusted Types required for every script sink and no policy allowed', async () => {
  const t = await newPage(browser, DROPPED);
  const response = await t.page.goto(`${server.url}/csp-trusted-types.html`);
  expect(response!.headers()['content-security-policy']).toBe(TRUSTED_TYPES);
  expect(await t.page.evaluate(() => typeof (window as { trustedTypes?: unknown }).trustedTypes)).toBe('object');
  await exercise(t.page);
  expect(await t.page.evaluate(() => window.__violations)).toEqual([]);
  expect(await t.page.evaluate(() => window.__hostErrors)).toEqual([]);
  t.assertNoErrors();

  // The policy is enforced on this page: a string assigned to innerHTML throws and is reported.
  const blocked = await t.page.evaluate(() => {
    try {
      document.createElement('div').innerHTML = '<b>x</b>';
      return false;
    } catch (error) {
      return error instanceof TypeError;
    }
  });
  expect(blocked).toBe(true);
  await t.page.waitForFunction(() => window.__violations.length > 0);
  expect((await t.page.evaluate(() => window.__violations))[0]).toMatch(/^require-trusted-types-for/);
  await t.close();
});
