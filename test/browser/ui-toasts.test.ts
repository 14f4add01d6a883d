import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage, type NewPageOptions, type TestPage } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';

let browser: Browser;
let server: TestServer;
let pages: TestPage[] = [];

beforeAll(async () => {
  // axe-core is served like any other script: the fixture page's CSP allows only 'self'.
  server = await start({ staticDir: [inject('distDir'), 'test/fixtures', 'node_modules/axe-core'] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await Promise.all(pages.map((t) => t.close()));
  pages = [];
  server.reset();
});

const FAILED_LOAD = /Failed to load resource|status of 503/;

/** Opens the strict-CSP host page and adds an `<sse-notify>` with these attributes. */
async function mount(attrs: Record<string, string> = {}, options: NewPageOptions & { waitFor?: string } = {}) {
  const { waitFor = 'open', ...pageOptions } = options;
  const t = await newPage(browser, { viewport: { width: 1000, height: 700 }, ...pageOptions });
  pages.push(t);
  await t.page.addInitScript(() => {
    const w = window as unknown as { csp: string[] };
    w.csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await t.page.goto(`${server.url}/ui-toasts.html`);
  await t.page.evaluate((attributes) => {
    const el = document.createElement('sse-notify');
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    document.body.append(el);
  }, { src: '/events', ...attrs });
  await t.page.waitForFunction((state) => document.querySelector('sse-notify')?.getAttribute('state') === state, waitFor);
  return t;
}

const toastLocator = (page: Page) => page.locator('sse-notify [part="toast"]');
/** Waits until `count` toasts are visible and every transition has finished. */
const visibleToasts = (page: Page, count: number) =>
  page.waitForFunction((n) => {
    const root = document.querySelector('sse-notify')!.shadowRoot!;
    const toasts = root.querySelectorAll('[part="toast"]');
    return toasts.length === n && [...toasts].every((t) => t.getAttribute('data-state') === 'visible') && root.getAnimations().length === 0;
  }, count);
/** Waits until nothing in the widget moves. */
const settled = (page: Page) =>
  page.waitForFunction(() => {
    const root = document.querySelector('sse-notify')!.shadowRoot!;
    return root.getAnimations().length === 0 && !root.querySelector('[data-state="entering"], [data-state="leaving"]');
  });
const notify = (data: Record<string, unknown>, event = 'notification') => server.publish({ event, data });

/** Serious and critical axe violations on the page, the widget's shadow root included. */
async function axeViolations(page: Page): Promise<{ violations: string[]; checkedInShadow: number }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: '/axe.min.js' });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations', 'passes'] });
    const violations = (result.violations as any[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => `${JSON.stringify(n.target)} ${n.failureSummary}`).join(' | ')}`);
    // Proof that axe looked inside the shadow root: passed nodes whose target path starts at the host.
    const checkedInShadow = (result.passes as any[]).flatMap((p) => p.nodes).filter((n: any) => Array.isArray(n.target[0]) && n.target[0][0] === 'sse-notify').length;
    return { violations, checkedInShadow };
  });
}

describe('toasts in Chromium', () => {
  it('passes axe with no serious or critical violation: normal, progress, overflow and failed, light and dark', async () => {
    for (const theme of ['light', 'dark']) {
      // Normal toasts of every level, with a link and an icon.
      const t = await mount({ theme, duration: '0', 'max-toasts': '5' });
      await notify({ title: 'New order', body: 'Order #42 was paid', level: 'success', url: '/orders/42' });
      await notify({ title: 'Heads up', body: 'Disk 80% full', level: 'warning' });
      await notify({ title: 'Payment failed', body: 'Card declined', level: 'error', icon: '/favicon.ico' });
      await notify({ body: 'A plain message' });
      await visibleToasts(t.page, 4);
      const normal = await axeViolations(t.page);
      expect(normal.violations, `${theme} normal`).toEqual([]);
      expect(normal.checkedInShadow).toBeGreaterThan(5);

      // A progress toast, then more than max-toasts ("+N more").
      await notify({ taskId: `axe-${theme}`, progress: 40, status: 'processing', title: 'Exporting orders' }, 'progress');
      await t.page.locator('sse-notify progress').waitFor();
      for (let i = 0; i < 4; i++) await notify({ title: `Order ${i}`, body: 'Paid' });
      await t.page.locator('sse-notify [data-id="sse-notify-more"]').waitFor();
      await visibleToasts(t.page, 5);
      expect((await axeViolations(t.page)).violations, `${theme} progress and overflow`).toEqual([]);
      t.assertNoErrors();
    }
  });

  it('passes axe in state failed, with the reconnecting line before it', async () => {
    for (const theme of ['light', 'dark']) {
      server.answer(503, { times: Infinity });
      const t = await mount({ theme, 'max-retries': '3', 'retry-delay': '400', 'max-retry-delay': '400' }, { waitFor: 'reconnecting', ignore: [FAILED_LOAD] });
      await t.page.locator('sse-notify section > p').waitFor({ timeout: 5000 });
      await settled(t.page);
      expect((await axeViolations(t.page)).violations, `${theme} reconnecting`).toEqual([]);
      await t.page.locator('sse-notify [data-id="sse-notify-failed"]').waitFor({ timeout: 10_000 });
      await settled(t.page);
      expect((await axeViolations(t.page)).violations, `${theme} failed`).toEqual([]);
      t.assertNoErrors();
      server.reset();
    }
  });

  it('shows a working Retry button in state failed', async () => {
    server.answer(503, { times: 2 });
    const t = await mount({ 'max-retries': '1', 'retry-delay': '50' }, { waitFor: 'failed', ignore: [FAILED_LOAD] });
    const retry = t.page.locator('sse-notify [data-id="sse-notify-failed"] button[part="action"]');
    expect(await retry.textContent()).toBe('Retry');
    await retry.click();
    await t.page.waitForFunction(() => document.querySelector('sse-notify')!.getAttribute('state') === 'open');
    expect(await t.page.locator('sse-notify [data-id="sse-notify-failed"]').count()).toBe(0);
    t.assertNoErrors();
  });

  it('never takes focus from the page when toasts arrive', async () => {
    const t = await mount({ duration: '800' });
    await t.page.locator('#field').click();
    await t.page.keyboard.type('ab');
    await notify({ title: 'Info', body: 'hello' });
    await notify({ title: 'Error', body: 'bad', level: 'error' });
    await notify({ taskId: 'focus', progress: 10, status: 'processing', title: 'Task' }, 'progress');
    await visibleToasts(t.page, 3);
    await notify({ taskId: 'focus', status: 'completed', title: 'Task' }, 'progress');
    // Let some close themselves as well.
    await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part="toast"]').length === 1, undefined, { timeout: 5000 });
    await t.page.keyboard.type('cd');
    expect(await t.page.evaluate(() => document.activeElement?.id)).toBe('field');
    expect(await t.page.locator('#field').inputValue()).toBe('abcd');
    t.assertNoErrors();
  });

  it('lets the keyboard reach a toast and its close button with Tab, and close it with Escape', async () => {
    const t = await mount({ duration: '1500' });
    await notify({ title: 'First', body: 'one' });
    await notify({ title: 'Second', body: 'two' });
    await visibleToasts(t.page, 2);
    await t.page.locator('#page-button').focus();
    const focused = () =>
      t.page.evaluate(() => {
        const active = document.querySelector('sse-notify')!.shadowRoot!.activeElement as HTMLElement | null;
        return active ? `${active.getAttribute('part')}:${active.closest('[data-id]')?.querySelector('[part="title"]')?.textContent}` : null;
      });
    await t.page.keyboard.press('Tab');
    expect(await focused()).toBe('toast:First');
    await t.page.keyboard.press('Tab');
    expect(await focused()).toBe('close:First');
    expect(await t.page.evaluate(() => (document.querySelector('sse-notify')!.shadowRoot!.activeElement as HTMLElement).getAttribute('aria-label'))).toBe('Close');
    // Focus pauses the countdown of the focused toast; the other one closes itself.
    await t.page.waitForTimeout(2000);
    expect(await toastLocator(t.page).locator('[part="title"]').allTextContents()).toEqual(['First']);
    await t.page.keyboard.press('Escape');
    await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part="toast"]').length === 0);
    t.assertNoErrors();
  });

  it('keeps keyboard focus in a toast while a toast above it closes itself', async () => {
    const t = await mount({ duration: '0' });
    await notify({ title: 'Brief', duration: 600 });
    await notify({ title: 'Stays' });
    await visibleToasts(t.page, 2);
    await t.page.locator('sse-notify [data-id] [part="close"]').nth(1).focus();
    const focused = () =>
      t.page.evaluate(() => {
        const active = document.querySelector('sse-notify')!.shadowRoot!.activeElement as HTMLElement | null;
        return active ? `${active.getAttribute('part')}:${active.closest('[data-id]')?.querySelector('[part="title"]')?.textContent}` : null;
      });
    expect(await focused()).toBe('close:Stays');
    await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part="toast"]').length === 1);
    expect(await focused()).toBe('close:Stays');
    await t.page.keyboard.press('Escape');
    await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part="toast"]').length === 0);
    t.assertNoErrors();
  });

  it('animates toasts in and out, and not at all with prefers-reduced-motion', async () => {
    const runs = async (reducedMotion: 'reduce' | 'no-preference') => {
      const t = await mount({ duration: '600' });
      await t.page.emulateMedia({ reducedMotion });
      await t.page.evaluate(() => {
        const log: string[] = ((window as any).motion = []);
        const root = document.querySelector('sse-notify')!.shadowRoot!;
        const state = (e: Event) => (e.target as HTMLElement).dataset.state;
        root.addEventListener('animationstart', (e) => log.push(`animation ${(e as AnimationEvent).animationName}`));
        root.addEventListener('transitionrun', (e) => log.push(`${state(e)}:${(e as TransitionEvent).propertyName}`));
      });
      await notify({ title: 'Animated?' });
      await visibleToasts(t.page, 1);
      const style = await toastLocator(t.page).evaluate((el) => `${getComputedStyle(el).animationName} ${getComputedStyle(el).transitionDuration}`);
      await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part="toast"]').length === 0, undefined, { timeout: 3000 });
      const motion: string[] = await t.page.evaluate(() => (window as any).motion);
      t.assertNoErrors();
      return { style, motion };
    };
    const moving = await runs('no-preference');
    expect(moving.style).not.toMatch(/^none 0s(, 0s)*$/);
    expect(moving.motion.sort()).toEqual(['animation in', 'leaving:opacity', 'leaving:translate']);
    const still = await runs('reduce');
    expect(still.style).toMatch(/^none 0s(, 0s)*$/);
    expect(still.motion).toEqual([]);
  });

  it('draws the dark theme in other colours, and follows the system in theme auto', async () => {
    const colours = async (theme: string, colorScheme: 'light' | 'dark') => {
      const t = await mount({ theme, duration: '0' }, { colorScheme });
      await notify({ title: 'Colours', body: 'text' });
      await visibleToasts(t.page, 1);
      const c = await toastLocator(t.page).evaluate((el) => ({ bg: getComputedStyle(el).backgroundColor, fg: getComputedStyle(el).color }));
      t.assertNoErrors();
      return c;
    };
    const light = await colours('light', 'dark');
    const dark = await colours('dark', 'light');
    expect(light.bg).toBe('rgb(255, 255, 255)');
    expect(dark.bg).not.toBe(light.bg);
    expect(dark.fg).not.toBe(light.fg);
    const luminance = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).reduce((sum, v) => sum + Number(v), 0) / 3;
    expect(luminance(dark.bg)).toBeLessThan(60);
    expect(luminance(dark.fg)).toBeGreaterThan(200);
    expect(await colours('auto', 'dark')).toEqual(dark);
    expect(await colours('auto', 'light')).toEqual(light);
  });

  it("takes the page's --sse-notify-* properties and ::part() rules, with no CSP violation", async () => {
    const t = await mount({ duration: '0' });
    await t.page.evaluate(() => {
      // A constructable sheet: the page's CSP forbids inline <style> for the page as much as for us.
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(`
        sse-notify { --sse-notify-bg: rgb(10, 20, 30); --sse-notify-fg: rgb(250, 240, 230); --sse-notify-radius: 3px;
          --sse-notify-font: monospace; --sse-notify-success: rgb(1, 2, 3); --sse-notify-accent: rgb(200, 100, 0); }
        sse-notify::part(title) { text-transform: uppercase; }
        sse-notify::part(toast) { max-width: 300px; }`);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    });
    await notify({ title: 'Styled', body: 'by the page', level: 'success', url: '/x' });
    await visibleToasts(t.page, 1);
    const style = await toastLocator(t.page).evaluate((el) => {
      const css = (selector?: string) => getComputedStyle(selector ? el.querySelector(selector)! : el);
      return {
        bg: css().backgroundColor,
        fg: css().color,
        radius: css().borderTopLeftRadius,
        font: css().fontFamily,
        maxWidth: css().maxWidth,
        glyph: css('i').backgroundColor,
        link: css('a').color,
        title: css('[part="title"]').textTransform,
      };
    });
    expect(style).toEqual({
      bg: 'rgb(10, 20, 30)',
      fg: 'rgb(250, 240, 230)',
      radius: '3px',
      font: 'monospace',
      maxWidth: '300px',
      glyph: 'rgb(1, 2, 3)',
      link: 'rgb(200, 100, 0)',
      title: 'uppercase',
    });
    expect(await t.page.evaluate(() => (window as unknown as { csp: string[] }).csp)).toEqual([]);
    t.assertNoErrors();
  });

  it('places the stack at each of the six positions, mirrored on an RTL page', async () => {
    const t = await mount({ duration: '0' });
    await notify({ title: 'Where am I?', body: 'Somewhere' });
    await visibleToasts(t.page, 1);
    const box = async (position: string) => {
      await t.page.evaluate((p) => document.querySelector('sse-notify')!.setAttribute('position', p), position);
      await t.page.waitForFunction((p) => document.querySelector('sse-notify')!.shadowRoot!.querySelector('section')!.dataset.position === p, position);
      await visibleToasts(t.page, 1);
      return t.page.evaluate(() => {
        const toast = document.querySelector('sse-notify')!.shadowRoot!.querySelector('[part="toast"]')!.getBoundingClientRect();
        const close = document.querySelector('sse-notify')!.shadowRoot!.querySelector('[part="close"]')!.getBoundingClientRect();
        return { left: toast.left, right: toast.right, top: toast.top, bottom: toast.bottom, center: (toast.left + toast.right) / 2, closeCenter: (close.left + close.right) / 2 };
      });
    };
    const expectPlace = (b: { left: number; right: number; top: number; bottom: number; center: number }, x: 'left' | 'center' | 'right', y: 'top' | 'bottom') => {
      if (x === 'left') expect(b.left).toBeCloseTo(16, 0);
      if (x === 'right') expect(b.right).toBeCloseTo(1000 - 16, 0);
      if (x === 'center') expect(b.center).toBeCloseTo(500, 0);
      if (y === 'top') expect(b.top).toBeCloseTo(16, 0);
      if (y === 'bottom') expect(b.bottom).toBeCloseTo(700 - 16, 0);
    };
    for (const y of ['top', 'bottom'] as const) {
      for (const x of ['left', 'center', 'right'] as const) expectPlace(await box(`${y}-${x}`), x, y);
    }
    const ltr = await box('top-right');
    expect(ltr.closeCenter).toBeGreaterThan(ltr.center);
    // On a right-to-left page the stack mirrors, like the rest of the page: "right" is the inline end.
    await t.page.evaluate(() => (document.documentElement.dir = 'rtl'));
    const rtl = await box('bottom-left');
    expectPlace(await box('top-right'), 'left', 'top');
    expectPlace(rtl, 'right', 'bottom');
    const mirrored = await box('top-right');
    expect(mirrored.closeCenter).toBeLessThan(mirrored.center);
    t.assertNoErrors();
  });
});

describe('OS notifications in Chromium', () => {
  /** Records every Notification the page makes and whether the browser showed it. */
  const recordNotifications = () => {
    const Real = window.Notification;
    const w = window as any;
    w.made = [];
    w.shown = [];
    w.asked = 0;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        w.made.push(this);
        this.addEventListener('show', () => w.shown.push({ title, tag: options?.tag, body: options?.body }));
      }
      static requestPermission(...args: any[]) {
        w.asked++;
        return (Real.requestPermission as any)(...args);
      }
    }
    w.Notification = Recorded;
  };

  it('shows a granted OS notification tagged with the event id; a click focuses the tab and opens the url', async () => {
    const t = await mount({ 'browser-notifications': 'always' }, { permissions: ['notifications'] });
    await t.page.addInitScript(recordNotifications);
    await t.page.reload();
    await t.page.evaluate(() => {
      const el = document.createElement('sse-notify');
      el.setAttribute('src', '/events');
      el.setAttribute('browser-notifications', 'always');
      document.body.append(el);
    });
    await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
    expect(await t.page.locator('sse-notify section > button').count()).toBe(0);
    const id = await notify({ title: 'New order', body: 'Order #42 was paid', url: '/ui-toasts.html?order=42' });
    await t.page.waitForFunction(() => (window as any).shown.length === 1);
    expect(await t.page.evaluate(() => (window as any).shown)).toEqual([{ title: 'New order', tag: id, body: 'Order #42 was paid' }]);
    expect(await t.page.evaluate(() => (window as any).asked)).toBe(0);
    const popup = t.context.waitForEvent('page');
    await t.page.evaluate(() => (window as any).made[0].dispatchEvent(new Event('click')));
    const opened = await popup;
    await opened.waitForLoadState();
    expect(opened.url()).toBe(`${server.url}/ui-toasts.html?order=42`);
    t.assertNoErrors();
  });

  it('asks for permission only when the user clicks "Enable desktop notifications"', async () => {
    const t = await newPage(browser);
    pages.push(t);
    await t.page.addInitScript(recordNotifications);
    await t.page.goto(`${server.url}/ui-toasts.html`);
    await t.page.evaluate(() => {
      const el = document.createElement('sse-notify');
      el.setAttribute('src', '/events');
      el.setAttribute('browser-notifications', 'hidden');
      document.body.append(el);
    });
    await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
    expect(await t.page.evaluate(() => Notification.permission)).toBe('default');
    await notify({ title: 'No prompt for this' });
    await visibleToasts(t.page, 1);
    expect(await t.page.evaluate(() => (window as any).asked)).toBe(0);
    const button = t.page.locator('sse-notify section > button');
    expect(await button.textContent()).toBe('Enable desktop notifications');
    await button.click();
    await t.page.waitForFunction(() => (window as any).asked === 1);
    // Headless Chromium answers the prompt itself; whatever it says, the button has done its job and goes.
    await button.waitFor({ state: 'detached', timeout: 5000 });
    await notify({ title: 'Still a toast' });
    await visibleToasts(t.page, 2);
    t.assertNoErrors();
  });
});
