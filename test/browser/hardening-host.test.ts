// Issue 10, part 5: the widget is a guest in someone else's page. It adds no globals beyond
// `customElements` and `window.SSENotify`, changes no built-in prototype, works when its script
// is pasted twice or when another `sse-notify` was defined first, and never throws into the
// page, whatever the page does to it. Every fixture page loads test/fixtures/hardening-guard.js,
// whose window `error` listener turns any uncaught error into a console error, which fails the
// test through t.assertNoErrors().
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage as openPage, type NewPageOptions, type TestPage } from '../support/chromium';
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

// A failed test must not leave its page (and its stream) open for the next one.
const pages: TestPage[] = [];
const newPage = async (b: Browser, options?: NewPageOptions) => {
  const t = await openPage(b, options);
  pages.push(t);
  return t;
};
afterEach(async () => {
  for (const t of pages.splice(0)) await t.close();
  server.reset();
});

declare global {
  interface Window {
    __hostErrors: string[];
    __first: { api: unknown; element: CustomElementConstructor | undefined };
    __stub: CustomElementConstructor;
    SSENotify: { define(tag?: string): CustomElementConstructor | undefined };
  }
}

/** Globals and built-in prototypes, as property names (enumerable or not). */
const globals = (page: Page) =>
  page.evaluate(() => {
    const names = (o: object) => Object.getOwnPropertyNames(o).sort();
    return {
      window: names(window),
      enumerable: Object.keys(window).sort(),
      document: names(document),
      prototypes: Object.fromEntries(
        Object.entries({ Object, Array, Function, String, Number, Promise, Map, Set, EventTarget, Node, Element, HTMLElement, Document, Window, CustomElementRegistry, Event, CustomEvent, ShadowRoot, BroadcastChannel })
          .map(([name, C]) => [name, names(C.prototype)])
          .concat([
            ['JSON', names(JSON)],
            ['Math', names(Math)],
          ]),
      ),
      registry: customElements.get('sse-notify') === undefined,
    };
  });

const countToasts = (page: Page, tag = 'sse-notify') => page.evaluate((t) => document.querySelector(t)?.shadowRoot?.querySelectorAll('[part~=toast]').length ?? 0, tag);

it('adds no global but window.SSENotify and the sse-notify definition, and changes no built-in prototype', async () => {
  const t = await newPage(browser, { ignore: [/ERR_INCOMPLETE_CHUNKED_ENCODING/] });
  await t.page.goto(`${server.url}/hardening-globals.html`);
  const before = await globals(t.page);
  await t.page.addScriptTag({ url: '/sse-notify.iife.js' });
  const loaded = await globals(t.page);

  // Use it fully: connect, show toasts of each kind, reconnect after a drop, leave the page's DOM.
  await t.page.evaluate(() => {
    const el = document.createElement('sse-notify');
    el.setAttribute('src', '/events');
    el.setAttribute('duration', '0');
    el.setAttribute('retry-delay', '50');
    el.setAttribute('max-retry-delay', '200');
    document.getElementById('slot')!.append(el);
  });
  await server.waitForOpen(1);
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await server.publish({ data: { title: 'Hello', url: '/x' } });
  await server.publish({ event: 'progress', data: { taskId: 't', progress: 30, status: 'processing', title: 'Task' } });
  await t.page.evaluate(() => document.querySelector('sse-notify')!.toast('From the page'));
  await t.page.waitForFunction(() => document.querySelector('sse-notify')!.shadowRoot!.querySelectorAll('[part~=toast]').length === 3);
  server.dropAll();
  await server.waitForOpen(1);
  await t.page.evaluate(() => document.querySelector('sse-notify')!.remove());
  await server.waitForOpen(0);
  const used = await globals(t.page);

  const added = loaded.window.filter((name) => !before.window.includes(name));
  expect(added).toEqual(['SSENotify']);
  expect(loaded.window.filter((name) => !added.includes(name))).toEqual(before.window);
  expect(loaded.enumerable.filter((name) => name !== 'SSENotify')).toEqual(before.enumerable);
  expect(loaded.document).toEqual(before.document);
  expect(loaded.prototypes).toEqual(before.prototypes);
  expect([before.registry, loaded.registry]).toEqual([true, false]);
  // Nothing appears later, while it runs, either.
  expect(used).toEqual(loaded);
  t.assertNoErrors();
});

it('works when its script is loaded twice: the first definition and the first SSENotify stay', async () => {
  const t = await newPage(browser);
  await t.page.goto(`${server.url}/hardening-twice.html`);
  const same = await t.page.evaluate(() => ({
    api: window.SSENotify === window.__first.api,
    element: customElements.get('sse-notify') === window.__first.element,
    upgraded: document.querySelector('sse-notify') instanceof window.__first.element!,
  }));
  expect(same).toEqual({ api: true, element: true, upgraded: true });
  await server.waitForOpen(1);
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await server.publish({ data: { title: 'Once' } });
  await t.page.locator('sse-notify >> [part=title]:text("Once")').waitFor();
  expect(await countToasts(t.page)).toBe(1);
  // One element, one connection, whichever copy of the script ran last.
  expect(server.connections).toBe(1);
  t.assertNoErrors();
});

