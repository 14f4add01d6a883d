// The demo page: start the MSW mock backend first, then define the widget so
// its first request is intercepted.
import { worker } from './mocks/browser';
import { define } from '../src/index';

await worker.start({ onUnhandledRequest: 'bypass', quiet: true, serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` } });
define();
