import { launchChromium } from './chromium.js';

/**
 * Opens `path` of an SSE server from `startSseServer()` in a new browser
 * context (of `browser`, or of a Chromium launched here) and waits until the
 * page's `<sse-notify>` is open. `errors` collects the page's errors;
 * `close()` closes the context, the browser when launched here, and the server.
 *
 * @param {{ server: { url: string, waitForOpen(n: number): Promise<void>, close(): Promise<void> }, path: string,
 *   browser?: import('playwright-core').Browser }} options
 */
export async function openWidgetPage({ server, path, browser }) {
  const ownBrowser = !browser;
  browser ??= await launchChromium();
  const context = await browser.newContext();
  const errors = [];
  const close = async () => {
    await context.close();
    if (ownBrowser) await browser.close();
    await server.close();
  };
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}${path}`);
    await server.waitForOpen(1);
    await page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open', null, { timeout: 10_000 });
    return { context, page, errors, close };
  } catch (error) {
    await close();
    throw error;
  }
}
