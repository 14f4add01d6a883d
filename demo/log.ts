/**
 * The demo's live log: what the widget reports through its `sse-*` DOM events
 * (states, opens, scheduled retries with their backoff, give-ups and every SSE
 * frame), what the mock server sees (the stream requests with the resume id
 * they carry, and its answers), and what the control panel does. Timestamps to
 * the millisecond, so backoff and resume can be read off the page.
 *
 * @module
 */
import type { SetupWorker } from 'msw/browser';
import type { SSENotifyElement } from '../src/index';
import { el, listen } from './dom';

/** What a log row is about; the page colours rows by it (`data-kind`). */
export type LogKind = 'state' | 'open' | 'retry' | 'failed' | 'event' | 'server' | 'action';

/** The log: append rows, clear them. */
export interface DemoLog {
  /** Appends a row; `detail` (e.g. a full payload) shows as the row's tooltip. */
  add(kind: LogKind, text: string, detail?: string): void;
  clear(): void;
}

/** Rows kept; older ones are removed so a burst cannot grow the page without bound. */
const LIMIT = 500;
/** Longest text kept in a row (one line, cut by CSS to fit); the whole of it is in the tooltip. */
const MAX_TEXT = 300;

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 503: 'Service Unavailable' };

const clock = (date: Date): string => `${date.toTimeString().slice(0, 8)}.${String(date.getMilliseconds()).padStart(3, '0')}`;

const shorten = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

const pathOf = (url: string): string => {
  const { pathname, search } = new URL(url, location.href);
  return decodeURIComponent(pathname + search);
};

/** A log writing into `list` (a scrolling `<ol>`), which stays pinned to the newest row unless scrolled up. */
export function createLog(list: HTMLOListElement): DemoLog {
  return {
    add(kind, text, detail) {
      const pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 32;
      const row = el(
        'li',
        { 'data-kind': kind },
        el('time', {}, clock(new Date())),
        el('span', { class: 'kind' }, kind),
        el('span', { class: 'msg' }, shorten(text)),
      );
      row.title = detail ?? text;
      list.append(row);
      while (list.childElementCount > LIMIT) list.firstElementChild?.remove();
      if (pinned) list.scrollTop = list.scrollHeight;
    },
    clear() {
      list.replaceChildren();
    },
  };
}

/** Logs the element's `sse-*` events; returns the function that stops. */
export function watchElement(element: SSENotifyElement, log: DemoLog): () => void {
  // `sse-event` carries the last event id in force, which persists across frames (WHATWG);
  // a frame had an `id:` line when it changed that value, and only then does the row show one.
  let lastId = '';
  const offs = [
    listen(element, 'sse-state', (e) => log.add('state', e.detail.state)),
    listen(element, 'sse-open', (e) => log.add('open', `GET ${pathOf(e.detail.url)}`)),
    listen(element, 'sse-retry', (e) =>
      log.add('retry', `reconnect attempt ${e.detail.attempt} in ${(e.detail.delay / 1000).toFixed(2)} s`),
    ),
    listen(element, 'sse-failed', (e) => {
      const { attempts, reason, status } = e.detail;
      log.add('failed', `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason === 'status' ? `HTTP ${status}` : reason}`);
    }),
    listen(element, 'sse-event', (e) => {
      const { type, data, lastEventId } = e.detail;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      const id = lastEventId !== lastId ? `  id: ${lastEventId}` : '';
      lastId = lastEventId;
      log.add('event', `event: ${type}${id}  data: ${text}`);
    }),
  ];
  return () => offs.forEach((off) => off());
}

/** Logs what the mock server sees of stream requests (resume id, answer) and of subscriptions; returns the function that stops. */
export function watchServer(worker: SetupWorker, log: DemoLog): () => void {
  const pathname = (request: Request) => new URL(request.url).pathname;
  const isStream = (request: Request) => request.method === 'GET' && pathname(request).endsWith('/api/events');
  const isSubscription = (request: Request) => request.method === 'POST' && /\/api\/events\/(un)?subscribe$/.test(pathname(request));
  const onRequest = ({ request }: { request: Request }) => {
    if (!isStream(request)) return;
    const header = request.headers.get('last-event-id');
    const query = new URL(request.url).searchParams.get('lastEventId');
    const resume = header ? `Last-Event-ID: ${header}` : query ? `?lastEventId=${query}` : 'no last id (a new client)';
    log.add('server', `request with ${resume}  ·  GET ${pathOf(request.url)}`);
  };
  const onResponse = ({ request, response }: { request: Request; response: Response }) => {
    if (isSubscription(request)) {
      response
        .clone()
        .json()
        .then((body: { channels?: string[] }) => {
          const channels = body.channels ? `  ·  channels now: ${body.channels.join(' ') || 'none'}` : '';
          log.add('server', `POST ${pathname(request)}  ·  answer ${response.status}${channels}`);
        })
        .catch(() => log.add('server', `POST ${pathname(request)}  ·  answer ${response.status}`));
      return;
    }
    if (!isStream(request)) return;
    const retryAfter = response.headers.get('retry-after');
    const text = response.ok ? `${response.status}: stream open` : `${response.status} ${STATUS_TEXT[response.status] ?? ''}`.trim();
    log.add('server', `answer ${text}${retryAfter ? `  ·  Retry-After: ${retryAfter} s` : ''}`);
  };
  worker.events.on('request:start', onRequest);
  worker.events.on('response:mocked', onResponse);
  return () => {
    worker.events.removeListener('request:start', onRequest);
    worker.events.removeListener('response:mocked', onResponse);
  };
}
