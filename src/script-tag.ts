// The classic-script entry (dist/sse-notify.iife.js): defines <sse-notify> on
// load unless a copy already did, and exposes the framework-free API as
// window.SSENotify. The Preact hooks and <Notifications> stay out: bound to
// this bundle's private copy of Preact, a page could not render them, so they
// would only cost bytes (about 1.3 KB gzip).
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
