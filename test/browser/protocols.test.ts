/**
 * The server protocols of SPEC §5 driven by the real widget (built IIFE) in
 * Chromium against the reference hub: query channels under any parameter
 * name, the subscribe protocol with live channel changes, the token on each
 * transport, and cross-origin requests with and without credentials.
 */
import { afterAll, afterEach, beforeAll, expect, inject, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage, type TestPage } from '../support/chromium';
import { start, type TestServer } from '../support/sse-test-server';
import type { HubOptions } from '../../src/server/types';

let browser: Browser;
const servers: TestServer[] = [];
const pages: TestPage[] = [];
const NETWORK_NOISE = [/Failed to load resource/, /net::ERR_/, /CORS policy/];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  while (pages.length) await pages.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

async function serve(hub: HubOptions = {}) {
  const server = await start({ staticDir: [inject('distDir'), 'test/fixtures'], hub: { retry: 100, ...hub } });
  servers.push(server);
  return server;
}

async function open(server: TestServer, attributes: Record<string, string>) {
  const t = await newPage(browser, { ignore: NETWORK_NOISE });
  pages.push(t);
  const query = new URLSearchParams({ 'retry-delay': '100', 'max-retry-delay': '400', 'max-toasts': '50', duration: '0', share: 'off', ...attributes });
  await t.page.goto(`${server.url}/connection-reconnect.html?${query}`);
  return t;
}

const titles = (t: TestPage) => t.page.evaluate(() => (window as unknown as { __titles(): string[] }).__titles());
const stateOf = (t: TestPage) => t.page.evaluate(() => document.querySelector('sse-notify')?.getAttribute('state'));
const until = (check: () => Promise<unknown> | unknown, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 25 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const streamRequests = (server: TestServer) => server.requests.filter((r) => r.method === 'GET' && r.outcome === 'stream');

it('sends channels as a repeated query parameter named by channel-param, as a Mercure hub expects', async () => {
  const server = await serve({ channelParam: 'topic' });
  const t = await open(server, { src: `/events`, channels: 'orders alerts', 'channel-param': 'topic' });
  await server.waitForOpen(1);
  expect(new URL(streamRequests(server)[0].url, server.url).searchParams.getAll('topic')).toEqual(['orders', 'alerts']);
  await server.publish({ data: { title: 'For orders' }, channel: 'orders' });
  await server.publish({ data: { title: 'For news' }, channel: 'news' });
  await server.publish({ data: { title: 'For alerts' }, channel: 'alerts' });
  await until(async () => expect(await titles(t)).toEqual(['For orders', 'For alerts']));
  t.assertNoErrors();
});

it('joins channels by the subscribe protocol and follows channel changes with POSTs on the same stream', async () => {
  const server = await serve();
  const t = await open(server, { src: '/events', channels: 'a', 'subscribe-url': '/events/subscribe' });
  await until(() => expect(server.requests.filter((r) => r.path === '/events/subscribe')).toHaveLength(1));
  expect(new URL(streamRequests(server)[0].url, server.url).searchParams.getAll('channel')).toEqual([]);
  await server.publish({ data: { title: 'A1' }, channel: 'a' });
  await server.publish({ data: { title: 'B1' }, channel: 'b' });
  await until(async () => expect(await titles(t)).toEqual(['A1']));

  await t.page.evaluate(() => document.querySelector('sse-notify')!.setAttribute('channels', 'b'));
  await until(() => expect(server.requests.filter((r) => r.path === '/events/unsubscribe')).toHaveLength(1));
  await until(() => expect(server.requests.filter((r) => r.path === '/events/subscribe')).toHaveLength(2));
  await server.publish({ data: { title: 'A2' }, channel: 'a' });
  await server.publish({ data: { title: 'B2' }, channel: 'b' });
  await until(async () => expect(await titles(t)).toEqual(['A1', 'B2']));
  expect(server.connections).toBe(1);
  t.assertNoErrors();
});

it('subscribes again after a reconnect, with the new client id', async () => {
  const server = await serve();
  const t = await open(server, { src: '/events', channels: 'a', 'subscribe-url': '/events/subscribe' });
  await until(() => expect(server.requests.filter((r) => r.path === '/events/subscribe')).toHaveLength(1));
  server.dropAll();
  await until(() => expect(server.requests.filter((r) => r.path === '/events/subscribe')).toHaveLength(2));
  await until(async () => expect(await stateOf(t)).toBe('open'));
  await server.publish({ data: { title: 'After the drop' }, channel: 'a' });
  await until(async () => expect(await titles(t)).toEqual(['After the drop']));
  t.assertNoErrors();
});

it('sends the token as a Bearer header with fetch and as a query parameter with eventsource', async () => {
  const server = await serve({ authenticate: (req) => (/(^|[?&])token=s3cret\b/.test(req.url ?? '') || req.headers.authorization === 'Bearer s3cret' ? { userId: 'ana' } : null) });
  const a = await open(server, { src: '/events', token: 's3cret' });
  await until(() => expect(server.open).toBe(1));
  const b = await open(server, { src: '/events', token: 's3cret', transport: 'eventsource', 'token-param': 'token' });
  await until(() => expect(server.open).toBe(2));
  const [fetchRequest, esRequest] = streamRequests(server);
  expect(fetchRequest.authorization).toBe('Bearer s3cret');
  expect(fetchRequest.url).not.toContain('s3cret');
  expect(esRequest.authorization).toBeUndefined();
  expect(new URL(esRequest.url, server.url).searchParams.get('token')).toBe('s3cret');
  await server.hub.sendToUser('ana', { title: 'For Ana' });
  await until(async () => expect(await titles(a)).toEqual(['For Ana']));
  await until(async () => expect(await titles(b)).toEqual(['For Ana']));
  a.assertNoErrors();
  b.assertNoErrors();
});

it('connects cross-origin without a preflight, and with with-credentials only where the server allows credentials', async () => {
  const page = await serve();
  const origin = page.url;
  const withCredentials = await serve({ cors: { origins: [origin], credentials: true } });
  const withoutCredentials = await serve({ cors: { origins: [origin] } });
  // localhost, not 127.0.0.1: another origin than the page's.
  const cross = (server: TestServer) => server.eventsUrl.replace('127.0.0.1', 'localhost');

  const plain = await open(page, { src: cross(withoutCredentials) });
  await until(async () => expect(await stateOf(plain)).toBe('open'));
  expect(withoutCredentials.requests.some((r) => r.method === 'OPTIONS')).toBe(false);

  const allowed = await open(page, { src: cross(withCredentials), 'with-credentials': '' });
  await until(async () => expect(await stateOf(allowed)).toBe('open'));

  const refused = await open(page, { src: cross(withoutCredentials), 'with-credentials': '', 'max-retries': '1' });
  await until(async () => expect(await stateOf(refused)).toBe('failed'));
  await sleep(50);
  plain.assertNoErrors();
  allowed.assertNoErrors();
  refused.assertNoErrors();
});
