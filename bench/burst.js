// A burst of notifications against the built classic script in headless
// Chromium: how long the longest main-thread task gets, what each event costs
// the page, and how many toast elements end up in the DOM (SPEC §3: only
// `max-toasts`, the rest summarised as "+N more").
//
// Usage: node bench/burst.js   (needs `npm run build` for dist/sse-notify.iife.js)
// or:    import { benchBurst } from './burst.js'; await benchBurst({ distDir })
//
// Plain Node: a tiny node:http server serves the page, the script and an SSE
// stream; Debian's Chromium is driven by playwright-core (never a downloaded
// browser). Main-thread time comes from a Chromium trace (every `RunTask` on
// the page's renderer thread), so tasks under 50 ms are measured too.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './lib/chromium.js';


const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>burst</title></head>
<body><main><h1>Burst</h1><p>A host page.</p></main><script src="/sse-notify.iife.js"></script></body></html>`;

const LEVELS = ['info', 'success', 'warning', 'error'];
const frame = (n) =>
  `id: b-${n}\nevent: notification\ndata: ${JSON.stringify({ title: `Order ${n}`, body: `Order #${n} was paid`, level: LEVELS[n % 4] })}\n\n`;

/**
 * Serves `/` (a host page), `/sse-notify.iife.js` from `distDir` and `/events`
 * (an SSE stream kept open). `send(text)` writes to every open stream.
 */
export async function startBurstServer(distDir) {
  const script = await readFile(join(distDir, 'sse-notify.iife.js'));
  const streams = new Set();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': open\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
    } else if (path === '/sse-notify.iife.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get open() {
      return streams.size;
    },
    send(text) {
      for (const res of streams) res.write(text);
    },
    close() {
      for (const res of streams) res.destroy();
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The renderer main thread that did the most work: the page's. */
function mainThreadTasks(traceEvents) {
  const mains = new Set(
    traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map();
  for (const e of traceEvents) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !mains.has(`${e.pid}:${e.tid}`)) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  let best = [];
  let bestTotal = -1;
  for (const tasks of byThread.values()) {
    const total = tasks.reduce((sum, e) => sum + e.dur, 0);
    if (total > bestTotal) (best = tasks), (bestTotal = total);
  }
  return best;
}

/**
 * Runs the burst.
 * @param {{ distDir: string, events?: number, batches?: number, intervalMs?: number, maxToasts?: number, log?: (line: string) => void }} options
 *   `distDir` holds the built `sse-notify.iife.js`. By default 1000 events in
 *   20 batches 50 ms apart (one second), with `max-toasts="5"`.
 * @returns {Promise<{ longestTaskMs: number, renderCostPerEventMs: number, toastElements: number, longTasks: number, events: number, burstMs: number }>}
 *   `longestTaskMs`: the longest main-thread task from the first event until
 *   every event is on screen; `renderCostPerEventMs`: main-thread busy time
 *   over that span divided by the events; `toastElements`: toast elements in
 *   the DOM afterwards; `longTasks`: tasks over 50 ms.
 */
export async function benchBurst({ distDir, events = 1000, batches = 20, intervalMs = 50, maxToasts = 5, log = () => {} } = {}) {
  if (!distDir || !existsSync(join(distDir, 'sse-notify.iife.js'))) {
    throw new TypeError(`benchBurst() needs the built classic script: benchBurst({ distDir }) with sse-notify.iife.js in it (got ${distDir}); run \`npm run build\`.`);
  }
  const server = await startBurstServer(distDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.evaluate((max) => {
      const el = document.createElement('sse-notify');
      el.setAttribute('src', '/events');
      el.setAttribute('max-toasts', String(max));
      el.setAttribute('duration', '60000');
      document.body.append(el);
    }, maxToasts);
    await page.waitForFunction(() => document.querySelector('sse-notify')?.getAttribute('state') === 'open');
    // Warm up: one toast through the whole path, then gone.
    server.send(frame(-1));
    await page.waitForFunction(() => document.querySelector('sse-notify').shadowRoot.querySelector('[part="toast"]'));
    await page.evaluate(() => document.querySelector('sse-notify').clear());
    await page.waitForTimeout(300);

    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const started = performance.now();
    const perBatch = Math.ceil(events / batches);
    for (let n = 0; n < events; ) {
      let chunk = '';
      for (let i = 0; i < perBatch && n < events; i++, n++) chunk += frame(n);
      server.send(chunk);
      if (n < events) await new Promise((r) => setTimeout(r, intervalMs));
    }
    const expected = `+${events - (maxToasts - 1)} more`;
    await page.waitForFunction(
      (text) => document.querySelector('sse-notify').shadowRoot.querySelector('[data-id="sse-notify-more"] [part="body"]')?.textContent === text,
      expected,
      { timeout: 30_000, polling: 20 },
    );
    const burstMs = performance.now() - started;
    // One more frame so the last render's style and layout are in the trace.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    const tasks = mainThreadTasks(trace.traceEvents ?? trace);
    const toastElements = await page.evaluate(() => document.querySelector('sse-notify').shadowRoot.querySelectorAll('[part="toast"]').length);
    if (errors.length) throw new Error(`The page reported errors:\n${errors.join('\n')}`);
    const durations = tasks.map((e) => e.dur / 1000);
    const result = {
      longestTaskMs: Math.max(0, ...durations),
      renderCostPerEventMs: durations.reduce((a, b) => a + b, 0) / events,
      toastElements,
      longTasks: durations.filter((ms) => ms > 50).length,
      events,
      burstMs,
    };
    log(
      `burst: ${events} events in ${batches} batches over ${(burstMs / 1000).toFixed(2)} s   longest task ${result.longestTaskMs.toFixed(1)} ms   ` +
        `main thread ${result.renderCostPerEventMs.toFixed(3)} ms/event   ${toastElements} toast elements   ${result.longTasks} tasks over 50 ms`,
    );
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const distDir = fileURLToPath(new URL('../dist', import.meta.url));
  if (!existsSync(join(distDir, 'sse-notify.iife.js'))) {
    console.error('bench/burst.js: dist/sse-notify.iife.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  await benchBurst({ distDir, log: (line) => console.log(line) });
  // A worse case: the whole burst in one chunk.
  await benchBurst({ distDir, batches: 1, log: (line) => console.log(line) });
}
