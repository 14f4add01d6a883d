/**
 * The examples run as a site owner runs them. examples/node-http/server.js imports
 * 'sse-notify/server', which inside this repository resolves to dist/server.js by Node's package
 * self-reference (package.json `name` + `exports`). To leave the shared dist/ alone, the test
 * builds into a temporary copy of the package's layout (package.json beside dist/, the example at
 * the same relative path) and starts the example there as a child process.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../support/sse-reader';
import type { SseStream } from '../support/sse-reader';

const root = resolve(import.meta.dirname, '../..');
let tmp: string | undefined;
const children = new Set<ChildProcess>();
const streams = new Set<SseStream>();

/** Runs `vite build` with these arguments, quietly, as a production build. */
function vite(...args: string[]): void {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error', ...args], {
    cwd: root,
    // Vitest sets NODE_ENV=test, which would build Preact in development mode.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Resolves with the exit code once `child` exits; rejects after `timeoutMs`. */
function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the example did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

/** Starts `node <script>` with PORT set; resolves once it prints its URL. */
async function startExample(script: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd: tmp,
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => finish(() => fail(new Error(`the example did not start in 10 s:\n${output}`))), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`http://localhost:${port}`)) finish(done);
    };
    const onExit = (code: number | null) => finish(() => fail(new Error(`the example exited with ${code}:\n${output}`)));
    const finish = (then: () => void) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', onExit);
  });
  child.stdout!.resume();
  return { child, url: `http://127.0.0.1:${port}`, output: () => output };
}

async function open(url: string): Promise<SseStream> {
  const stream = await openSse(url);
  streams.add(stream);
  return stream;
}

beforeAll(() => {
  mkdirSync(join(root, 'test/.artifacts'), { recursive: true });
  // Inside the project, so that the bundle's external imports (jose, ioredis) resolve from node_modules.
  tmp = mkdtempSync(join(root, 'test/.artifacts/examples-'));
  copyFileSync(join(root, 'package.json'), join(tmp, 'package.json'));
  vite('--mode', 'server', '--outDir', join(tmp, 'dist'));
  vite('--mode', 'iife', '--outDir', join(tmp, 'dist'));
  mkdirSync(join(tmp, 'examples/node-http'), { recursive: true });
  copyFileSync(join(root, 'examples/node-http/server.js'), join(tmp, 'examples/node-http/server.js'));
}, 120_000);

afterAll(async () => {
  for (const stream of streams) stream.close();
  for (const child of children) {
    child.kill('SIGKILL');
    await exited(child, 5000).catch(() => undefined);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('examples', () => {
  it("resolves 'sse-notify/server' from the examples to this package's own dist/server.js", () => {
    const resolved = execFileSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('sse-notify/server'))"], {
      cwd: join(root, 'examples/node-http'),
      encoding: 'utf8',
    }).trim();
    expect(resolved).toBe(pathToFileURL(join(root, 'dist/server.js')).href);
  });

  it('serves the node:http example page and widget, streams what its form publishes, and exits cleanly on SIGTERM', { timeout: 30_000 }, async () => {
    const { child, url, output } = await startExample('examples/node-http/server.js');

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script src="/sse-notify.iife.js"></script>');
    expect(html).toContain('<sse-notify src="/api/events" channels="orders" subscribe-url="/api/events/subscribe"></sse-notify>');
    const script = await fetch(`${url}/sse-notify.iife.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe(readFileSync(join(tmp!, 'dist/sse-notify.iife.js'), 'utf8'));

    // As the widget does: open the stream, read the client id, join `orders` by the subscribe protocol.
    const subscriber = await open(`${url}/api/events`);
    const other = await open(`${url}/api/events`);
    expect(subscriber.status).toBe(200);
    expect(subscriber.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const [connected] = await subscriber.waitForEvents(1);
    const { clientId } = JSON.parse(connected!.data) as { clientId: string };
    // A fresh hub has stored nothing: the handshake names "0", the id to resume from.
    expect(connected!.id).toBe('0');
    const joined = await fetch(`${url}/api/events/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, channel: 'orders' }),
    });
    expect(joined.status).toBe(200);
    await other.waitForEvents(1);

    // The page's form, posted as the browser posts it.
    const post = (fields: Record<string, string>) => fetch(`${url}/notify`, { method: 'POST', body: new URLSearchParams(fields) });
    const toOrders = await post({ title: 'New order', body: 'Order #42 was paid', channel: 'orders' });
    expect(toOrders.status).toBe(200);
    const { id: orderId } = (await toOrders.json()) as { id: string };
    const toAll = (await (await post({ title: 'Hello', body: 'everyone', channel: '' })).json()) as { id: string };

    await subscriber.waitForEvents(3);
    await other.waitForEvents(2);
    const [, order, hello] = subscriber.events;
    expect(order).toMatchObject({ type: 'notification', id: orderId });
    expect(JSON.parse(order!.data)).toEqual({ id: expect.stringMatching(/^[\da-f-]{36}$/), title: 'New order', body: 'Order #42 was paid', level: 'info' });
    expect(hello).toMatchObject({ type: 'notification', id: toAll.id });
    expect(JSON.parse(hello!.data)).toMatchObject({ title: 'Hello', body: 'everyone' });
    // Not subscribed to `orders`: only the broadcast.
    expect(other.events.slice(1).map((event) => event.id)).toEqual([toAll.id]);

    child.kill('SIGTERM');
    expect(await exited(child, 5000), output()).toBe(0);
    await subscriber.waitForEnd();
    expect(subscriber.ended).toBe(true);
  });

  it('has an Express example that Node parses', () => {
    expect(() => execFileSync(process.execPath, ['--check', join(root, 'examples/express/server.js')], { stdio: 'pipe' })).not.toThrow();
  });
});
