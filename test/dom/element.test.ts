import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { define } from '../../src/define';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

let fake: FakeFetch;

const mount = async (attrs: string) => {
  document.body.innerHTML = `<sse-notify ${attrs}></sse-notify>`;
  const el = document.querySelector('sse-notify')!;
  await vi.waitFor(() => expect(fake.streams.length).toBeGreaterThan(0));
  return el;
};
const toasts = (el: Element) => [...el.shadowRoot!.querySelectorAll('[part="toast"][data-level]')].filter((t) => t.getAttribute('data-id')?.startsWith('sse-notify-') !== true);

beforeEach(() => {
  fake = createFakeFetch();
  vi.stubGlobal('fetch', fake.fetch);
  sessionStorage.clear();
  define();
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('<sse-notify>', () => {
  it('connects to src, reflects its state and shows a toast per notification and message', async () => {
    const el = await mount('src="/api/events"');
    expect(fake.last().url).toMatch(/\/api\/events$/);
    expect(fake.last().headers.accept).toBe('text/event-stream');
    await vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
    fake.last().send('event: notification\nid: n-1\ndata: {"title":"New order","body":"Order #42 was paid","level":"success"}\n\n');
    fake.last().send('data: {"message":"Plain message"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(2));
    const [first, second] = toasts(el);
    expect(first.querySelector('[part="title"]')!.textContent).toBe('New order');
    expect(first.querySelector('[part="body"]')!.textContent).toBe('Order #42 was paid');
    expect(first.getAttribute('data-level')).toBe('success');
    expect(second.querySelector('[part="body"]')!.textContent).toBe('Plain message');
  });

  it('renders a payload with HTML as inert text', async () => {
    const el = await mount('src="/api/events"');
    fake.last().send('event: notification\ndata: {"title":"<img src=x onerror=alert(1)>","body":"<script>alert(2)</script>"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    const toast = toasts(el)[0];
    expect(toast.querySelector('img')).toBeNull();
    expect(toast.querySelector('script')).toBeNull();
    expect(toast.querySelector('[part="title"]')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(toast.querySelector('[part="body"]')!.textContent).toBe('<script>alert(2)</script>');
  });

  it('closes a toast after its duration', async () => {
    const el = await mount('src="/api/events" duration="1000"');
    fake.last().send('event: notification\ndata: {"title":"Short-lived"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 700));
    expect(toasts(el)).toHaveLength(1);
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(0), { timeout: 2000 });
  });

  it('shows the same event id only once', async () => {
    const el = await mount('src="/api/events"');
    const frame = 'event: notification\nid: 7\ndata: {"title":"Once"}\n\n';
    fake.last().send(frame + frame + 'id: 8\ndata: {"title":"Between"}\n\n' + frame);
    fake.last().send('event: notification\ndata: {"id":"x","title":"A"}\n\nevent: notification\ndata: {"id":"x","title":"B"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(toasts(el).map((t) => t.querySelector('[part="title"]')?.textContent ?? '')).toEqual(['Once', 'Between', 'A']);
  });

  it('does not show again an event the server replays after a reconnect, even the last one seen', async () => {
    const el = await mount('src="/api/events" retry-delay="10" max-retry-delay="20"');
    const notified: string[] = [];
    el.addEventListener('sse-notification', (e) => notified.push(e.detail.notification.id));
    await vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
    fake.last().send('event: notification\nid: 41\ndata: {"title":"Seen before"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    fake.last().drop();
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2));
    expect(fake.last().headers['last-event-id']).toBe('41');
    // A server that replays from the id inclusive, then goes on.
    fake.last().send('event: notification\nid: 41\ndata: {"title":"Seen before"}\n\nevent: notification\nid: 42\ndata: {"title":"New"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 20));
    expect(toasts(el).map((t) => t.querySelector('[part="title"]')!.textContent)).toEqual(['Seen before', 'New']);
    expect(notified).toEqual(['41', '42']);
  });

  it('closes its connection and releases its listeners when it leaves the document', async () => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    const el = await mount('src="/api/events"');
    await vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
    el.remove();
    expect(fake.open()).toBe(0);
    expect(el.getAttribute('state')).toBe('closed');
    expect(added.mock.calls.length).toBeGreaterThan(0);
    for (const [type, listener] of added.mock.calls) {
      expect(removed.mock.calls.some(([t, l]) => t === type && l === listener)).toBe(true);
    }
  });

  it('stays idle and warns once without src', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML = '<sse-notify></sse-notify>';
    const el = document.querySelector('sse-notify')!;
    el.setAttribute('position', 'bottom-left');
    await new Promise((r) => setTimeout(r, 10));
    expect(el.state).toBe('idle');
    expect(fake.streams).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('src');
  });
});
