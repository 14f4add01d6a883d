import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { define } from '../../src/define';
import { MAX_BODY } from '../../src/store/normalize';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

// The toaster as the element drives it: methods, attributes and words.
let fake: FakeFetch;

const mount = async (html: string) => {
  document.body.innerHTML = html;
  const el = document.querySelector('sse-notify')!;
  await vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
  return el;
};
const toasts = (el: Element) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part="toast"]')];
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  fake = createFakeFetch();
  vi.stubGlobal('fetch', fake.fetch);
  sessionStorage.clear();
  define();
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('<sse-notify> toasts', () => {
  it('shows toast() input, text or object, and returns its id; a repeated id shows once', async () => {
    const el = await mount('<sse-notify src="/e" duration="0"></sse-notify>');
    const a = el.toast('Saved');
    const b = el.toast({ id: 'n-1', title: 'Order paid', level: 'success', url: 'javascript:alert(1)' });
    expect(a).toBeTruthy();
    expect(b).toBe('n-1');
    expect(el.toast({ id: 'n-1', title: 'Again' })).toBeUndefined();
    await flush();
    const [first, second] = toasts(el);
    expect(first.querySelector('[part="body"]')!.textContent).toBe('Saved');
    expect(second.dataset.level).toBe('success');
    expect(second.querySelector('a')).toBeNull();
    expect(toasts(el)).toHaveLength(2);
  });

  it('cuts a 100 KB toast() text like an event body', async () => {
    const el = await mount('<sse-notify src="/e" duration="0"></sse-notify>');
    el.toast('z'.repeat(100 * 1024));
    await flush();
    const body = toasts(el)[0].querySelector('[part="body"]')!.textContent!;
    expect(body).toHaveLength(MAX_BODY);
    expect(body.endsWith('…')).toBe(true);
  });

  it('removes one toast with dismiss() and all with clear()', async () => {
    const el = await mount('<sse-notify src="/e" duration="0"></sse-notify>');
    for (const id of ['a', 'b', 'c']) el.toast({ id, title: id });
    await flush();
    el.dismiss('b');
    await flush();
    expect(toasts(el).map((t) => t.dataset.id)).toEqual(['a', 'c']);
    el.clear();
    await flush();
    expect(toasts(el)).toEqual([]);
  });

  it('reads max-toasts, position and duration from its attributes, live', async () => {
    const el = await mount('<sse-notify src="/e" max-toasts="2" position="bottom-left" duration="0"></sse-notify>');
    for (const id of ['a', 'b', 'c', 'd']) el.toast({ id, title: id });
    await flush();
    expect(toasts(el).map((t) => t.dataset.id)).toEqual(['a', 'sse-notify-more']);
    expect(el.shadowRoot!.querySelector('[part="stack"]')!.getAttribute('data-position')).toBe('bottom-left');
    el.setAttribute('max-toasts', '4');
    el.setAttribute('position', 'top-center');
    await vi.waitFor(() => expect(toasts(el).map((t) => t.dataset.id)).toEqual(['a', 'b', 'c', 'd']));
    expect(el.shadowRoot!.querySelector('[part="stack"]')!.getAttribute('data-position')).toBe('top-center');
  });

  it('speaks the language of the nearest lang attribute and takes strings overrides', async () => {
    const el = await mount('<div lang="ja-JP"><sse-notify src="/e" duration="0"></sse-notify></div>');
    el.toast({ id: 'a', title: 'こんにちは' });
    await flush();
    expect(toasts(el)[0].querySelector('[part="close"]')!.getAttribute('aria-label')).toBe('閉じる');
    expect(el.shadowRoot!.querySelector('[part="stack"]')!.getAttribute('aria-label')).toBe('通知');
    el.strings = { close: '消す' };
    await flush();
    expect(toasts(el)[0].querySelector('[part="close"]')!.getAttribute('aria-label')).toBe('消す');
  });

  it('keeps its toasts when an attribute changes and a new src reconnects', async () => {
    const el = await mount('<sse-notify src="/e" duration="0"></sse-notify>');
    fake.last().send('event: notification\nid: 1\ndata: {"title":"Kept"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    const toast = toasts(el)[0];
    el.setAttribute('src', '/other');
    await vi.waitFor(() => expect(fake.last().url).toMatch(/\/other$/));
    await vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
    expect(toasts(el)[0]).toBe(toast);
  });
});
