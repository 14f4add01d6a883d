// The demo's in-memory server model on its own (no MSW).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackend, DEMO_TOKEN, type Backend, type ClientSink, type LoggedEvent } from '../../demo/mocks/backend';

let backend: Backend;
afterEach(() => backend.reset());

function sink(): ClientSink & { got: LoggedEvent[]; dropped: number } {
  const s = { got: [] as LoggedEvent[], dropped: 0, deliver: (e: LoggedEvent) => void s.got.push(e), drop: () => void s.dropped++ };
  return s;
}

describe('demo backend', () => {
  it('numbers events 1, 2, … and keeps only the newest logLimit for replay', () => {
    backend = createBackend({ logLimit: 3 });
    for (let i = 0; i < 5; i++) backend.publish({ event: 'notification', data: { i } });
    expect(backend.lastId()).toBe('5');
    expect(backend.log().map((e) => e.id)).toEqual(['3', '4', '5']);
    expect(backend.since('0').map((e) => e.id)).toEqual(['3', '4', '5']);
    expect(backend.since('4').map((e) => e.data)).toEqual(['{"i":4}']);
    expect(backend.since('5')).toEqual([]);
    expect(backend.since('not-a-number')).toEqual([]);
  });

  it('keeps string data as-is and rejects event names that would break the stream', () => {
    backend = createBackend();
    backend.publish({ data: '{"title": broken' });
    expect(backend.log()[0]).toMatchObject({ event: 'message', data: '{"title": broken' });
    expect(() => backend.publish({ event: 'a\nb', data: 1 })).toThrow(TypeError);
  });

  it('routes by channel and user, live and in since()', () => {
    backend = createBackend();
    const a = sink();
    const b = sink();
    const ca = backend.connect({ channels: ['orders'], userId: 'ana', sink: a }).clientId;
    backend.connect({ sink: b });
    expect(backend.publish({ data: 'o', channel: 'orders' }).delivered).toBe(1);
    expect(backend.publish({ data: 'u', userId: 'ana' }).delivered).toBe(1);
    expect(backend.publish({ data: 'x', channel: 'orders', userId: 'bob' }).delivered).toBe(0);
    expect(backend.publish({ data: 'all' }).delivered).toBe(2);
    expect(a.got.map((e) => e.data)).toEqual(['o', 'u', 'all']);
    expect(b.got.map((e) => e.data)).toEqual(['all']);
    expect(backend.since('0', { userId: 'bob', channels: ['orders'] }).map((e) => e.data)).toEqual(['o', 'x', 'all']);
    expect(backend.unsubscribe(ca, 'orders')).toBe(true);
    expect(backend.subscribe('c-nobody', 'orders')).toBe(false);
    backend.publish({ data: 'o2', channel: 'orders' });
    expect(a.got.at(-1)?.data).toBe('all');
  });

  it('drops every stream on an outage and reports the time left by its clock', () => {
    let now = 10_000;
    backend = createBackend({ now: () => now });
    const s = sink();
    const changed = vi.fn();
    const off = backend.onChange(changed);
    backend.connect({ sink: s });
    backend.startOutage(3000);
    expect([s.dropped, backend.clients().length, backend.outageRemaining()]).toEqual([1, 0, 3000]);
    now += 2500;
    expect(backend.outageRemaining()).toBe(500);
    now += 500;
    expect(backend.outageRemaining()).toBe(0);
    expect(changed).toHaveBeenCalled();
    off();
  });

  it('accepts the demo token by Bearer header or query only while auth is on', () => {
    backend = createBackend();
    expect(backend.isAuthorized({})).toBe(true);
    backend.setFaults({ authRequired: true });
    expect(backend.isAuthorized({})).toBe(false);
    expect(backend.isAuthorized({ authorization: 'Bearer wrong' })).toBe(false);
    expect(backend.isAuthorized({ authorization: `Bearer ${DEMO_TOKEN}` })).toBe(true);
    expect(backend.isAuthorized({ token: DEMO_TOKEN })).toBe(true);
  });
});
