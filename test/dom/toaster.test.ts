import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNotificationStore, type NotificationStore } from '../../src/store/notifications';
import { normalize } from '../../src/store/normalize';
import { createToaster, type Toaster, type ToasterProps } from '../../src/ui/toaster';
import { attachStyledShadow } from '../../src/ui/shadow';
import { stringsFor } from '../../src/ui/strings';
import { css } from '../../src/ui/styles';

let store: NotificationStore;
let host: HTMLElement;
let root: ShadowRoot;
let toaster: Toaster;
let props: Partial<ToasterProps>;

/** Renders (or re-renders) the toaster with these props over the defaults: at once, as props do. */
const show = (next: Partial<ToasterProps> = {}) => {
  props = { ...props, ...next };
  toaster.u({ store, position: 'top-right', maxToasts: 3, duration: 1000, strings: stringsFor('en'), ...props });
};
/**
 * Advances fake time. Renders flush in microtasks and the enter animation's
 * frame runs on the way, so a timer that fires mid-way re-renders at its own time.
 */
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
/** Runs `fn`, then lets the store's batched render (one microtask) happen. */
const act = async (fn: () => unknown) => {
  fn();
  await Promise.resolve();
};
const add = (input: Parameters<NotificationStore['add']>[0]) => act(() => store.add(input));
const toasts = () => [...root.querySelectorAll<HTMLElement>('[part="toast"]')];
const ids = () => toasts().map((t) => t.dataset.id);
const byId = (id: string) => root.querySelector<HTMLElement>(`[part="toast"][data-id="${id}"]`);
const polite = () => root.querySelector<HTMLElement>('[role="status"][aria-live="polite"]')!;
const assertive = () => root.querySelector<HTMLElement>('[role="alert"][aria-live="assertive"]')!;
const lines = (region: HTMLElement) => [...region.children].map((p) => p.textContent);

beforeEach(() => {
  vi.useFakeTimers();
  store = createNotificationStore();
  props = {};
  host = document.createElement('div');
  document.body.append(host);
  root = attachStyledShadow(host);
  toaster = createToaster(root);
});
afterEach(() => {
  toaster.d();
  host.remove();
  vi.useRealTimers();
  delete (document as { visibilityState?: unknown }).visibilityState;
});

