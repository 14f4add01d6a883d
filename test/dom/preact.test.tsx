import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { Notifications, useNotifications, useSSE, createNotificationStore } from '../../src/index';
import type { UseNotificationsResult, UseSSEResult } from '../../src/index';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

let fake: FakeFetch;
let container: HTMLElement;

beforeEach(() => {
  fake = createFakeFetch();
  vi.stubGlobal('fetch', fake.fetch);
  sessionStorage.clear();
  container = document.createElement('div');
  document.body.append(container);
});
afterEach(() => {
  render(null, container);
  container.remove();
  vi.unstubAllGlobals();
});

describe('Preact API', () => {
  it('useSSE gives the latest parsed data, connection state and last id, and closes on unmount', async () => {
    let result!: UseSSEResult<{ n: number }>;
    function Probe() {
      result = useSSE<{ n: number }>({ url: '/api/events', events: ['tick'] });
      return null;
    }
    await act(() => render(<Probe />, container));
    await vi.waitFor(() => expect(result.isConnected).toBe(true));
    expect(result.state).toBe('open');
    await act(() => fake.last().send('event: tick\nid: 5\ndata: {"n":1}\n\n'));
    await vi.waitFor(() => expect(result.data).toEqual({ n: 1 }));
    expect(result.lastEventId).toBe('5');
    await act(() => render(null, container));
    expect(fake.open()).toBe(0);
  });

  it('useSSE reports an error while it retries', async () => {
    let result!: UseSSEResult<unknown>;
    function Probe() {
      result = useSSE({ url: '/api/events', retryDelay: 60_000 });
      return null;
    }
    fake.respond(503);
    await act(() => render(<Probe />, container));
    await vi.waitFor(() => expect(result.error).toEqual({ type: 'http-status', status: 503 }));
    expect(result.isConnected).toBe(false);
    expect(result.state).toBe('reconnecting');
  });

  it('useNotifications and <Notifications> share one store and render toasts in a shadow root', async () => {
    const store = createNotificationStore();
    let api!: UseNotificationsResult;
    function App() {
      api = useNotifications(store);
      return <Notifications store={store} />;
    }
    await act(() => render(<App />, container));
    await act(() => {
      api.toast({ title: 'From a hook', level: 'success' });
    });
    const host = container.querySelector('[data-sse-notify]')!;
    expect(host.shadowRoot!.querySelector('[part="title"]')!.textContent).toBe('From a hook');
    expect(api.notifications).toHaveLength(1);
    await act(() => api.dismiss(api.notifications[0].id));
    expect(host.shadowRoot!.querySelector('[part="title"]')).toBeNull();
  });

  it('<Notifications url> shows server notifications and releases its connection on unmount', async () => {
    const store = createNotificationStore();
    await act(() => render(<Notifications url="/api/events" store={store} />, container));
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1));
    await act(() => fake.last().send('event: notification\ndata: {"title":"Live"}\n\n'));
    const host = container.querySelector('[data-sse-notify]')!;
    await vi.waitFor(() => expect(host.shadowRoot!.querySelector('[part="title"]')?.textContent).toBe('Live'));
    await act(() => render(null, container));
    expect(fake.open()).toBe(0);
    expect(host.shadowRoot!.childNodes.length).toBe(0);
  });
});
