import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSse } from '../support/sse-reader';
import type { SseStream } from '../support/sse-reader';
import { start } from '../support/sse-test-server';
import type { TestServer, TestServerOptions } from '../support/sse-test-server';
import { onCleanup, payloads } from './helpers';

async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await start(options);
  onCleanup(() => server.close());
  return server;
}

async function open(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const stream = await openSse(url, { headers });
  onCleanup(() => stream.close());
  return stream;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sse test server', () => {
  it('answers the next connects with a fault status and Retry-After, then streams again', async () => {
    const server = await startServer();
    server.answer(503, { retryAfter: 2, times: 2 });
    const first = await fetch(server.eventsUrl);
    const second = await fetch(server.eventsUrl);
    expect([first.status, second.status]).toEqual([503, 503]);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.text()).toBe('503 Service Unavailable');
    await second.body?.cancel();
    const stream = await open(server.eventsUrl);
    await stream.waitForEvents(1);
    expect(stream.status).toBe(200);
    expect(server.connections).toBe(1);
    expect(server.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'stream']);
  });

  it('simulates 401, 204 and an HTML page with status 200', async () => {
    const server = await startServer();
    server.answer(401);
    server.answer(204);
    server.answer(200);
    const unauthorized = await fetch(server.eventsUrl);
    const noContent = await fetch(server.eventsUrl);
    const html = await fetch(server.eventsUrl);
    expect([unauthorized.status, noContent.status, html.status]).toEqual([401, 204, 200]);
    await unauthorized.body?.cancel();
    expect(await noContent.text()).toBe('');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('<!doctype html>');
    expect(server.connections).toBe(0);
  });

  it('drops every open stream abruptly', async () => {
    const server = await startServer();
    const a = await open(server.eventsUrl);
    const b = await open(server.eventsUrl);
    await a.waitForEvents(1);
    await b.waitForEvents(1);
    expect(server.open).toBe(2);
    expect(server.dropAll()).toBe(2);
    await a.waitForEnd();
    await b.waitForEnd();
    await server.waitForOpen(0);
    expect(server.hub.clients).toBe(0);
    expect(server.connections).toBe(2);
  });

  it('stalls streams after their headers, heartbeats included, until released', async () => {
    const server = await startServer({ hub: { heartbeatInterval: 20 } });
    const before = await open(server.eventsUrl);
    await before.waitForEvents(1);
    server.stall();
    const during = await open(server.eventsUrl);
    expect(during.status).toBe(200);
    expect(during.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await server.publish({ data: 'lost' });
    const heartbeatsBefore = before.comments.length;
    await sleep(150);
    expect(during.text).toBe('');
    expect(before.comments.length).toBe(heartbeatsBefore);
    expect(before.events).toHaveLength(1);
    server.stall(false);
    await server.publish({ data: 'after' });
    await before.waitForEvents(2);
    await during.until(() => during.events.some((e) => e.data === '"after"'), 3000, 'the event after the stall');
    expect(payloads(before)).toEqual(['after']);
    expect(during.events.map((e) => e.data)).toEqual(['"after"']);
  });

  it('overrides the retry field on new streams and pushes it to open ones', async () => {
    const server = await startServer({ hub: { retry: 3000 } });
    const old = await open(server.eventsUrl);
    await old.waitForEvents(1);
    server.setRetry(250);
    const fresh = await open(server.eventsUrl);
    await fresh.waitForEvents(1);
    await old.until(() => old.retries.length === 2, 3000, 'the pushed retry');
    expect(old.retries).toEqual([3000, 250]);
    expect(fresh.retries).toEqual([250]);
  });

  it('logs the url, Last-Event-ID and Authorization of each request', async () => {
    const server = await startServer();
    const stream = await open(`${server.eventsUrl}?channel=a`, { 'last-event-id': '41', authorization: 'Bearer t' });
    await stream.waitForEvents(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      url: '/events?channel=a',
      path: '/events',
      lastEventId: '41',
      authorization: 'Bearer t',
      outcome: 'stream',
    });
  });

  it('publishes and takes fault commands over HTTP for tests in other processes', async () => {
    const server = await startServer();
    const stream = await open(`${server.eventsUrl}?channel=orders`);
    await stream.waitForEvents(1);
    const published = await fetch(`${server.url}/publish`, {
      method: 'POST',
      body: JSON.stringify({ event: 'notification', data: { title: 'Paid' }, channel: 'orders' }),
    });
    expect(await published.json()).toEqual({ id: '1' });
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual([{ title: 'Paid' }]);
    const command = await fetch(`${server.url}/control`, {
      method: 'POST',
      body: JSON.stringify({ action: 'answer', status: 429, retryAfter: 1 }),
    });
    expect(await command.json()).toEqual({ ok: true });
    const limited = await fetch(server.eventsUrl);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    await limited.body?.cancel();
  });

  it('serves static files with their content types and nothing outside the directory', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'sse-static-'));
    onCleanup(() => rm(parent, { recursive: true, force: true }));
    const root = join(parent, 'public');
    await mkdir(join(root, 'pages'), { recursive: true });
    await writeFile(join(parent, 'secret.txt'), 'outside');
    await writeFile(join(root, 'pages', 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(root, 'widget.js'), 'export const x = 1;');
    await writeFile(join(root, 'style.css'), 'a{}');
    const server = await startServer({ staticDir: root });
    const page = await fetch(`${server.url}/pages/`);
    const script = await fetch(`${server.url}/widget.js`);
    const css = await fetch(`${server.url}/style.css`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<!doctype html><title>t</title>');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export const x = 1;');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    await css.body?.cancel();
    const missing = await fetch(`${server.url}/nope.js`);
    const escape = await fetch(`${server.url}/..%2Fsecret.txt`);
    expect([missing.status, escape.status]).toEqual([404, 404]);
    await missing.body?.cancel();
    await escape.body?.cancel();
  });
});
