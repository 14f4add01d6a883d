import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createSharedConnection, shareKey, type SharedConnection, type SharedConnectionOptions } from '../../src/share/shared-connection';
import { createFakeFetch, type FakeFetch } from '../support/fake-fetch';

// Each createSharedConnection stands for one tab: Node's BroadcastChannel
// delivers between instances of one process as browsers do between tabs, and
// a fake Web Locks manager grants one exclusive lock per name in request order.

interface FakeLocks extends LockManager {
  /** Names held now. */
  held(): string[];
}

function createFakeLocks(): FakeLocks {
  interface Entry {
    callback: LockGrantedCallback<unknown>;
    resolve: (value: unknown) => void;
    reject: (reason: unknown) => void;
  }
  const queues = new Map<string, Entry[]>();
  const holders = new Set<string>();
  const pump = (name: string) => {
    const queue = queues.get(name) ?? [];
    if (holders.has(name) || queue.length === 0) return;
    const entry = queue.shift()!;
    holders.add(name);
    Promise.resolve()
      .then(() => entry.callback({ name, mode: 'exclusive' } as Lock))
      .then(
        (value) => {
          holders.delete(name);
          entry.resolve(value);
          pump(name);
        },
        (error) => {
          holders.delete(name);
          entry.reject(error);
          pump(name);
        },
      );
  };
  return {
    request(name: string, options: LockOptions | LockGrantedCallback<unknown>, callback?: LockGrantedCallback<unknown>) {
      const opts = typeof options === 'function' ? {} : options;
      const cb = typeof options === 'function' ? options : callback!;
      return new Promise((resolve, reject) => {
        if (opts.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
        const entry: Entry = { callback: cb, resolve, reject };
        if (!queues.has(name)) queues.set(name, []);
        queues.get(name)!.push(entry);
        opts.signal?.addEventListener('abort', () => {
          const queue = queues.get(name)!;
          if (queue.includes(entry)) {
            queue.splice(queue.indexOf(entry), 1);
            reject(new DOMException('aborted', 'AbortError'));
          }
        });
        pump(name);
      });
    },
    query: async () => ({ held: [], pending: [] }),
    held: () => [...holders],
  } as unknown as FakeLocks;
}

/** A tab's sessionStorage. */
const tabStorage = () => {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
};

interface Tab {
  connection: SharedConnection;
  events: { type: string; data: string; id?: string }[];
  states: string[];
  opens: number;
  failed: number;
}

let fake: FakeFetch;
let locks: FakeLocks;
const tabs: Tab[] = [];

const URL_ = 'http://app.test/events';

const openTab = (options: Partial<SharedConnectionOptions> = {}, connect = true): Tab => {
  const connection = createSharedConnection({ url: URL_, fetch: fake.fetch, storage: tabStorage(), heartbeatTimeout: 0, ...options });
  const tab: Tab = { connection, events: [], states: [], opens: 0, failed: 0 };
  connection.on('*', (e) => tab.events.push({ type: e.type, data: e.data, id: e.id }));
  connection.on('state', ({ state }) => tab.states.push(state));
  connection.on('open', () => tab.opens++);
  connection.on('failed', () => tab.failed++);
  if (connect) connection.connect();
  tabs.push(tab);
  return tab;
};

const leaderOf = (group: Tab[]) => {
  const leaders = group.filter((t) => t.connection.leader);
  expect(leaders).toHaveLength(1);
  return leaders[0];
};

beforeEach(() => {
  fake = createFakeFetch();
  locks = createFakeLocks();
  vi.stubGlobal('navigator', { locks });
});
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.connection.close();
  vi.unstubAllGlobals();
});

it('names a group by src, sorted channels, transport and channel parameter, never by the token itself', () => {
  const base = { url: URL_, channels: ['b', 'a'] };
  expect(shareKey(base)).toBe(shareKey({ url: URL_, channels: ['a', 'b', 'a'] }));
  expect(shareKey(base)).not.toBe(shareKey({ ...base, url: URL_ + '2' }));
  expect(shareKey(base)).not.toBe(shareKey({ ...base, channels: ['a'] }));
  expect(shareKey(base)).not.toBe(shareKey({ ...base, transport: 'eventsource' }));
  expect(shareKey(base)).not.toBe(shareKey({ ...base, channelParam: 'topic' }));
  const withToken = shareKey({ ...base, token: 'secret-token-123' });
  expect(withToken).not.toBe(shareKey({ ...base, token: 'secret-token-124' }));
  expect(withToken).not.toContain('secret-token-123');
});

