import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { define } from '../../src/define';
import {
  notificationPermission,
  requestNotificationPermission,
  showOsNotification,
} from '../../src/notify/browser-notifications';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

/** A driven stand-in for the browser's Notification API (happy-dom has none). */
class FakeNotification {
  static permission: NotificationPermission = 'default';
  /** What the user answers to the next prompt. */
  static answer: NotificationPermission = 'granted';
  static requestPermission = vi.fn(async () => (FakeNotification.permission = FakeNotification.answer));
  static instances: FakeNotification[] = [];
  onclick: ((event: Event) => void) | null = null;
  close = vi.fn();
  constructor(
    public title: string,
    public options: NotificationOptions = {},
  ) {
    FakeNotification.instances.push(this);
  }
}

let fake: FakeFetch;
const setVisibility = (state: 'visible' | 'hidden') => Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
const toasts = (el: Element) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part="toast"]')];
const enableButton = (el: Element) => el.shadowRoot!.querySelector<HTMLButtonElement>('section > button');

const mount = async (attrs: string) => {
  document.body.innerHTML = `<sse-notify src="/api/events" ${attrs}></sse-notify>`;
  const el = document.querySelector('sse-notify')!;
  await vi.waitFor(() => expect(el.getAttribute('state')).toBe('open'));
  return el;
};

beforeEach(() => {
  FakeNotification.permission = 'default';
  FakeNotification.answer = 'granted';
  FakeNotification.requestPermission.mockClear();
  FakeNotification.instances = [];
  vi.stubGlobal('Notification', FakeNotification);
  fake = createFakeFetch();
  vi.stubGlobal('fetch', fake.fetch);
  sessionStorage.clear();
  define();
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete (document as { visibilityState?: unknown }).visibilityState;
});

describe('showOsNotification', () => {
  const input = { id: 'n-42', title: 'New order', body: 'Order #42 was paid', icon: 'https://shop.example/i.png', url: 'https://shop.example/orders/42' };

  it('shows one with tag = the event id, so a replay or a second tab replaces it', () => {
    FakeNotification.permission = 'granted';
    const shown = showOsNotification(input, 'always');
    expect(shown).toBe(FakeNotification.instances[0]);
    expect(FakeNotification.instances).toHaveLength(1);
    const [n] = FakeNotification.instances;
    expect(n.title).toBe('New order');
    expect(n.options).toMatchObject({ tag: 'n-42', body: 'Order #42 was paid', icon: 'https://shop.example/i.png' });
  });

  it('uses the body as the title when there is no title', () => {
    FakeNotification.permission = 'granted';
    showOsNotification({ id: 'x', body: 'Only a body' }, 'always');
    expect(FakeNotification.instances[0].title).toBe('Only a body');
    expect(FakeNotification.instances[0].options.body).toBeUndefined();
  });

  it('focuses the tab, opens the url and closes itself when clicked', () => {
    FakeNotification.permission = 'granted';
    const focus = vi.spyOn(window, 'focus').mockImplementation(() => {});
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    showOsNotification(input, 'always');
    const [n] = FakeNotification.instances;
    n.onclick!(new Event('click'));
    expect(focus).toHaveBeenCalledTimes(1);
    expect(open).toHaveBeenCalledWith('https://shop.example/orders/42', '_blank', 'noopener');
    expect(n.close).toHaveBeenCalled();
  });

  it('only focuses the tab when clicked without a url', () => {
    FakeNotification.permission = 'granted';
    const focus = vi.spyOn(window, 'focus').mockImplementation(() => {});
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    showOsNotification({ id: 'x', title: 'No link' }, 'always');
    FakeNotification.instances[0].onclick!(new Event('click'));
    expect(focus).toHaveBeenCalledTimes(1);
    expect(open).not.toHaveBeenCalled();
  });

  it('in mode hidden, shows one only while the tab is hidden', () => {
    FakeNotification.permission = 'granted';
    setVisibility('visible');
    expect(showOsNotification(input, 'hidden')).toBeUndefined();
    setVisibility('hidden');
    expect(showOsNotification(input, 'hidden')).toBeDefined();
    expect(FakeNotification.instances).toHaveLength(1);
  });

  it('shows none in mode off, without permission, or when denied', () => {
    setVisibility('hidden');
    FakeNotification.permission = 'granted';
    expect(showOsNotification(input, 'off')).toBeUndefined();
    FakeNotification.permission = 'default';
    expect(showOsNotification(input, 'always')).toBeUndefined();
    FakeNotification.permission = 'denied';
    expect(showOsNotification(input, 'always')).toBeUndefined();
    expect(FakeNotification.instances).toHaveLength(0);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
  });

  it('degrades quietly where the constructor throws (Android allows only service-worker notifications)', () => {
    FakeNotification.permission = 'granted';
    vi.stubGlobal(
      'Notification',
      class extends FakeNotification {
        constructor() {
          super('');
          throw new TypeError('Illegal constructor');
        }
      },
    );
    expect(() => showOsNotification(input, 'always')).not.toThrow();
    expect(showOsNotification(input, 'always')).toBeUndefined();
  });

  it('reads as denied where the browser has no Notification API', async () => {
    vi.stubGlobal('Notification', undefined);
    expect(notificationPermission()).toBe('denied');
    await expect(requestNotificationPermission()).resolves.toBe('denied');
    expect(showOsNotification(input, 'always')).toBeUndefined();
  });

  it('asks the browser when requested and reports its answer', async () => {
    FakeNotification.answer = 'denied';
    await expect(requestNotificationPermission()).resolves.toBe('denied');
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    expect(notificationPermission()).toBe('denied');
  });
});

