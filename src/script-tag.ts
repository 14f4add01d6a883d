// The classic-script entry (dist/sse-notify.iife.js): defines <sse-notify> on
// load unless a copy already did, and exposes the framework-free API as
// window.SSENotify. The Preact hooks and <Notifications> stay out: they would
// bring a private copy of Preact (about 5 KB gzip) that a page could not render
// them with. The element's toaster is plain DOM, so this script has no Preact.
import { define } from './define';
import { createParser } from './sse/parser';
import { FetchEventSource } from './sse/transport-fetch';
import { createConnection } from './sse/connection';
import { createSharedConnection } from './share/shared-connection';
import { createSubscriptions } from './sse/subscriptions';
import { backoffDelay } from './sse/backoff';
import { createNotificationStore } from './store/notifications';
import { normalize } from './store/normalize';

const api = {
  define,
  createParser,
  FetchEventSource,
  createConnection,
  createSharedConnection,
  createSubscriptions,
  backoffDelay,
  createNotificationStore,
  normalize,
};

/** What `window.SSENotify` holds when the classic script is loaded. */
export type SSENotifyGlobal = typeof api;

define();
const w = globalThis as { SSENotify?: SSENotifyGlobal };
w.SSENotify ??= api;
