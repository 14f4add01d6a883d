/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser: that fails here, see
 * TOOLCHAIN.md). One browser per test file; one context per page so storage never leaks between
 * tests.
 */
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, ConsoleMessage, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Launches headless Chromium; close it in `afterAll` with `browser.close()`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface NewPageOptions extends BrowserContextOptions {
  /** Permissions granted to `origin` (e.g. `['notifications']`). */
  permissions?: string[];
  /** Origin the permissions apply to; default: every origin. */
  origin?: string;
  /** Console messages of these types count as errors. Default `['error']`. */
  consoleErrorTypes?: string[];
  /** Console error texts to ignore (a substring or a pattern), e.g. an expected failed request. */
  ignore?: Array<string | RegExp>;
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors, as text, in order. */
  errors: string[];
  /** Every console message as `type: text`, for debugging a failure. */
  console: string[];
  /** Throws listing the collected errors, if any. */
  assertNoErrors(): void;
  /** Closes the context (and with it the page). */
  close(): Promise<void>;
}

/** A page in a fresh context that records uncaught exceptions and console errors. */
export async function newPage(browser: Browser, options: NewPageOptions = {}): Promise<TestPage> {
  const { permissions, origin, consoleErrorTypes = ['error'], ignore = [], ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  if (permissions) await context.grantPermissions(permissions, origin ? { origin } : undefined);
  const page = await context.newPage();
  const errors: string[] = [];
  const messages: string[] = [];
  const ignored = (text: string) => ignore.some((rule) => (typeof rule === 'string' ? text.includes(rule) : rule.test(text)));
  page.on('pageerror', (error: Error) => {
    const text = `pageerror: ${error.stack ?? error.message}`;
    if (!ignored(text)) errors.push(text);
  });
  page.on('console', (message: ConsoleMessage) => {
    const { url } = message.location();
    const text = `${message.type()}: ${message.text()}${url ? ` (${url})` : ''}`;
    messages.push(text);
    if (consoleErrorTypes.includes(message.type()) && !ignored(text)) errors.push(text);
  });
  return {
    page,
    context,
    errors,
    console: messages,
    assertNoErrors() {
      if (errors.length > 0) throw new Error(`The page reported ${errors.length} error(s):\n${errors.join('\n')}`);
    },
    close: () => context.close(),
  };
}
