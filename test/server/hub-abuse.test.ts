// Issue 10, part 6: the reference hub under abuse, on real sockets (127.0.0.1 only), with
// bounded loops. Each abuse gets a clear 4xx or a bounded disconnect, a well-behaved client
// streaming meanwhile keeps every event, and memory stays bounded. Figures are printed.
import { connect as connectSocket, type Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '../../src/server/hub';
import type { AuthResult, HubOptions } from '../../src/server/types';
import { eventually, listen } from '../support/listen';
import { openSse, type SseStream } from '../support/sse-reader';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const cleanups: Array<() => unknown> = [];
/** Raw sockets still open; each leaves the set when it closes, so the set never holds a dead one. */
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  while (cleanups.length > 0) await cleanups.pop()!();
});

const KB = 1024;
const MB = 1024 * KB;

/** Heap in use after a full collection, in bytes. */
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** A hub on /events of a fresh server; `streams` holds the response of every open SSE stream. */
async function startAbuseHub(options: HubOptions = {}) {
  const hub = createHub({ onError: () => {}, heartbeatInterval: 0, ...options });
  const streams = new Set<ServerResponse>();
  const listening = await listen((req, res) => {
    if (!req.url?.startsWith('/events')) return void res.writeHead(404).end();
    if (req.method === 'GET' && new URL(req.url, 'http://x').pathname === '/events') {
      streams.add(res);
      res.once('close', () => streams.delete(res));
    }
    hub.handler(req, res);
  });
  cleanups.push(async () => {
    await hub.close();
    await listening.close();
  });
  const port = Number(new URL(listening.url).port);
  const open = async (path = '/events', headers: Record<string, string> = {}) => {
    const stream = await openSse(listening.url + path, { headers });
    cleanups.push(() => stream.close());
    return stream;
  };
  return {
    hub,
    port,
    url: listening.url,
    streams,
    server: listening.server,
    open,
    /** Opens a stream and returns it with its client id (the connected message). */
    async client(path = '/events', headers: Record<string, string> = {}) {
      const stream = await open(path, headers);
      const [connected] = await stream.waitForEvents(1);
      return { stream, clientId: (JSON.parse(connected!.data) as { clientId: string }).clientId };
    },
    /** POSTs a raw body; returns the status and the JSON answer. */
    async post(path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
      const response = await fetch(listening.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
    },
  };
}

/** The events a stream got after its connected message, as their data. */
const received = (stream: SseStream) => stream.events.slice(1).map((event) => event.data);

/** Publishes a marker and waits until `stream` has it: the stream still flows. */
async function stillStreams(hub: ReturnType<typeof createHub>, stream: SseStream, marker: string): Promise<void> {
  const before = stream.events.length;
  await hub.broadcast(marker);
  await stream.waitForEvents(before + 1, 3000);
  expect(stream.events.at(-1)!.data).toBe(JSON.stringify(marker));
}

/** A raw HTTP/1.1 request on its own socket; resolves with the socket once it is connected. */
function rawRequest(port: number, head: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(port, '127.0.0.1', () => {
      socket.write(head);
      resolve(socket);
    });
    socket.once('error', reject);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/** Users and the channels their token allows. */
const TOKENS: Record<string, AuthResult> = {
  alice: { userId: 'alice', channels: ['public', 'orders', 'user-alice'] },
  mallory: { userId: 'mallory', channels: ['public', 'user-mallory'] },
};
const authenticate = (req: { headers: Record<string, string | string[] | undefined> }) => {
  const token = /^Bearer (\w+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
  return (token && TOKENS[token]) || null;
};
const as = (user: string) => ({ authorization: `Bearer ${user}` });

describe('the hub under abuse', () => {
  it('answers every malformed subscribe body with a 400 while other clients keep streaming', async () => {
    const { hub, post, client } = await startAbuseHub();
    const { stream: watcher } = await client();
    const { clientId } = await client();
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const bodies: (string | Uint8Array<ArrayBuffer>)[] = [
      '',
      ' ',
      'null',
      'true',
      '42',
      '"a string"',
      '[]',
      '{',
      '{"clientId":',
      '{clientId:"x",channel:"y"}',
      "{'clientId':'x','channel':'y'}",
      '{"clientId":"x","channel":"y"}garbage',
      JSON.stringify({ clientId }),
      JSON.stringify({ channel: 'orders' }),
      JSON.stringify({ clientId: '', channel: '' }),
      JSON.stringify({ clientId: 42, channel: 'orders' }),
      JSON.stringify({ clientId: [clientId], channel: 'orders' }),
      JSON.stringify({ clientId, channel: { name: 'orders' } }),
      JSON.stringify({ clientId, channel: ['orders'] }),
      JSON.stringify({ clientId, channel: null }),
      // Keys of the prototype: JSON.parse makes them own properties, never the prototype.
      `{"__proto__":{"clientId":"${clientId}","channel":"orders"}}`,
      `{"constructor":{"prototype":{"clientId":"${clientId}","channel":"orders"}}}`,
      deep(5000),
      `{"clientId":"${clientId}","channel":${deep(3000)}}`,
      Uint8Array.of(0xff, 0xfe, 0x00, 0x7b),
      '\ud800',
    ];
    const statuses: number[] = [];
    for (const body of bodies) {
      const { status, body: answer } = await post('/events/subscribe', body);
      statuses.push(status);
      // A clear answer: a JSON error message.
      expect(typeof answer?.error, String(body).slice(0, 40)).toBe('string');
    }
    expect(statuses).toEqual(bodies.map(() => 400));
    expect(({} as Record<string, unknown>).clientId).toBeUndefined();
    // Nothing was joined by any of them.
    await hub.sendToChannel('orders', 'should not arrive');
    await stillStreams(hub, watcher, 'watcher still streams');
    expect(received(watcher)).toEqual([JSON.stringify('watcher still streams')]);
    console.log(`hub abuse: ${bodies.length} malformed subscribe bodies → ${[...new Set(statuses)].join(', ')}`);
  });

  it('answers an oversized body with 413 without buffering it, and closes that connection', async () => {
    const { hub, port, client } = await startAbuseHub();
    const { stream: watcher, clientId } = await client();
    const start = await heap();

    // Declared too large: answered from the headers, before any byte of the body.
    const declared = await rawRequest(port, `POST /events/subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * MB}\r\n\r\n`);
    const declaredAnswer = await new Promise<string>((resolve) => declared.once('data', (data) => resolve(String(data))));
    expect(declaredAnswer).toMatch(/^HTTP\/1\.1 413 /);
    expect(declaredAnswer).toMatch(/connection: close/i);

    // Chunked, no length: cut at the limit, then the socket is closed while the client still sends.
    const chunked = await rawRequest(port, 'POST /events/subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    let answer = '';
    chunked.on('data', (data) => (answer += String(data)));
    const closed = new Promise<void>((resolve) => chunked.once('close', () => resolve()));
    chunked.on('error', () => {}); // EPIPE / ECONNRESET once the server hangs up
    const piece = `{"clientId":"${clientId}","channel":"${'x'.repeat(60 * KB)}`;
    let sent = 0;
    while (!chunked.destroyed && !answer && sent < 64 * MB) {
      const frame = `${piece.length.toString(16)}\r\n${piece}\r\n`;
      if (!chunked.write(frame)) await new Promise((resolve) => chunked.once('drain', resolve).once('close', resolve));
      sent += piece.length;
    }
    await eventually(() => answer.length > 0, 5000, 'the 413');
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    chunked.end();
    await closed;
    const grown = (await heap()) - start;
    expect(grown).toBeLessThan(4 * MB);
    await stillStreams(hub, watcher, 'after the oversized bodies');
    console.log(`hub abuse: oversized bodies → 413; client had sent ${(sent / MB).toFixed(1)} MB when answered; heap grew ${(grown / KB).toFixed(0)} KB`);
  });

  it("refuses another user's client id and a channel the token does not allow, with 401, 403 and 404", async () => {
    const { hub, url, post, client, open } = await startAbuseHub({ authenticate });
    const { stream: alice, clientId } = await client('/events?channel=user-alice', as('alice'));
    const json = (body: object) => JSON.stringify(body);
    const outcomes = {
      // Mallory holds Alice's client id (it leaked through a log, say).
      hijackSubscribe: await post('/events/subscribe', json({ clientId, channel: 'user-mallory' }), as('mallory')),
      hijackUnsubscribe: await post('/events/unsubscribe', json({ clientId, channel: 'user-alice' }), as('mallory')),
      anonymous: await post('/events/subscribe', json({ clientId, channel: 'public' })),
      wrongToken: await post('/events/subscribe', json({ clientId, channel: 'public' }), as('eve')),
      guessedId: await post('/events/subscribe', json({ clientId: crypto.randomUUID(), channel: 'public' }), as('mallory')),
      // Alice's own token does not allow Mallory's channel.
      notAllowed: await post('/events/subscribe', json({ clientId, channel: 'user-mallory' }), as('alice')),
    };
    expect(Object.fromEntries(Object.entries(outcomes).map(([name, { status }]) => [name, status]))).toEqual({
      hijackSubscribe: 403,
      hijackUnsubscribe: 403,
      anonymous: 401,
      wrongToken: 401,
      guessedId: 404,
      notAllowed: 403,
    });
    expect(outcomes.hijackSubscribe.body).toEqual({ error: 'client belongs to another user' });
    expect(outcomes.notAllowed.body).toEqual({ error: 'channel not allowed', channel: 'user-mallory' });

    // By the query: any channel outside the token's list refuses the whole stream.
    const refused: number[] = [];
    for (const query of ['channel=user-alice', 'channel=public&channel=user-alice', 'channel=__proto__', 'channel=constructor']) {
      const response = await fetch(`${url}/events?${query}`, { headers: as('mallory') });
      refused.push(response.status);
      await response.body?.cancel();
    }
    expect(refused).toEqual([403, 403, 403, 403]);

    // Alice kept her channel and got nothing of Mallory's; a legitimate stream of Mallory's works.
    const mallory = await open('/events?channel=user-mallory', as('mallory'));
    await mallory.waitForEvents(1);
    await hub.sendToChannel('user-mallory', 'for mallory');
    await hub.sendToChannel('user-alice', 'for alice');
    await alice.waitForEvents(2);
    await mallory.waitForEvents(2);
    expect(received(alice)).toEqual([JSON.stringify('for alice')]);
    expect(received(mallory)).toEqual([JSON.stringify('for mallory')]);
  });

  it('caps the channels one client can join and their length, so one client cannot grow the hub without bound', { timeout: 60_000 }, async () => {
    const { hub, post, client } = await startAbuseHub();
    const { stream: watcher } = await client();
    const { clientId } = await client();
    const start = await heap();
    const statuses = new Map<number, number>();
    const subscribe = async (channel: string) => {
      const { status, body } = await post('/events/subscribe', JSON.stringify({ clientId, channel }));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      return { status, body };
    };
    // A name as long as the body limit allows: without a cap, 1200 of them held 18 MB for one client.
    expect(await subscribe('x'.repeat(15 * KB))).toEqual({ status: 400, body: { error: 'channel name too long', max: 1024 } });
    let joined = 0;
    for (let i = 0; i < 1100; i++) {
      const { status, body } = await subscribe(`${i}-`.padEnd(1024, 'c'));
      if (status === 200) joined++;
      else expect(body).toEqual({ error: 'too many channels', max: 1000 });
    }
    // Joining one it already has is fine; leaving makes room again.
    expect((await subscribe('0-'.padEnd(1024, 'c'))).status).toBe(200);
    expect((await post('/events/unsubscribe', JSON.stringify({ clientId, channel: '1-'.padEnd(1024, 'c') }))).status).toBe(200);
    expect((await subscribe('new')).status).toBe(200);
    const grown = (await heap()) - start;
    console.log(`hub abuse: 1100 subscribes of 1 KB names and one of 15 KB → ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}; heap grew ${(grown / MB).toFixed(1)} MB`);
    expect(joined).toBe(1000);
    expect(grown).toBeLessThan(4 * MB);
    await stillStreams(hub, watcher, 'after the channel flood');
  });

  it('holds 2000 idle connections with bounded memory per connection, reaches every one, and forgets them when they go', { timeout: 60_000 }, async () => {
    const COUNT = 2000;
    const { hub, port, client } = await startAbuseHub();
    const { stream: watcher } = await client();
    const round = async (marker: string) => {
      const before = await heap();
      const rssBefore = process.memoryUsage().rss;
      const idle: Socket[] = [];
      const got = new Map<Socket, string>();
      const t0 = performance.now();
      for (let i = 0; i < COUNT; i += 200) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(200, COUNT - i) }, () => rawRequest(port, 'GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')),
        );
        for (const socket of batch) {
          socket.setEncoding('utf8');
          got.set(socket, '');
          // Keep only the last bytes: enough to spot the marker, not a growing log.
          socket.on('data', (data: string) => got.set(socket, (got.get(socket)! + data).slice(-200)));
          idle.push(socket);
        }
        await eventually(() => hub.clients === i + batch.length + 1, 10_000, `${i + batch.length} idle clients`);
      }
      const openMs = performance.now() - t0;
      const heapPerConnection = ((await heap()) - before) / COUNT;
      const rssPerConnection = (process.memoryUsage().rss - rssBefore) / COUNT;
      // A broadcast reaches every idle connection, and the well-behaved one.
      const watched = watcher.events.length;
      await hub.broadcast(marker);
      await eventually(() => [...got.values()].every((text) => text.includes(`"${marker}"`)), 10_000, 'the broadcast on every socket');
      await watcher.waitForEvents(watched + 1);
      // They leave: the hub forgets them all.
      for (const socket of idle) socket.destroy();
      await eventually(() => hub.clients === 1, 10_000, 'the idle clients to be released');
      return { openMs, heapPerConnection, rssPerConnection };
    };
    // The first round also grows pools and caches that stay; the next three show what each
    // connection costs and what it leaves behind (averaged: one round's heap is noisy).
    await round('round 0');
    const settled = await heap();
    const { openMs, heapPerConnection, rssPerConnection } = await round('round 1');
    await round('round 2');
    await round('round 3');
    const leftPerConnection = ((await heap()) - settled) / (3 * COUNT);
    console.log(
      `hub abuse: ${COUNT} idle connections opened in ${openMs.toFixed(0)} ms; heap ${(heapPerConnection / KB).toFixed(1)} KB and RSS ${(rssPerConnection / KB).toFixed(1)} KB ` +
        `per connection (both ends, one process); ${leftPerConnection.toFixed(0)} bytes of heap left per connection once closed`,
    );
    expect(heapPerConnection).toBeLessThan(64 * KB);
    // A leaked socket or client record would be kilobytes each.
    expect(leftPerConnection).toBeLessThan(1024);
  });

  it('disconnects a client that never reads once its backlog passes maxBufferedBytes; readers keep every event', async () => {
    const LIMIT = 256 * KB;
    const { hub, port, client, streams } = await startAbuseHub({ maxBufferedBytes: LIMIT });
    const { stream: reader } = await client();
    // Sends its request, then never reads a byte.
    const slow = await rawRequest(port, 'GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    slow.pause();
    await eventually(() => hub.clients === 2, 3000, 'the slow client');
    const event = 'e'.repeat(16 * KB);
    let published = 0;
    let backlog = 0;
    const start = performance.now();
    while (hub.clients === 2 && published < 5000) {
      await hub.broadcast(event);
      published++;
      for (const res of streams) backlog = Math.max(backlog, res.writableLength);
      // Let the reader's socket drain: a reader keeps up, the slow one does not.
      if (published % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const ms = performance.now() - start;
    await eventually(() => hub.clients === 1, 3000, 'the slow client to be dropped');
    await stillStreams(hub, reader, 'reader still streams');
    await eventually(() => reader.events.length === published + 2, 10_000, 'every event at the reader');
    expect(published).toBeLessThan(5000);
    expect(backlog).toBeLessThanOrEqual(LIMIT + 17 * KB);
    console.log(
      `hub abuse: a client that never reads was dropped after ${published} events of 16 KB (${((published * 16 * KB) / MB).toFixed(1)} MB, ${ms.toFixed(0)} ms); ` +
        `largest backlog ${(backlog / KB).toFixed(0)} KB (limit ${LIMIT / KB} KB); the reader got all ${published} events`,
    );
  });

  it('delivers one event larger than maxBufferedBytes to a client that reads', async () => {
    const { hub, client } = await startAbuseHub({ maxBufferedBytes: 64 * KB });
    const { stream } = await client();
    const big = 'b'.repeat(256 * KB);
    await hub.broadcast(big);
    await stream.waitForEvents(2, 5000);
    await hub.broadcast('after');
    await stream.waitForEvents(3, 5000);
    expect(received(stream)).toEqual([JSON.stringify(big), JSON.stringify('after')]);
    expect(stream.ended).toBe(false);
  });

  it('replays a history larger than maxBufferedBytes in full to a client that resumes', async () => {
    const { hub, open } = await startAbuseHub({ maxBufferedBytes: 256 * KB, historySize: 1000 });
    // 4 MB missed while the client was away: far beyond what a socket takes in one go.
    for (let i = 1; i <= 500; i++) await hub.broadcast(`${i}:${'r'.repeat(8 * KB)}`);
    const stream = await open('/events', { 'last-event-id': '0' });
    await stream.until(() => stream.events.length === 501 || stream.ended, 10_000, 'the whole replay');
    expect(stream.ended).toBe(false);
    expect(received(stream).map((data) => (JSON.parse(data) as string).split(':')[0])).toEqual(Array.from({ length: 500 }, (_, i) => String(i + 1)));
    // Live again after the replay.
    await stillStreams(hub, stream, 'live after the replay');
  });

  it('keeps serving other clients while a request body stalls halfway', async () => {
    const { hub, client, port, post } = await startAbuseHub();
    const { stream: watcher, clientId } = await client();
    const stalled = await rawRequest(port, 'POST /events/subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"clientId":');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post('/events/subscribe', JSON.stringify({ clientId, channel: 'orders' }))).status).toBe(200);
    await stillStreams(hub, watcher, 'while one body stalls');
    stalled.destroy();
  });
});