describe('<sse-notify browser-notifications>', () => {
  it('asks for permission only from a click on its "Enable desktop notifications" button', async () => {
    const el = await mount('browser-notifications="always"');
    fake.last().send('event: notification\nid: n-1\ndata: {"title":"Before permission"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    expect(FakeNotification.instances).toHaveLength(0);
    const button = enableButton(el)!;
    expect(button.textContent).toBe('Enable desktop notifications');
    button.click();
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(enableButton(el)).toBeNull());
    fake.last().send('event: notification\nid: n-2\ndata: {"title":"After permission","body":"Shown twice","url":"/orders/2"}\n\n');
    await vi.waitFor(() => expect(FakeNotification.instances).toHaveLength(1));
    expect(FakeNotification.instances[0].title).toBe('After permission');
    expect(FakeNotification.instances[0].options.tag).toBe('n-2');
    // The toast shows too.
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(2));
  });

  it('shows a replayed id neither as a toast nor as an OS notification again', async () => {
    FakeNotification.permission = 'granted';
    const el = await mount('browser-notifications="always"');
    const frame = 'event: notification\nid: n-7\ndata: {"title":"Once"}\n\n';
    fake.last().send(frame);
    fake.last().send('event: notification\nid: n-8\ndata: {"title":"Next"}\n\n');
    fake.last().send(frame);
    // A payload id counts as much as the SSE id.
    fake.last().send('event: notification\ndata: {"id":"p-1","title":"Payload id"}\n\nevent: notification\ndata: {"id":"p-1","title":"Payload id"}\n\n');
    await vi.waitFor(() => expect(toasts(el).map((t) => t.dataset.id)).toEqual(['n-7', 'n-8', 'p-1']));
    await new Promise((r) => setTimeout(r, 20));
    expect(toasts(el)).toHaveLength(3);
    expect(FakeNotification.instances.map((n) => n.options.tag)).toEqual(['n-7', 'n-8', 'p-1']);
  });

  it('does not raise an OS notification for each progress step', async () => {
    FakeNotification.permission = 'granted';
    const el = await mount('browser-notifications="always"');
    fake.last().send('event: progress\ndata: {"taskId":"t1","progress":20,"status":"processing","title":"Export"}\n\n');
    fake.last().send('event: progress\ndata: {"taskId":"t1","progress":40,"status":"processing","title":"Export"}\n\n');
    await vi.waitFor(() => expect(toasts(el)[0]?.querySelector('progress')?.value).toBe(40));
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('in mode hidden, raises OS notifications only while the tab is hidden', async () => {
    FakeNotification.permission = 'granted';
    const el = await mount('browser-notifications="hidden"');
    expect(enableButton(el)).toBeNull();
    fake.last().send('event: notification\nid: v\ndata: {"title":"Seen in the page"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    setVisibility('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    fake.last().send('event: notification\nid: h\ndata: {"title":"While away"}\n\n');
    await vi.waitFor(() => expect(FakeNotification.instances).toHaveLength(1));
    expect(FakeNotification.instances[0].options.tag).toBe('h');
  });

  it('falls back to toasts quietly when permission is denied', async () => {
    FakeNotification.permission = 'denied';
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const el = await mount('browser-notifications="always"');
    expect(enableButton(el)).toBeNull();
    fake.last().send('event: notification\nid: d\ndata: {"title":"Still a toast"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    expect(FakeNotification.instances).toHaveLength(0);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('hides the button when the user says no at the prompt', async () => {
    FakeNotification.answer = 'denied';
    const el = await mount('browser-notifications="hidden"');
    enableButton(el)!.click();
    await vi.waitFor(() => expect(enableButton(el)).toBeNull());
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
  });

  it('offers no button and shows no OS notification with browser-notifications off', async () => {
    const el = await mount('');
    expect(enableButton(el)).toBeNull();
    FakeNotification.permission = 'granted';
    fake.last().send('event: notification\nid: o\ndata: {"title":"Toast only"}\n\n');
    await vi.waitFor(() => expect(toasts(el)).toHaveLength(1));
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('resolves requestPermission() with the answer and updates the button', async () => {
    const el = await mount('browser-notifications="always"');
    expect(enableButton(el)).not.toBeNull();
    await expect(el.requestPermission()).resolves.toBe('granted');
    await vi.waitFor(() => expect(enableButton(el)).toBeNull());
  });
});