it('leaves an sse-notify defined first by the page alone and still registers under another name', async () => {
  const t = await newPage(browser);
  await t.page.goto(`${server.url}/hardening-stub.html`);
  const first = await t.page.evaluate(() => ({
    kept: customElements.get('sse-notify') === window.__stub,
    text: document.querySelector('sse-notify')!.textContent,
    shadow: document.querySelector('sse-notify')!.shadowRoot === null,
    api: typeof window.SSENotify.define,
  }));
  expect(first).toEqual({ kept: true, text: 'the other sse-notify', shadow: true, api: 'function' });
  // define() returns the class that holds the name rather than throwing.
  expect(await t.page.evaluate(() => window.SSENotify.define() === window.__stub)).toBe(true);
  // Under a name of the page's choosing the widget works as usual.
  await t.page.evaluate(() => window.SSENotify.define('other-notify'));
  await server.waitForOpen(1);
  await t.page.waitForFunction(() => document.querySelector('other-notify')?.getAttribute('state') === 'open');
  await server.publish({ data: { title: 'Under another name' } });
  await t.page.locator('other-notify >> [part=title]:text("Under another name")').waitFor();
  expect(server.connections).toBe(1);
  t.assertNoErrors();
});

it('never throws into the page, whatever the page does to the element', async () => {
  const t = await newPage(browser, { ignore: [/ERR_INCOMPLETE_CHUNKED_ENCODING/, /ERR_ABORTED/, /Failed to load resource/] });
  await t.page.goto(`${server.url}/hardening-globals.html`);
  await t.page.addScriptTag({ url: '/sse-notify.iife.js' });
  const outcome = await t.page.evaluate(async () => {
    const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
    const slot = document.getElementById('slot')!;
    const el = document.createElement('sse-notify');
    // Methods before it is connected or even has a src.
    el.connect();
    el.disconnect();
    el.dismiss('nope');
    el.clear();
    el.toast({ title: 'early' });
    slot.append(el); // no src: one warning, state idle
    el.setAttribute('src', '/events');
    slot.append(el); // moved within the document
    el.remove();
    slot.append(el);
    for (let i = 0; i < 20; i++) el.connect(); // hammered
    await tick(50);
    // Garbage in every attribute, some twice in the same microtask.
    for (const name of el.getAttributeNames().concat(['max-retries', 'retry-delay', 'max-toasts', 'position', 'theme', 'transport', 'share', 'channels', 'events', 'heartbeat-timeout', 'duration', 'browser-notifications', 'token', 'with-credentials'])) {
      if (name === 'src') continue;
      el.setAttribute(name, '-1');
      el.setAttribute(name, '\u0000<b>');
    }
    await tick(50);
    for (const name of el.getAttributeNames()) if (name !== 'src' && name !== 'state') el.removeAttribute(name);
    el.setAttribute('retry-delay', '50');
    el.setAttribute('max-retry-delay', '200');
    // Properties of the wrong type.
    const any = el as unknown as Record<string, unknown>;
    any.tokenProvider = 42;
    any.strings = 42;
    any.strings = null;
    any.maxToasts = 'lots';
    any.channels = { not: 'a list' };
    any.tokenProvider = () => {
      throw new Error('provider broke');
    };
    await tick(100);
    any.tokenProvider = () => Promise.reject(new Error('provider rejected'));
    await tick(100);
    any.tokenProvider = () => ({ not: 'a token' });
    await tick(100);
    any.tokenProvider = null;
    // Inputs toast() cannot use.
    for (const input of [undefined, null, 0, '', [], {}, { title: {} }, Object.create(null), new Date(0), Symbol.iterator]) el.toast(input as never);
    el.clear();
    await tick(200);
    return { errors: window.__hostErrors };
  });
  expect(outcome.errors).toEqual([]);
  // After all that it is connected once and shows what the server sends.
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await server.waitForOpen(1);
  await server.publish({ data: { title: 'Survived' } });
  await t.page.locator('sse-notify >> [part=title]:text("Survived")').waitFor();
  t.assertNoErrors();
});

it('keeps working, without an error, when the page moves it into an iframe and back', async () => {
  const t = await newPage(browser, { ignore: [/ERR_INCOMPLETE_CHUNKED_ENCODING/, /ERR_ABORTED/] });
  await t.page.goto(`${server.url}/hardening-twice.html`);
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await server.publish({ data: { title: 'Before the move' } });
  await t.page.locator('sse-notify >> [part=title]:text("Before the move")').waitFor();
  // A same-origin iframe (or a Document Picture-in-Picture window) is another document.
  await t.page.evaluate(async () => {
    const el = document.querySelector('sse-notify')!;
    const frame = document.createElement('iframe');
    document.body.append(frame);
    frame.contentDocument!.body.append(el);
    el.toast({ title: 'In the frame' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    document.body.append(el);
    frame.remove();
    el.toast({ title: 'Back home' });
  });
  await t.page.locator('sse-notify >> [part=title]:text("Back home")').waitFor();
  expect(await t.page.evaluate(() => window.__hostErrors)).toEqual([]);
  t.assertNoErrors();
});

it('reports an error thrown by a host listener like any listener error, and keeps working', async () => {
  const t = await newPage(browser, { ignore: [/host listener broke/] });
  await t.page.goto(`${server.url}/hardening-twice.html`);
  await t.page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
  await t.page.evaluate(() => {
    document.querySelector('sse-notify')!.addEventListener(
      'sse-notification',
      () => {
        throw new Error('host listener broke');
      },
      { once: true },
    );
  });
  await server.publish({ data: { title: 'First' } });
  await server.publish({ data: { title: 'Second' } });
  await t.page.locator('sse-notify >> [part=title]:text("Second")').waitFor();
  // The guard's window error listener saw it, once: not swallowed, not repeated.
  expect(await t.page.evaluate(() => window.__hostErrors)).toEqual(['Uncaught Error: host listener broke']);
  expect(await t.page.locator('sse-notify >> [part=title]:text("First")').count()).toBe(1);
  expect(t.errors).toEqual([]);
});
