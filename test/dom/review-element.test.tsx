/**
 * Review findings on the element and the Preact API, each a behaviour a user
 * would notice, on the fake fetch (GETs open streams; POSTs are recorded).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { useState } from 'preact/hooks';
import { define } from '../../src/define';
import { Notifications, createNotificationStore, useSSE } from '../../src/index';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

let fake: FakeFetch;
let posts: { url: string; headers: Record<string, string>; body: unknown }[];

beforeEach(() => {
  fake = createFakeFetch();
  posts = [];
  vi.stubGlobal('fetch', (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    if (init.method != 'POST') return fake.fetch(input, init);
    posts.push({ url: String(input), headers: (init.headers ?? {}) as Record<string, string>, body: JSON.parse(String(init.body)) });
    return new Response(null, { status: 200 });
  }) as typeof fetch);
  sessionStorage.clear();
  define();
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('review: <sse-notify> subscribe protocol', () => {
  it('sends the tokenProvider token with the subscribe POSTs, as with the stream', async () => {
    const el = document.createElement('sse-notify');
    el.tokenProvider = async () => 'fresh-token';
    el.setAttribute('src', '/api/events');
    el.setAttribute('subscribe-url', '/api/events/subscribe');
    el.setAttribute('channels', 'orders');
    document.body.append(el);
    await vi.waitFor(() => expect(fake.streams.length).toBeGreaterThan(0));
    expect(fake.last().headers.authorization).toBe('Bearer fresh-token');
    fake.last().send('data: {"type":"connected","clientId":"c1"}\n\n');
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0].body).toEqual({ clientId: 'c1', channel: 'orders' });
    expect(posts[0].headers.authorization).toBe('Bearer fresh-token');
  });
});

describe('review: useSSE', () => {
  it('connects once, without a render loop, when the tokenProvider is an inline function re-created every render', async () => {
    const container = document.createElement('div');
    document.body.append(container);
    let result!: ReturnType<typeof useSSE>;
    let renders = 0;
    let calls = 0;
    const provide = () => (calls++, 'tok');
    function Probe() {
      // Inline for the first 20 renders only: a render loop must end (not run out of memory) for the test to report it.
      result = useSSE({ url: '/api/events', tokenProvider: ++renders < 20 ? () => provide() : provide });
      return null;
    }
    await act(() => render(<Probe />, container));
    await vi.waitFor(() => expect(result.isConnected).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    expect(renders).toBeLessThan(10);
    expect(fake.streams).toHaveLength(1);
    expect(fake.open()).toBe(1);
    expect(fake.last().headers.authorization).toBe('Bearer tok');
    await act(() => render(null, container));
    expect(fake.open()).toBe(0);
  });
});

describe('review: <Notifications>', () => {
  it('keeps its connection when the parent renders again with an inline tokenProvider', async () => {
    const container = document.createElement('div');
    document.body.append(container);
    const store = createNotificationStore();
    let calls = 0;
    const provide = () => (calls++, 'tok');
    let rerender!: () => void;
    function App() {
      const [, setN] = useState(0);
      rerender = () => setN((n) => n + 1);
      return <Notifications url="/api/events" store={store} tokenProvider={() => provide()} />;
    }
    await act(() => render(<App />, container));
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1));
    for (let i = 0; i < 3; i++) await act(() => rerender());
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    expect(fake.streams).toHaveLength(1);
    expect(fake.last().headers.authorization).toBe('Bearer tok');
    await act(() => render(null, container));
    expect(fake.open()).toBe(0);
  });
});
