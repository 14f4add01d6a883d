// Connections a server holds for N tabs of one site, with share="tabs" (one
// connection per browser, elected with Web Locks) and share="off" (one per
// tab). N = 1, 3, 10 pages in ONE Chromium context, the way tabs of one
// browser profile share Web Locks, BroadcastChannel and the connection pool.
//
// Chromium allows 6 HTTP/1.1 connections per host: with share="off" the
// seventh tab's SSE request (and even its page, from the same host) waits
// behind the six open streams, so the unshared count stops at 6 and tabs 7–10
// get nothing. That is the problem sharing solves.
//
// Usage: node bench/tabs.js   (needs `npm run build` for dist/sse-notify.iife.js)
// or:    import { benchTabs } from './tabs.js'; await benchTabs({ distDir })
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './lib/chromium.js';


const page = (share) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tab</title></head>
<body><script src="/sse-notify.iife.js"></script><sse-notify src="/events" share="${share}"></sse-notify></body></html>`;

/** A tiny SSE server: the built widget, one page per share mode, and streams it counts. */
async function startServer(distDir) {
  const script = await readFile(join(distDir, 'sse-notify.iife.js'));
  const streams = new Set();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write('retry: 1000\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    if (path === '/sse-notify.iife.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
      return;
    }
    const share = path === '/tabs.html' ? 'tabs' : path === '/off.html' ? 'off' : undefined;
    if (share) res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(share));
    else res.writeHead(204).end();
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(':\n\n');
  }, 5000);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get open() {
      return streams.size;
    },
    async close() {
      clearInterval(heartbeat);
      for (const res of streams) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `read()` has not changed for `quietMs` (at most `maxMs`); returns its value. */
async function settled(read, quietMs = 1000, maxMs = 8000) {
  const start = Date.now();
  let value = read();
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() - start < maxMs) {
    await sleep(100);
    const next = read();
    if (next !== value) {
      value = next;
      since = Date.now();
    }
  }
  return value;
}

/** Open server-side connections once `tabs` pages of `share` mode have settled in one context. */
async function measure(browser, server, tabs, share) {
  const context = await browser.newContext();
  try {
    const loads = [];
    for (let i = 0; i < tabs; i++) {
      const p = await context.newPage();
      // Past six streams a page from the same host may never load: do not wait for it forever.
      loads.push(p.goto(`${server.url}/${share}.html`, { timeout: 5000 }).catch(() => {}));
      await sleep(50);
    }
    await Promise.race([Promise.all(loads), sleep(5000)]);
    return await settled(() => server.open);
  } finally {
    await context.close();
    await settled(() => server.open, 300, 5000);
  }
}

/**
 * Returns one row per N: `{ tabs, shared, unshared }`, the SSE connections the
 * server holds for N tabs with share="tabs" and with share="off".
 */
export async function benchTabs({ distDir, counts = [1, 3, 10], log = () => {} }) {
  const server = await startServer(distDir);
  const browser = await launchChromium();
  const rows = [];
  try {
    for (const tabs of counts) {
      const shared = await measure(browser, server, tabs, 'tabs');
      const unshared = await measure(browser, server, tabs, 'off');
      const row = { tabs, shared, unshared };
      rows.push(row);
      log(`${String(tabs).padStart(3)} tabs   share="tabs" ${String(shared).padStart(3)} connections   share="off" ${String(unshared).padStart(3)} connections`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const distDir = fileURLToPath(new URL('../dist', import.meta.url));
  try {
    await readFile(join(distDir, 'sse-notify.iife.js'));
  } catch {
    console.error('bench/tabs.js: dist/sse-notify.iife.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  await benchTabs({ distDir, log: (line) => console.log(line) });
}
