/**
 * Review findings on the hub: each test shows one bug that was fixed.
 */
import { describe, expect, it } from 'vitest';
import { createHub } from '../../src/server/hub';
import { payloads, startHub, laggingAdapter } from './helpers';

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('hub review', () => {
  it('refuses CORS for any origin with credentials, which would let every site read a signed-in stream', async () => {
    expect(() => createHub({ cors: { origins: '*', credentials: true } })).toThrow(TypeError);
    // An allow-list with credentials still works, and a star without them.
    const { events } = await startHub({ cors: { origins: '*' } });
    const response = await fetch(events, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('does not resend events up to the resume id whose live copies reach this instance after the replay', async () => {
    const lag = laggingAdapter();
    const { hub, connect } = await startHub({ adapter: lag.adapter });
    lag.hold();
    await hub.broadcast('one');
    const seen = await hub.broadcast('two'); // the client got these from another instance
    const stream = await connect('/events', { 'last-event-id': seen });
    await stream.waitForEvents(1);
    await settle(); // the replay (nothing missed) is done
    lag.release();
    await hub.broadcast('three');
    await stream.waitForEvents(2);
    await settle();
    expect(payloads(stream)).toEqual(['three']);
  });

  it('does not send a fresh client the events before its handshake id whose live copies arrive after the replay', async () => {
    const lag = laggingAdapter();
    const { hub, connect } = await startHub({ adapter: lag.adapter });
    lag.hold();
    const before = await hub.broadcast('before the connect');
    const stream = await connect();
    const [connected] = await stream.waitForEvents(1);
    expect(connected!.id).toBe(before);
    await settle();
    lag.release();
    await hub.broadcast('after the connect');
    await stream.waitForEvents(2);
    await settle();
    expect(payloads(stream)).toEqual(['after the connect']);
  });

  it('still delivers live events to a client resuming with an id from before a memory hub restarted', async () => {
    const { hub, connect } = await startHub();
    const stream = await connect('/events', { 'last-event-id': '500' });
    await stream.waitForEvents(1);
    await hub.broadcast('after the restart');
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual(['after the restart']);
  });
});


