/**
 * Review findings on the plain-DOM toaster (src/ui/toaster.ts, toast.ts) against the Preact
 * components it replaced: each test shows one difference that was fixed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNotificationStore, type NotificationStore } from '../../src/store/notifications';
import { createToaster, type Toaster, type ToasterProps } from '../../src/ui/toaster';
import { attachStyledShadow } from '../../src/ui/shadow';
import { stringsFor } from '../../src/ui/strings';

let store: NotificationStore;
let host: HTMLElement;
let root: ShadowRoot;
let toaster: Toaster;

/** Renders (or re-renders) the toaster with these props over the defaults: at once, as props do. */
const show = (props: Partial<ToasterProps> = {}) =>
  toaster.u({ store, position: 'top-right', maxToasts: 3, duration: 1000, strings: stringsFor('en'), ...props });
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
/** Runs `fn`, then lets the store's batched render (one microtask) happen. */
const act = async (fn: () => unknown) => {
  fn();
  await Promise.resolve();
};
const byId = (id: string) => root.querySelector<HTMLElement>(`[part="toast"][data-id="${id}"]`);
const ids = () => store.getSnapshot().map((t) => t.id);

/**
 * Chromium fires focusout at the focused element when a node holding it is
 * removed (https://github.com/whatwg/html/issues/3847); happy-dom does not, so
 * this does it as Chromium does: synchronously, before the node leaves.
 */
const focusoutOnRemoval = () => {
  const removeChild = Node.prototype.removeChild;
  vi.spyOn(Node.prototype, 'removeChild').mockImplementation(function (this: Node, child: Node) {
    const active = root.activeElement;
    if (active && child.contains(active)) active.dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
    return removeChild.call(this, child);
  } as never);
};

beforeEach(() => {
  vi.useFakeTimers();
  store = createNotificationStore();
  host = document.createElement('div');
  document.body.append(host);
  root = attachStyledShadow(host);
  toaster = createToaster(root);
  focusoutOnRemoval();
});
afterEach(() => {
  toaster.d();
  host.remove();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('review: plain-DOM toaster', () => {
  it('does not close a toast under the pointer after the widget is moved while keyboard focus was in it', async () => {
    show();
    await act(() => store.add({ id: 'a', title: 'Build finished' }));
    await tick(600);
    byId('a')!.querySelector<HTMLButtonElement>('[part="close"]')!.focus();
    // Moving the element: disconnected, then connected again.
    toaster.d();
    show();
    await act(() => void byId('a')!.dispatchEvent(new MouseEvent('mouseenter')));
    await tick(5000);
    expect(byId('a')?.dataset.state).toBe('visible');
    expect(ids()).toEqual(['a']);
  });

  it('leaves no countdown running and the toasts in the store when unmounted with keyboard focus in a toast', async () => {
    show();
    await act(() => store.add({ id: 'a', title: 'Build finished' }));
    await tick(600);
    byId('a')!.querySelector<HTMLButtonElement>('[part="close"]')!.focus();
    toaster.d();
    expect(vi.getTimerCount()).toBe(0);
    await tick(5000);
    // A store the page shares (the default one of the Preact hooks) still lists it.
    expect(ids()).toEqual(['a']);
  });
});
