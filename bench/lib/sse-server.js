// A minimal node:http server for the browser benchmarks: the built files of
// `staticDir`, host pages given as text, and one SSE endpoint (/events) that
// writes whatever the benchmark hands to send(). Deliberately not the hub: the
// browser figures measure the widget, not the server module.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { waitFor } from './stats.js';

const TYPES = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.css': 'text/css' };

/**
 * Starts the server on 127.0.0.1 and a free port.
 * @param {{ staticDir: string, pages?: Record<string, string> }} options `pages` maps a path
 *   (`/latency.html`) to the HTML served there.
 */
export async function startSseServer({ staticDir, pages = {} }) {
  /** @type {Set<import('node:http').ServerResponse>} */
  const clients = new Set();
  let connections = 0;
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.flushHeaders();
      req.socket.setNoDelay(true);
      res.write('retry: 1000\n\n');
      clients.add(res);
      connections++;
      res.on('close', () => clients.delete(res));
      return;
    }
    if (pages[path] !== undefined) {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-store' });
      return res.end(pages[path]);
    }
    const file = normalize(join(staticDir, path));
    if (!file.startsWith(normalize(staticDir) + sep)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Open SSE streams right now. */
    get open() {
      return clients.size;
    },
    /** SSE requests since start. */
    get connections() {
      return connections;
    },
    /** Writes `frame` (complete SSE text, ending in a blank line) to every open stream. */
    send(frame) {
      for (const res of clients) res.write(frame);
    },
    waitForOpen(n = 1, timeout = 10_000) {
      return waitFor(() => clients.size >= n, { timeout, what: `${n} open SSE stream(s)` });
    },
    close() {
      for (const res of clients) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** One SSE event as text: `event`, `id` and JSON `data`. */
export function frame({ event = 'notification', id, data }) {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * A host page that loads the classic script and places one widget. `attributes` are set on
 * <sse-notify>; values are attribute-escaped.
 */
export function hostPage(attributes = {}) {
  const escape = (value) => String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const attrs = Object.entries({ src: '/events', ...attributes })
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>sse-notify bench</title></head>
  <body>
    <main><h1>Host page</h1><p>A page with one widget.</p></main>
    <script src="/sse-notify.iife.js"></script>
    <sse-notify${attrs}></sse-notify>
  </body>
</html>`;
}
