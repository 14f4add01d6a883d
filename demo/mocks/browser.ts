/**
 * The demo's mock server in the browser: a service worker that hands
 * `/api/*` requests to the handlers of `./handlers`. The demo page starts it
 * (`await worker.start()`) before the widget connects.
 *
 * @module
 */
import { setupWorker } from 'msw/browser';
import { handlers } from './handlers';

/** The MSW worker serving the demo API; not started here. */
export const worker = setupWorker(...handlers);