it('opens one stream for three tabs and delivers every event to each of them', async () => {
  const group = [openTab(), openTab(), openTab()];
  await vi.waitFor(() => expect(group.map((t) => t.connection.state)).toEqual(['open', 'open', 'open']));
  expect(fake.streams).toHaveLength(1);
  expect(leaderOf(group)).toBe(group[0]);
  fake.last().send('event: notification\nid: 1\ndata: {"title":"One"}\n\n');
  fake.last().send('data: two\n\n');
  await vi.waitFor(() => expect(group.every((t) => t.events.length === 2)).toBe(true));
  for (const tab of group) {
    expect(tab.events).toEqual([
      { type: 'notification', data: '{"title":"One"}', id: '1' },
      { type: 'message', data: 'two', id: undefined },
    ]);
    expect(tab.connection.lastEventId).toBe('1');
    expect(tab.opens).toBe(1);
  }
  expect(fake.open()).toBe(1);
});

it('gives a tab that joins late the group state and id but no replay of earlier events', async () => {
  const first = openTab();
  await vi.waitFor(() => expect(first.connection.state).toBe('open'));
  fake.last().send('id: 7\ndata: before\n\n');
  await vi.waitFor(() => expect(first.events).toHaveLength(1));
  const late = openTab();
  await vi.waitFor(() => expect(late.connection.state).toBe('open'));
  expect(late.opens).toBe(1);
  expect(late.connection.lastEventId).toBe('7');
  expect(late.events).toEqual([]);
  fake.last().send('id: 8\ndata: after\n\n');
  await vi.waitFor(() => expect(late.events).toEqual([{ type: 'message', data: 'after', id: '8' }]));
  expect(first.opens).toBe(1);
  expect(fake.streams).toHaveLength(1);
});

