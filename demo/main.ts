/**
 * The demo page. Order matters: the widget connects the moment it is defined,
 * so the MSW service worker (the mock server) must be running first, and the
 * log must listen before then to catch the first `connecting`.
 *
 * The widget arrives the way users load it: the built classic script
 * (`sse-notify.iife.js`, added to the demo build by `iife-asset.ts`) through a
 * `<script src>`, upgrading the `<sse-notify>` already in the HTML. It is
 * inserted here rather than written in the HTML only because it must wait for
 * the service worker. The dev server has no built script, so it imports the
 * same entry from source instead.
 *
 * @module
 */
import { worker } from './mocks/browser';
import { backend } from './mocks/handlers';
import type { SSENotifyElement } from '../src/index';
import { $, el } from './dom';
import { createLog, watchElement, watchServer } from './log';
import { initPanel } from './panel';

const element = $('sse-notify', HTMLElement) as SSENotifyElement;
const log = createLog($('#log', HTMLOListElement));

const stops = [watchServer(worker, log), watchElement(element, log), initPanel({ element, backend, log })];

await worker.start({
  onUnhandledRequest: 'bypass',
  quiet: true,
  // Relative to the page, so the built site works from any folder of any static host.
  serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` },
});

const loadWidget = (): Promise<unknown> => {
  // MODE, not DEV: a build run with NODE_ENV=test (say, from a test runner) must still load the IIFE.
  if (import.meta.env.MODE !== 'demo') return import('../src/script-tag');
  return new Promise((resolve, reject) => {
    const script = el('script', { src: `${import.meta.env.BASE_URL}sse-notify.iife.js` });
    script.addEventListener('load', resolve, { once: true });
    script.addEventListener('error', () => reject(new Error(`demo: could not load ${script.src}`)), { once: true });
    document.head.append(script);
  });
};
await loadWidget();

import.meta.hot?.dispose(() => {
  for (const stop of stops) stop();
  worker.stop();
});
