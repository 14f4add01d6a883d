import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { define } from '../../src/define';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

let fake: FakeFetch;
const flush = () => new Promise((r) => setTimeout(r, 0));
const open = async (el: Element) => vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
const mount = async (attrs: string) => {
  document.body.innerHTML = `<sse-notify ${attrs}></sse-notify>`;
  const el = document.querySelector('sse-notify')!;
  await flush();
  return el;
};
const query = (url: string) => new URL(url).searchParams;

beforeEach(() => {
  fake = createFakeFetch();
  vi.stubGlobal('fetch', fake.fetch);
  sessionStorage.clear();
  define();
});
afterEach(() => {
  document.body.innerHTML = '';
  document.documentElement.removeAttribute('lang');
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('<sse-notify> attributes', () => {
  it('mirrors every attribute as a camelCase property, both ways', async () => {
    const el = await mount('src="/a" channel-param="topic" max-retries="infinite" with-credentials');
    expect(el.src).toBe('/a');
    expect(el.channelParam).toBe('topic');
    expect(el.maxRetries).toBe(Infinity);
    expect(el.withCredentials).toBe(true);
    el.maxToasts = 3;
    el.channels = ['x', 'y'];
    el.withCredentials = false;
    expect(el.getAttribute('max-toasts')).toBe('3');
    expect(el.getAttribute('channels')).toBe('x y');
    expect(el.hasAttribute('with-credentials')).toBe(false);
  });

  it('sends channels as a repeated query parameter named by channel-param', async () => {
    await mount('src="/api/events" channels="orders, alerts" channel-param="topic"');
    expect(query(fake.last().url).getAll('topic')).toEqual(['orders', 'alerts']);
  });

  it('reconnects with the new channels when channels changes, keeping toasts already shown', async () => {
    const el = await mount('src="/api/events" channels="a"');
    await open(el);
    fake.last().send('event: notification\ndata: {"title":"Kept"}\n\n');
    await vi.waitFor(() => expect(el.shadowRoot!.querySelectorAll('[data-id][data-state]').length).toBe(1));
    el.setAttribute('channels', 'a b');
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2));
    expect(fake.streams[0].closed).toBe(true);
    expect(query(fake.last().url).getAll('channel')).toEqual(['a', 'b']);
    expect(el.shadowRoot!.querySelector('[part="title"]')!.textContent).toBe('Kept');
  });

  it('reconnects when src or token changes, and sends the token as a Bearer header', async () => {
    const el = await mount('src="/one" token="t1"');
    expect(fake.last().headers.authorization).toBe('Bearer t1');
    el.setAttribute('token', 't2');
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2));
    expect(fake.last().headers.authorization).toBe('Bearer t2');
    el.setAttribute('src', '/two');
    await vi.waitFor(() => expect(fake.streams).toHaveLength(3));
    expect(fake.last().url).toMatch(/\/two$/);
    expect(fake.open()).toBe(1);
  });

  it('does not reconnect when only a display attribute changes', async () => {
    const el = await mount('src="/api/events"');
    el.setAttribute('position', 'bottom-left');
    el.setAttribute('theme', 'dark');
    el.setAttribute('duration', '0');
    await flush();
    expect(fake.streams).toHaveLength(1);
    expect(el.shadowRoot!.querySelector('[part="stack"]')!.getAttribute('data-position')).toBe('bottom-left');
  });

  it('sends credentials with with-credentials', async () => {
    await mount('src="/api/events" with-credentials');
    expect(fake.last().credentials).toBe('include');
  });

  it('asks tokenProvider before every connect and retries once on 401', async () => {
    document.body.innerHTML = '<sse-notify></sse-notify>';
    const el = document.querySelector('sse-notify')!;
    const tokens = ['expired', 'fresh'];
    el.tokenProvider = vi.fn(async () => tokens.shift());
    fake.respond(401);
    el.setAttribute('src', '/api/events');
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1));
    expect(el.tokenProvider).toHaveBeenCalledTimes(2);
    expect(fake.last().headers.authorization).toBe('Bearer fresh');
  });

  it('ends in sse-failed with the status after a 403', async () => {
    document.body.innerHTML = '<sse-notify></sse-notify>';
    const el = document.querySelector('sse-notify')!;
    const failed = vi.fn();
    el.addEventListener('sse-failed', (e) => failed(e.detail));
    fake.respond(403);
    el.setAttribute('src', '/api/events');
    await vi.waitFor(() => expect(failed).toHaveBeenCalled());
    expect(failed.mock.calls[0][0]).toMatchObject({ reason: 'status', status: 403 });
    expect(el.state).toBe('failed');
  });

  it('warns once for a bad value, naming attribute, value and default, and uses the default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const el = await mount('src="/api/events" max-toasts="lots" position="middle"');
    el.setAttribute('theme', 'dark');
    await flush();
    expect(el.maxToasts).toBe(5);
    expect(el.position).toBe('top-right');
    const messages = warn.mock.calls.map((c) => String(c[0]));
    expect(messages.filter((m) => m.includes('max-toasts="lots"'))).toHaveLength(1);
    expect(messages.find((m) => m.includes('max-toasts'))).toContain('5');
    expect(messages.filter((m) => m.includes('position="middle"'))).toHaveLength(1);
  });

  it('dispatches typed sse-* events that bubble and cross the shadow boundary', async () => {
    const seen: string[] = [];
    const el = await mount('');
    for (const type of ['sse-open', 'sse-state', 'sse-event', 'sse-notification'] as const) {
      document.addEventListener(type, (e) => {
        expect(e.composed && e.bubbles).toBe(true);
        seen.push(type);
      });
    }
    el.setAttribute('src', '/api/events');
    await open(el);
    fake.last().send('event: notification\ndata: {"title":"Hi"}\n\n');
    await vi.waitFor(() => expect(seen).toContain('sse-notification'));
    expect(seen).toEqual(expect.arrayContaining(['sse-open', 'sse-state', 'sse-event']));
  });

  it('lets preventDefault on sse-notification suppress the toast', async () => {
    const el = await mount('src="/api/events"');
    el.addEventListener('sse-notification', (e) => e.preventDefault());
    await open(el);
    fake.last().send('event: notification\ndata: {"title":"Hidden"}\n\n');
    await flush();
    await flush();
    expect(el.shadowRoot!.querySelector('[part="title"]')).toBeNull();
  });

  it('dispatches every event type as sse-event with parsed data, but shows only the listed events', async () => {
    const el = await mount('src="/api/events" events="alert"');
    const events: unknown[] = [];
    el.addEventListener('sse-event', (e) => events.push(e.detail));
    await open(el);
    fake.last().send('event: metrics\nid: 1\ndata: {"cpu":3}\n\nevent: alert\ndata: plain text\n\n');
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events[0]).toEqual({ type: 'metrics', data: { cpu: 3 }, lastEventId: '1' });
    expect(el.shadowRoot!.querySelectorAll('[part="body"]')).toHaveLength(1);
    expect(el.shadowRoot!.querySelector('[part="body"]')!.textContent).toBe('plain text');
  });

  it('offers toast(), dismiss() and clear()', async () => {
    const el = await mount('');
    const id = el.toast({ title: 'Manual', level: 'warning' })!;
    el.toast('Second');
    await flush();
    expect(el.shadowRoot!.querySelectorAll('[data-level][data-state]')).toHaveLength(2);
    el.dismiss(id);
    await flush();
    expect(el.shadowRoot!.querySelectorAll('[data-level][data-state]')).toHaveLength(1);
    el.clear();
    await flush();
    expect(el.shadowRoot!.querySelectorAll('[data-level][data-state]')).toHaveLength(0);
  });

  it('speaks Japanese under lang="ja" and takes overrides from the strings property', async () => {
    document.documentElement.lang = 'ja';
    const el = await mount('');
    el.toast('通知');
    await flush();
    expect(el.shadowRoot!.querySelector('[part="close"]')!.getAttribute('aria-label')).toBe('閉じる');
    el.strings = { close: 'Schließen' };
    await flush();
    expect(el.shadowRoot!.querySelector('[part="close"]')!.getAttribute('aria-label')).toBe('Schließen');
  });

  it('joins channels by the subscribe protocol and follows channel changes with POSTs, not reconnects', async () => {
    const posts: { url: string; body: unknown }[] = [];
    const base = fake.fetch;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      if (init.method === 'POST') {
        posts.push({ url: String(url), body: JSON.parse(String(init.body)) });
        return new Response('{}', { status: 200 });
      }
      return base(url, init);
    });
    const el = await mount('src="/api/events" channels="a b" subscribe-url="/api/events/subscribe"');
    await open(el);
    expect(query(fake.last().url).getAll('channel')).toEqual([]);
    fake.last().send('data: {"type":"connected","clientId":"c-1"}\n\n');
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    expect(posts.map((p) => p.body)).toEqual([{ clientId: 'c-1', channel: 'a' }, { clientId: 'c-1', channel: 'b' }]);
    expect(el.shadowRoot!.querySelector('[part="body"]')).toBeNull();
    el.setAttribute('channels', 'b c');
    await vi.waitFor(() => expect(posts).toHaveLength(4));
    expect(posts.slice(2)).toEqual([
      { url: expect.stringMatching(/\/api\/events\/subscribe$/), body: { clientId: 'c-1', channel: 'c' } },
      { url: expect.stringMatching(/\/api\/events\/unsubscribe$/), body: { clientId: 'c-1', channel: 'a' } },
    ]);
    expect(fake.streams).toHaveLength(1);
  });
});

describe('<sse-notify> connect()', () => {
  it('opens nothing while the element is outside the document, and connects once it is added', async () => {
    const el = document.createElement('sse-notify');
    el.setAttribute('src', '/api/events');
    el.connect();
    await flush();
    expect(fake.streams).toHaveLength(0);
    document.body.append(el);
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1));
  });
});