it('hands over when the leader closes: a follower resumes from the group id and each event arrives once', async () => {
  const group = [openTab(), openTab(), openTab()];
  await vi.waitFor(() => expect(group.map((t) => t.connection.state)).toEqual(['open', 'open', 'open']));
  fake.last().send('id: 1\ndata: one\n\n');
  await vi.waitFor(() => expect(group.every((t) => t.events.length === 1)).toBe(true));
  group[0].connection.close();
  const rest = group.slice(1);
  await vi.waitFor(() => expect(fake.streams).toHaveLength(2));
  expect(fake.streams[0].closed).toBe(true);
  expect(fake.last().headers['last-event-id']).toBe('1');
  expect(leaderOf(rest)).toBe(group[1]);
  await vi.waitFor(() => expect(rest.map((t) => t.connection.state)).toEqual(['open', 'open']));
  // What was published while nobody listened comes as the server's replay.
  fake.last().send('id: 2\ndata: two\n\n');
  fake.last().send('id: 3\ndata: three\n\n');
  await vi.waitFor(() => expect(rest.every((t) => t.events.length === 3)).toBe(true));
  for (const tab of rest) {
    expect(tab.events.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(tab.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  }
  expect(group[0].events).toHaveLength(1);
  expect(group[0].connection.state).toBe('closed');
  expect(fake.open()).toBe(1);
});

it('delivers once an event that reaches a new leader both from the old leader and from its own stream', async () => {
  const tab = openTab();
  await vi.waitFor(() => expect(tab.connection.state).toBe('open'));
  const oldLeader = new BroadcastChannel(shareKey({ url: URL_ }));
  oldLeader.postMessage(['*', { type: 'message', data: 'late relay', lastEventId: '5', id: '5' }]);
  await vi.waitFor(() => expect(tab.events).toHaveLength(1));
  fake.last().send('id: 5\ndata: late relay\n\n');
  fake.last().send('id: 6\ndata: next\n\n');
  await vi.waitFor(() => expect(tab.events).toHaveLength(2));
  await new Promise((r) => setTimeout(r, 20));
  expect(tab.events.map((e) => e.id)).toEqual(['5', '6']);
  oldLeader.close();
});

it('relays a failure to every tab and lets a follower retry the whole group', async () => {
  const group = [openTab(), openTab()];
  await vi.waitFor(() => expect(group.map((t) => t.connection.state)).toEqual(['open', 'open']));
  fake.respond(401);
  fake.last().end();
  await vi.waitFor(() => expect(group.map((t) => t.connection.state)).toEqual(['failed', 'failed']));
  expect(group.map((t) => t.failed)).toEqual([1, 1]);
  group[1].connection.connect();
  await vi.waitFor(() => expect(group.map((t) => t.connection.state)).toEqual(['open', 'open']));
  expect(fake.streams).toHaveLength(2);
  expect(fake.open()).toBe(1);
});

it('makes a group that gave up try again when a tab joins it, as a Retry that recreates the connection does', async () => {
  fake.respond(401);
  const first = openTab();
  await vi.waitFor(() => expect(first.connection.state).toBe('failed'));
  const second = openTab();
  await vi.waitFor(() => expect([first, second].map((t) => t.connection.state)).toEqual(['open', 'open']));
  expect(fake.streams).toHaveLength(1);
  expect(second.connection.leader).toBe(false);
});

it('connects each tab on its own with share="off"', async () => {
  const group = [openTab({ share: 'off' }), openTab({ share: 'off' }), openTab({ share: 'off' })];
  await vi.waitFor(() => expect(fake.open()).toBe(3));
  expect(group.every((t) => t.connection.leader)).toBe(true);
});

it('connects each tab on its own where Web Locks or BroadcastChannel are missing', async () => {
  vi.stubGlobal('navigator', {});
  openTab();
  openTab();
  await vi.waitFor(() => expect(fake.open()).toBe(2));
  vi.stubGlobal('navigator', { locks });
  vi.stubGlobal('BroadcastChannel', undefined);
  openTab();
  await vi.waitFor(() => expect(fake.open()).toBe(3));
  expect(locks.held()).toEqual([]);
});

it('never shares between different src, channels or tokens, nor with the subscribe protocol', async () => {
  openTab({ channels: ['a'] });
  openTab({ channels: ['b'] });
  openTab({ url: URL_ + '?other' });
  openTab({ token: 'alice' });
  openTab({ channelsInQuery: false });
  openTab({ channelsInQuery: false });
  await vi.waitFor(() => expect(fake.open()).toBe(6));
});

it('releases its stream, lock and channel on close so the next tab starts afresh', async () => {
  const group = [openTab(), openTab()];
  await vi.waitFor(() => expect(group.map((t) => t.connection.state)).toEqual(['open', 'open']));
  group[1].connection.close();
  group[0].connection.close();
  await vi.waitFor(() => expect(locks.held()).toEqual([]));
  expect(fake.open()).toBe(0);
  fake.streams[0].send('id: 1\ndata: after close\n\n');
  const next = openTab();
  await vi.waitFor(() => expect(next.connection.state).toBe('open'));
  expect(next.connection.leader).toBe(true);
  expect(next.states).toEqual(['connecting', 'open']);
  expect(group.map((t) => t.events.length)).toEqual([0, 0]);
  expect(group.map((t) => t.states.at(-1))).toEqual(['closed', 'closed']);
});

it('stays idle until connect() and reconnects after close() on connect()', async () => {
  const tab = openTab({}, false);
  await new Promise((r) => setTimeout(r, 10));
  expect(tab.connection.state).toBe('idle');
  expect(fake.streams).toHaveLength(0);
  tab.connection.connect();
  await vi.waitFor(() => expect(tab.connection.state).toBe('open'));
  tab.connection.close();
  tab.connection.connect();
  await vi.waitFor(() => expect(fake.open()).toBe(1));
  expect(fake.streams).toHaveLength(2);
  expect(tab.connection.state).toBe('open');
});

it('connects alone where the browser refuses locks, as in an opaque origin', async () => {
  vi.stubGlobal('navigator', { locks: { request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')) } });
  const tab = openTab();
  await vi.waitFor(() => expect(tab.connection.state).toBe('open'));
  expect(tab.connection.leader).toBe(true);
  expect(fake.open()).toBe(1);
});
