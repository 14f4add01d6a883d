import { describe, expect, it, vi } from 'vitest';
import { createNotificationStore, type Toast } from '../../src/store/notifications';
import { normalize } from '../../src/store/normalize';

const titles = (list: Toast[]) => list.map((t) => t.title);

describe('createNotificationStore', () => {
  it('shows the same id once and returns undefined for the repeat', () => {
    const store = createNotificationStore();
    expect(store.add({ id: 'n-1', title: 'Once' })).toBe('n-1');
    expect(store.add({ id: 'n-1', title: 'Twice' })).toBeUndefined();
    expect(titles(store.getSnapshot())).toEqual(['Once']);
  });

  it('does not show an id again after its toast was dismissed (a replay after reconnect)', () => {
    const store = createNotificationStore();
    store.add({ id: 'n-1', title: 'Once' });
    store.dismiss('n-1');
    expect(store.add({ id: 'n-1', title: 'Replayed' })).toBeUndefined();
    expect(store.getSnapshot()).toEqual([]);
  });

  it('gives toasts without an id distinct fresh ids', () => {
    const store = createNotificationStore();
    const a = store.add({ body: 'a' });
    const b = store.add({ body: 'b' });
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    expect(a).not.toBe(b);
    expect(store.getSnapshot()).toHaveLength(2);
  });

  it('updates a live toast in place with update: true, keeping its place and the fields the update leaves out', () => {
    const store = createNotificationStore();
    store.add({ id: 'a', title: 'First' });
    store.add(normalize({ id: 'deploy', title: 'Deploying', body: 'step 1', url: '/deploys/7' }));
    store.add({ id: 'c', title: 'Third' });
    const before = store.getSnapshot()[1];
    expect(store.add(normalize({ id: 'deploy', body: 'step 2', level: 'success', update: true }))).toBe('deploy');
    const list = store.getSnapshot();
    expect(list.map((t) => t.id)).toEqual(['a', 'deploy', 'c']);
    expect(list[1]).toMatchObject({ title: 'Deploying', body: 'step 2', level: 'success', url: '/deploys/7' });
    expect(list[1].version).toBe(before.version + 1);
    expect(list[1].createdAt).toBe(before.createdAt);
  });

  it('shows an update: true event whose id was never seen as a new toast', () => {
    const store = createNotificationStore();
    expect(store.add({ id: 'late', title: 'Hello', update: true })).toBe('late');
    expect(titles(store.getSnapshot())).toEqual(['Hello']);
  });

  it('does not bring back a dismissed toast for an update: true event', () => {
    const store = createNotificationStore();
    store.add({ id: 'x', title: 'Closed by the user' });
    store.dismiss('x');
    expect(store.add({ id: 'x', title: 'Changed', update: true })).toBeUndefined();
    expect(store.getSnapshot()).toEqual([]);
  });

  it('keeps one toast per taskId through started and processing, sticky while it runs', () => {
    const store = createNotificationStore();
    const id = store.add(normalize({ taskId: 't1', status: 'started', title: 'Export' }));
    store.add(normalize({ taskId: 't1', status: 'processing', progress: 40, title: 'Export' }));
    store.add(normalize({ taskId: 't1', status: 'processing', progress: 80 }));
    const list = store.getSnapshot();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id, title: 'Export', progress: 80, level: 'info', duration: 0, status: 'processing' });
    expect(list[0].version).toBe(2);
  });

  it('turns a completed task into a success toast at 100% that closes itself', () => {
    const store = createNotificationStore();
    store.add(normalize({ taskId: 't1', status: 'processing', progress: 60, title: 'Export' }));
    store.add(normalize({ taskId: 't1', status: 'completed' }));
    const [toast] = store.getSnapshot();
    expect(toast).toMatchObject({ level: 'success', progress: 100, status: 'completed' });
    // No duration of its own: the element's default applies, so it closes itself.
    expect(toast.duration).toBeUndefined();
  });

  it('turns a failed task into an error toast that stays until dismissed', () => {
    const store = createNotificationStore();
    store.add(normalize({ taskId: 't1', status: 'processing', progress: 60, title: 'Export' }));
    store.add(normalize({ taskId: 't1', status: 'failed', body: 'Disk full' }));
    expect(store.getSnapshot()[0]).toMatchObject({ level: 'error', duration: 0, body: 'Disk full', title: 'Export' });
  });

  it('does not reopen a running task the user closed, but shows how it ended, once', () => {
    const store = createNotificationStore();
    store.add(normalize({ taskId: 't1', status: 'processing', progress: 20, title: 'Export' }));
    store.dismiss('task:t1');
    expect(store.add(normalize({ taskId: 't1', status: 'processing', progress: 40, title: 'Export' }))).toBeUndefined();
    expect(store.getSnapshot()).toEqual([]);
    expect(store.add(normalize({ taskId: 't1', status: 'completed', title: 'Export' }))).toBe('task:t1');
    expect(store.getSnapshot()).toHaveLength(1);
    store.dismiss('task:t1');
    // The same outcome replayed after a reconnect is not news.
    expect(store.add(normalize({ taskId: 't1', status: 'completed', title: 'Export' }))).toBeUndefined();
    expect(store.getSnapshot()).toEqual([]);
  });

  it('forgets the oldest ids beyond historySize but never repeats a live toast', () => {
    const store = createNotificationStore({ historySize: 3 });
    store.add({ id: 'old', title: 'Old' });
    store.dismiss('old');
    for (const id of ['a', 'b', 'c']) store.add({ id, title: id });
    // 'old' fell out of the history: a much later repeat shows again.
    expect(store.add({ id: 'old', title: 'Old again' })).toBe('old');
    // 'a' fell out of the history too, but its toast is still on screen.
    expect(store.add({ id: 'a', title: 'a again' })).toBeUndefined();
    expect(titles(store.getSnapshot())).toEqual(['a', 'b', 'c', 'Old again']);
  });

  it('dismisses one toast and clears all, telling subscribers only about real changes', () => {
    const store = createNotificationStore();
    const listener = vi.fn();
    store.add({ id: 'a', title: 'A' });
    store.add({ id: 'b', title: 'B' });
    store.subscribe(listener);
    listener.mockClear();
    store.dismiss('nope');
    expect(listener).not.toHaveBeenCalled();
    store.dismiss('a');
    expect(titles(listener.mock.lastCall![0])).toEqual(['B']);
    store.clear();
    expect(listener.mock.lastCall![0]).toEqual([]);
    store.clear();
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('replays the current toasts to a late subscriber and stops calling it after unsubscribe', () => {
    const store = createNotificationStore();
    store.add({ id: 'a', title: 'Before' });
    const listener = vi.fn();
    const off = store.subscribe(listener);
    expect(titles(listener.mock.calls[0][0])).toEqual(['Before']);
    store.add({ id: 'b', title: 'After' });
    expect(titles(listener.mock.lastCall![0])).toEqual(['Before', 'After']);
    off();
    store.add({ id: 'c', title: 'Unheard' });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(store.getSnapshot()).toHaveLength(3);
  });

  it('replaces the list on every change, so readers can compare by identity', () => {
    const store = createNotificationStore();
    const before = store.getSnapshot();
    store.add({ id: 'a', title: 'A' });
    const after = store.getSnapshot();
    expect(after).not.toBe(before);
    expect(before).toEqual([]);
    store.add({ id: 'a', title: 'A again' });
    expect(store.getSnapshot()).toBe(after);
  });
});

describe('empty input', () => {
  it('shows nothing for a toast with no title, body or task', () => {
    const store = createNotificationStore();
    expect(store.add({})).toBeUndefined();
    expect(store.add({ level: 'error' })).toBeUndefined();
    expect(store.add({ body: 'x' })).toBeDefined();
    expect(store.getSnapshot()).toHaveLength(1);
  });
});
