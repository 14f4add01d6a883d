/**
 * Review findings on the store and the toaster: each test shows one bug that was fixed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNotificationStore, type NotificationStore } from '../../src/store/notifications';
import { normalize } from '../../src/store/normalize';
import { toNotification } from '../../src/store/ingest';
import { createToaster, type Toaster, type ToasterProps } from '../../src/ui/toaster';
import { attachStyledShadow } from '../../src/ui/shadow';
import { stringsFor } from '../../src/ui/strings';

let store: NotificationStore;
let host: HTMLElement;
let root: ShadowRoot;

let toaster: Toaster;

const show = (props: Partial<ToasterProps> = {}) =>
  toaster.u({ store, position: 'top-right', maxToasts: 3, duration: 1000, strings: stringsFor('en'), ...props });
/** Runs `fn`, then lets the store's batched render (one microtask) happen. */
const act = async (fn: () => unknown) => {
  fn();
  await Promise.resolve();
};
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const byId = (id: string) => root.querySelector<HTMLElement>(`[part="toast"][data-id="${id}"]`);
const assertive = () => root.querySelector<HTMLElement>('[role="alert"]')!;
const polite = () => root.querySelector<HTMLElement>('[role="status"]')!;

beforeEach(() => {
  vi.useFakeTimers();
  store = createNotificationStore();
  host = document.createElement('div');
  document.body.append(host);
  root = attachStyledShadow(host);
  toaster = createToaster(root);
});
afterEach(() => {
  toaster.d();
  host.remove();
  vi.useRealTimers();
});

describe('review: store and toaster', () => {
  it('keeps the level of a toast an update: true event leaves the level out of, and does not announce it again', async () => {
    show({ duration: 0 });
    const first = toNotification('notification', { id: 'build', title: 'Build failing', level: 'error' }, undefined, ['notification'])!;
    await act(() => void store.add(first));
    expect(byId('build')!.dataset.level).toBe('error');
    expect(assertive().textContent).toBe('Build failing');
    const update = toNotification('notification', { id: 'build', body: '3 tests fail', update: true }, undefined, ['notification'])!;
    await act(() => void store.add(update));
    expect(byId('build')!.dataset.level).toBe('error');
    expect(byId('build')!.textContent).toContain('3 tests fail');
    // The line stays in the assertive region instead of moving (and being read again) as polite.
    expect(polite().textContent).toBe('');
    // A new toast without a level is still info.
    expect(normalize({ title: 'Hi' }).level).toBe('info');
  });

  it('shows no empty toast for an update: true with nothing to say whose id is not on screen', async () => {
    show();
    await act(() => void store.add(normalize({ id: 'gone', update: true, level: 'error' })));
    expect(store.getSnapshot()).toEqual([]);
    expect(byId('gone')).toBeNull();
  });

  it('does not close toasts already shown at once when duration changes live from 0', async () => {
    show({ duration: 0 });
    await act(() => void store.add({ id: 'a', title: 'Kept' }));
    await tick(5000);
    show({ duration: 1000 });
    await tick(100);
    expect(byId('a')?.dataset.state).not.toBe('leaving');
    await tick(1500);
    expect(byId('a')).toBeNull();
  });
});
