/**
 * Review findings on the SSE core, each a behaviour a user would notice:
 * driven through the fake fetch and fake timers as connection.test.ts does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnection, type ConnectionOptions } from '../../src/sse/connection';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

const URL_ = 'https://api.example/events';

let fake: FakeFetch;
let win: EventTarget;

beforeEach(() => {
  vi.useFakeTimers();
  fake = createFakeFetch();
  win = new EventTarget();
  vi.stubGlobal('navigator', { onLine: true });
  vi.stubGlobal('addEventListener', (type: string, listener: EventListener) => win.addEventListener(type, listener));
  vi.stubGlobal('removeEventListener', (type: string, listener: EventListener) => win.removeEventListener(type, listener));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const settle = async () => {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
};

function setup(options: Partial<ConnectionOptions> = {}) {
  const connection = createConnection({ url: URL_, fetch: fake.fetch, random: () => 0, storage: null, ...options });
  const failed: unknown[] = [];
  const retries: unknown[] = [];
  connection.on('failed', (detail) => failed.push(detail));
  connection.on('retry', (detail) => retries.push(detail));
  return { connection, failed, retries };
}

const pageEvent = (type: string, persisted: boolean) => Object.assign(new Event(type), { persisted });

describe('review: connection', () => {
  it('does not reconnect to a server that answered 204 when the page comes back from the back/forward cache', async () => {
    fake.respond(204);
    const { connection, failed } = setup();
    connection.connect();
    await settle();
    expect(connection.state).toBe('failed');
    expect(failed).toHaveLength(1);
    win.dispatchEvent(pageEvent('pagehide', true));
    win.dispatchEvent(pageEvent('pageshow', true));
    await settle();
    expect(fake.streams).toHaveLength(0);
    expect(connection.state).toBe('failed');
    expect(failed).toHaveLength(1);
    connection.close();
  });

  it('ends in failed, with no unhandled rejection, for a src that is not a URL', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      const { connection, failed } = setup({ url: 'http://[', maxRetries: 0 });
      connection.connect();
      await settle();
      await vi.advanceTimersByTimeAsync(10);
      expect(rejections).toEqual([]);
      expect(connection.state).toBe('failed');
      expect(failed).toEqual([{ attempts: 1, reason: 'retry-limit', type: 'network' }]);
      expect(logged).toHaveBeenCalledOnce();
      expect(vi.getTimerCount()).toBe(0);
      connection.close();
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('keeps a stream open with a heartbeat-timeout beyond what setTimeout can hold', async () => {
    const { connection, retries } = setup({ heartbeatTimeout: 2 ** 31 + 1000 });
    connection.connect();
    await settle();
    expect(connection.state).toBe('open');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(retries).toEqual([]);
    expect(fake.streams).toHaveLength(1);
    expect(connection.state).toBe('open');
    connection.close();
  });
});