describe('Toaster', () => {
  it('shows max-toasts at once, summarises the rest as "+N more" in the last slot, and brings them in order', async () => {
    show();
    for (const id of ['a', 'b', 'c', 'd', 'e']) await add({ id, title: id.toUpperCase() });
    expect(ids()).toEqual(['a', 'b', 'sse-notify-more']);
    expect(byId('sse-notify-more')!.querySelector('[part="body"]')!.textContent).toBe('+3 more');
    await add({ id: 'f', title: 'F' });
    expect(byId('sse-notify-more')!.textContent).toContain('+4 more');
    await act(() => store.dismiss('a'));
    expect(ids()).toEqual(['b', 'c', 'sse-notify-more']);
    await act(() => store.dismiss('b'));
    await act(() => store.dismiss('c'));
    expect(ids()).toEqual(['d', 'e', 'f']);
    expect(root.textContent).not.toContain('more');
  });

  it('clears every toast, visible and waiting, with "Dismiss all"', async () => {
    show();
    for (let i = 0; i < 10; i++) await add({ id: `n${i}`, title: `N${i}` });
    const button = [...byId('sse-notify-more')!.querySelectorAll('button')].find((b) => b.textContent === 'Dismiss all')!;
    expect(button.getAttribute('type')).toBe('button');
    await act(() => button.click());
    expect(store.getSnapshot()).toEqual([]);
    expect(toasts()).toEqual([]);
  });

  it('renders every field as text, never as HTML', async () => {
    show();
    await add(normalize({ title: '<img src=x onerror=alert(1)>', body: '<script>alert(2)</script><b>bold</b>' }));
    const toast = toasts()[0];
    expect(toast.querySelector('[part="title"]')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(toast.querySelector('[part="body"]')!.textContent).toBe('<script>alert(2)</script><b>bold</b>');
    expect(toast.querySelector('img, script, [part="body"] b')).toBeNull();
  });

  it('shows a level glyph or the icon, and the url as an "Open" link in a new tab', async () => {
    show();
    await add(normalize({ id: 'i', title: 'With icon', icon: 'https://shop.example/i.png', url: '/orders/42', level: 'success' }));
    await add(normalize({ id: 'g', title: 'Plain', level: 'warning' }));
    const withIcon = byId('i')!;
    expect(withIcon.dataset.level).toBe('success');
    expect(withIcon.querySelector('img')!.getAttribute('src')).toBe('https://shop.example/i.png');
    expect(withIcon.querySelector('img')!.getAttribute('alt')).toBe('');
    const link = withIcon.querySelector<HTMLAnchorElement>('a[part="action"]')!;
    expect(link.getAttribute('href')).toBe('/orders/42');
    expect(link.target).toBe('_blank');
    expect(link.rel).toContain('noopener');
    expect(link.textContent).toBe('Open');
    const glyph = byId('g')!.querySelector('[aria-hidden="true"]')!;
    expect(glyph.textContent).toBe('!');
    expect(byId('g')!.querySelector('a, img')).toBeNull();
  });

  it('enters, closes itself after its duration, and leaves after the exit transition', async () => {
    show();
    await add({ id: 'a', title: 'Short' });
    expect(byId('a')!.dataset.state).toBe('entering');
    await tick(20);
    expect(byId('a')!.dataset.state).toBe('visible');
    await tick(960);
    expect(byId('a')!.dataset.state).toBe('visible');
    await tick(40);
    expect(byId('a')!.dataset.state).toBe('leaving');
    await tick(200);
    expect(byId('a')).toBeNull();
    expect(store.getSnapshot()).toEqual([]);
  });

  it("uses a toast's own duration over the default, and keeps a toast with duration 0", async () => {
    show();
    await add({ id: 'long', title: 'Long', duration: 3000 });
    await add({ id: 'kept', title: 'Kept', duration: 0 });
    await tick(2000);
    expect(ids()).toEqual(['long', 'kept']);
    await tick(1300);
    expect(ids()).toEqual(['kept']);
    await tick(60_000);
    expect(ids()).toEqual(['kept']);
  });

  it('pauses the countdown while hovered and resumes with the time that was left', async () => {
    show();
    await add({ id: 'a', title: 'Hover me' });
    await tick(600);
    await act(() => void byId('a')!.dispatchEvent(new MouseEvent('mouseenter')));
    await tick(10_000);
    expect(byId('a')!.dataset.state).toBe('visible');
    await act(() => void byId('a')!.dispatchEvent(new MouseEvent('mouseleave')));
    await tick(350);
    expect(byId('a')!.dataset.state).toBe('visible');
    await tick(100);
    expect(byId('a')!.dataset.state).toBe('leaving');
  });

  it('pauses the countdown while the toast or its close button has focus', async () => {
    show();
    await add({ id: 'a', title: 'Focus me' });
    await tick(500);
    await act(() => byId('a')!.querySelector<HTMLButtonElement>('[part="close"]')!.focus());
    await tick(10_000);
    expect(byId('a')!.dataset.state).toBe('visible');
    await act(() => (root.activeElement as HTMLElement).blur());
    await tick(550);
    expect(byId('a')!.dataset.state).toBe('leaving');
  });

  it('pauses the countdown while the tab is hidden', async () => {
    show();
    await add({ id: 'a', title: 'Hidden tab' });
    await tick(300);
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    await act(() => void document.dispatchEvent(new Event('visibilitychange')));
    await tick(30_000);
    expect(byId('a')!.dataset.state).toBe('visible');
    delete (document as { visibilityState?: unknown }).visibilityState;
    await act(() => void document.dispatchEvent(new Event('visibilitychange')));
    await tick(650);
    expect(byId('a')!.dataset.state).toBe('visible');
    await tick(100);
    expect(byId('a')!.dataset.state).toBe('leaving');
  });

  it('closes the focused toast on Escape without letting the page see the key', async () => {
    show({ duration: 0 });
    await add({ id: 'a', title: 'A' });
    await add({ id: 'b', title: 'B' });
    const pageKeys = vi.fn();
    document.addEventListener('keydown', pageKeys);
    const close = byId('b')!.querySelector<HTMLButtonElement>('[part="close"]')!;
    close.focus();
    await act(() => void close.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true })));
    expect(byId('b')!.dataset.state).toBe('leaving');
    expect(byId('a')!.dataset.state).not.toBe('leaving');
    await tick(200);
    expect(ids()).toEqual(['a']);
    // Other keys are the page's business.
    await act(() => void byId('a')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true })));
    expect(pageKeys).toHaveBeenCalledTimes(1);
    expect(ids()).toEqual(['a']);
    document.removeEventListener('keydown', pageKeys);
  });

  it('has a close button with an accessible name that dismisses the toast', async () => {
    show({ duration: 0 });
    await add({ id: 'a', title: 'A' });
    const close = byId('a')!.querySelector<HTMLButtonElement>('button[part="close"]')!;
    expect(close.getAttribute('aria-label')).toBe('Close');
    expect(close.getAttribute('type')).toBe('button');
    expect(byId('a')!.tabIndex).toBe(0);
    expect(byId('a')!.getAttribute('role')).toBe('group');
    expect(byId('a')!.getAttribute('aria-label')).toBe('A');
    await act(() => close.click());
    await tick(200);
    expect(toasts()).toEqual([]);
  });

  it('updates a progress bar in place, then turns into a success toast that closes itself', async () => {
    show();
    await add(normalize({ taskId: 't1', status: 'started', title: 'Exporting' }));
    const toast = byId('task:t1')!;
    const bar = toast.querySelector<HTMLProgressElement>('progress[part="progress"]')!;
    expect(bar.hasAttribute('value')).toBe(false); // indeterminate until the first figure
    expect(bar.getAttribute('aria-label')).toBe('Exporting');
    await add(normalize({ taskId: 't1', status: 'processing', progress: 40, title: 'Exporting' }));
    expect(byId('task:t1')).toBe(toast);
    expect(toast.querySelector('progress')).toBe(bar);
    expect(bar.value).toBe(40);
    expect(bar.max).toBe(100);
    // A running task does not close itself.
    await tick(30_000);
    await add(normalize({ taskId: 't1', status: 'processing', progress: 80, title: 'Exporting' }));
    expect(bar.value).toBe(80);
    expect(byId('task:t1')).toBe(toast);
    await add(normalize({ taskId: 't1', status: 'completed', title: 'Exported', body: 'report.csv is ready' }));
    expect(byId('task:t1')).toBe(toast);
    expect(toast.dataset.level).toBe('success');
    expect(toast.querySelector('progress')).toBeNull();
    expect(toast.textContent).toContain('report.csv is ready');
    await tick(1000);
    expect(toast.dataset.state).toBe('leaving');
  });

  it('turns a failed task into an error toast that stays', async () => {
    show();
    await add(normalize({ taskId: 't1', status: 'processing', progress: 60, title: 'Export' }));
    await add(normalize({ taskId: 't1', status: 'failed', body: 'Disk full' }));
    const toast = byId('task:t1')!;
    expect(toast.dataset.level).toBe('error');
    expect(toast.querySelector('progress')).toBeNull();
    await tick(60_000);
    expect(toast.isConnected).toBe(true);
    expect(toast.dataset.state).toBe('visible');
  });

  it('updates a toast in place for update: true and restarts its countdown', async () => {
    show();
    await add(normalize({ id: 'd', title: 'Deploying', body: 'step 1' }));
    const toast = byId('d')!;
    await tick(800);
    await add(normalize({ id: 'd', title: 'Deploying', body: 'step 2', update: true }));
    expect(byId('d')).toBe(toast);
    expect(toast.querySelector('[part="body"]')!.textContent).toBe('step 2');
    await tick(900);
    expect(toast.dataset.state).toBe('visible');
    await tick(150);
    expect(toast.dataset.state).toBe('leaving');
  });

  it('shows a quiet reconnecting line only after two failed attempts', async () => {
    show({ connection: { state: 'reconnecting', attempt: 1 } });
    expect(root.textContent).not.toContain('Reconnecting');
    show({ connection: { state: 'reconnecting', attempt: 2 } });
    const line = root.querySelector('section > p')!;
    expect(line.textContent).toBe('Reconnecting…');
    expect(lines(polite())).toEqual(['Reconnecting…']);
    expect(toasts()).toEqual([]);
    show({ connection: { state: 'open', attempt: 0 } });
    expect(root.querySelector('section > p')).toBeNull();
  });

  it('shows a sticky "stopped" toast in state failed whose Retry button calls onRetry', async () => {
    const onRetry = vi.fn();
    show({ connection: { state: 'failed', attempt: 8 }, onRetry });
    const toast = byId('sse-notify-failed')!;
    expect(toast.dataset.level).toBe('error');
    expect(toast.textContent).toContain('Live notifications stopped.');
    expect(toast.querySelector('[part="close"]')).toBeNull();
    expect(lines(assertive())).toEqual(['Live notifications stopped.']);
    await tick(60_000);
    expect(byId('sse-notify-failed')).toBe(toast);
    const retry = toast.querySelector<HTMLButtonElement>('button[part="action"]')!;
    expect(retry.textContent).toBe('Retry');
    await act(() => retry.click());
    expect(onRetry).toHaveBeenCalledTimes(1);
    show({ connection: { state: 'connecting', attempt: 0 } });
    expect(byId('sse-notify-failed')).toBeNull();
  });

  it('has both live regions, empty, from the first render', async () => {
    show();
    expect(polite()).not.toBeNull();
    expect(assertive()).not.toBeNull();
    expect(polite().childElementCount).toBe(0);
    expect(assertive().childElementCount).toBe(0);
    // The regions come before any toast, so they are in place before content arrives.
    const stack = root.querySelector('section[part="stack"]')!;
    expect(stack.firstElementChild).toBe(polite());
    expect(stack.getAttribute('aria-label')).toBe('Notifications');
  });

  it('announces each toast once: politely for info and success, assertively for warning and error', async () => {
    show({ maxToasts: 2, duration: 0 });
    const added: string[] = [];
    const record = (records: MutationRecord[]) => {
      for (const r of records) {
        for (const node of r.addedNodes) added.push(`${(r.target as HTMLElement).getAttribute('role') ?? 'text'}: ${node.textContent}`);
        if (r.type === 'characterData') added.push(`changed: ${r.target.textContent}`);
      }
    };
    const observer = new MutationObserver(record);
    observer.observe(polite(), { childList: true, characterData: true, subtree: true });
    observer.observe(assertive(), { childList: true, characterData: true, subtree: true });
    const collect = () => record(observer.takeRecords());
    await add({ id: 'a', title: 'Saved', body: 'Draft saved', level: 'success' });
    await add({ id: 'b', title: 'Disk almost full', level: 'warning' });
    await add({ id: 'c', body: 'Third', level: 'info' });
    collect();
    expect(added).toEqual(['status: Saved. Draft saved', 'alert: Disk almost full']);
    // Re-renders and the tab coming back announce nothing again.
    await act(() => void document.dispatchEvent(new Event('visibilitychange')));
    await tick(5000);
    collect();
    expect(added).toHaveLength(2);
    // 'c' is announced when it comes into view, not before.
    await act(() => store.dismiss('a'));
    collect();
    expect(added).toEqual(['status: Saved. Draft saved', 'alert: Disk almost full', 'status: Third']);
    await act(() => store.dismiss('c'));
    collect();
    expect(added).toHaveLength(3);
    expect(lines(assertive())).toEqual(['Disk almost full']);
    observer.disconnect();
  });

  it('offers an "Enable desktop notifications" button only when given onEnable', async () => {
    show();
    expect(root.querySelector('section > button')).toBeNull();
    const onEnable = vi.fn();
    show({ onEnable });
    const button = root.querySelector<HTMLButtonElement>('section > button')!;
    expect(button.textContent).toBe('Enable desktop notifications');
    await act(() => button.click());
    expect(onEnable).toHaveBeenCalledTimes(1);
  });

  it('speaks Japanese for lang ja and takes overrides for any word', async () => {
    show({ strings: stringsFor('ja-JP'), duration: 0, maxToasts: 2 });
    for (const id of ['a', 'b', 'c']) await add({ id, title: id });
    expect(byId('a')!.querySelector('[part="close"]')!.getAttribute('aria-label')).toBe('閉じる');
    expect(byId('sse-notify-more')!.textContent).toContain('他 2 件');
    expect(byId('sse-notify-more')!.textContent).toContain('すべて閉じる');
    show({ strings: stringsFor('en-GB', { close: 'Dismiss', more: '{n} waiting' }) });
    expect(byId('a')!.querySelector('[part="close"]')!.getAttribute('aria-label')).toBe('Dismiss');
    expect(byId('sse-notify-more')!.textContent).toContain('2 waiting');
    expect(byId('sse-notify-more')!.textContent).toContain('Dismiss all');
  });

  it("keeps toasts whose ids look like the widget's own notices apart from them", async () => {
    show({ connection: { state: 'failed', attempt: 8 }, maxToasts: 5, duration: 0 });
    for (const id of ['f', 'm', 'r', 'sse-notify-more', 'x', 'y']) await add({ id, title: `Toast ${id}` });
    expect(ids()).toEqual(['sse-notify-failed', 'f', 'm', 'r', 'sse-notify-more', 'sse-notify-more']);
    expect(byId('f')!.textContent).toContain('Toast f');
    expect(toasts().at(-1)!.textContent).toContain('+2 more');
    expect(lines(assertive())).toEqual(['Live notifications stopped.']);
    expect(lines(polite())).toEqual(['Toast f', 'Toast m', 'Toast r', 'Toast sse-notify-more', 'Toast x']);
  });

  it('never moves a toast that stays, so focus inside it survives others leaving', async () => {
    show({ duration: 0 });
    for (const id of ['a', 'b', 'c']) await add({ id, title: id });
    const c = byId('c')!;
    const moved: Node[] = [];
    const observer = new MutationObserver((records) => records.forEach((r) => moved.push(...r.removedNodes)));
    observer.observe(root, { childList: true, subtree: true });
    await act(() => store.dismiss('a'));
    await act(() => store.dismiss('b'));
    await add({ id: 'd', title: 'd' });
    observer.disconnect();
    expect(ids()).toEqual(['c', 'd']);
    expect(byId('c')).toBe(c);
    expect(moved).not.toContain(c);
    expect(moved.filter((n) => (n as HTMLElement).dataset?.id)).toHaveLength(2);
  });

  it('marks its position for the stylesheet', async () => {
    show({ position: 'bottom-center' });
    expect(root.querySelector('[part="stack"]')!.getAttribute('data-position')).toBe('bottom-center');
  });

  it('styles with logical properties only, so RTL pages mirror the stack', async () => {
    expect(css).toMatch(/inset-inline-end/);
    expect(css).not.toMatch(/(^|[;{\s])(left|right)\s*:/);
    expect(css).not.toMatch(/(margin|padding|border)-(left|right)/);
    expect(css).not.toMatch(/text-align\s*:\s*(left|right)/);
    expect(css).not.toMatch(/translateX|translate:\s*(?!0 )/);
  });
});
