// Time from an SSE event leaving the server to its toast painted, in Chromium.
//
// The server stamps each write with its clock; the page records when the
// element dispatched `sse-event` (the event has arrived and been parsed) and,
// from a MutationObserver on the shadow root, when the toast element was
// inserted; "painted" is the first task after the next animation frame (a
// rAF callback runs just before the frame is painted, a task posted from it
// runs just after). The page and Node clocks are aligned by the round trip
// with the smallest delay (NTP-style), so cross-process figures hold to
// about a tenth of a millisecond. Events go one at a time, each toast
// dismissed before the next, with a random pause so that sends do not lock
// to the frame clock.
//
// Usage: node bench/latency.js [distDir]   (after `npm run build`)
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { frame, hostPage, startSseServer } from './lib/sse-server.js';
import { openWidgetPage } from './lib/widget-page.js';
import { median, quantile, sleep, prng } from './lib/stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodeNow = () => performance.timeOrigin + performance.now();

/** Installed in the page: watches the widget and records, per toast id, when it arrived and was painted. */
function installProbe() {
  const now = () => performance.timeOrigin + performance.now();
  const el = document.querySelector('sse-notify');
  const arrived = new Map();
  const painted = new Map();
  const waiting = new Map();
  el.addEventListener('sse-event', (event) => {
    const id = event.detail.data?.id;
    if (typeof id === 'string') arrived.set(id, now());
  });
  const seen = (toast) => {
    const id = toast.getAttribute('data-id');
    if (!id || painted.has(id)) return;
    const inserted = now();
    painted.set(id, null);
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        const record = { id, arrived: arrived.get(id), inserted, painted: now() };
        arrived.delete(id);
        painted.set(id, record);
        waiting.get(id)?.(record);
        waiting.delete(id);
      };
      channel.port2.postMessage(0);
    });
  };
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches('[part="toast"][data-id]')) seen(node);
        for (const toast of node.querySelectorAll('[part="toast"][data-id]')) seen(toast);
      }
    }
  }).observe(el.shadowRoot, { childList: true, subtree: true });
  const frames = (n) => new Promise((resolve) => (n <= 0 ? resolve() : requestAnimationFrame(() => frames(n - 1).then(resolve))));
  window.__probe = {
    now,
    /** Resolves with the record of toast `id` once painted, then dismisses it and lets two frames pass. */
    async take(id, timeout) {
      const record =
        painted.get(id) ??
        (await new Promise((resolve, reject) => {
          waiting.set(id, resolve);
          setTimeout(() => reject(new Error(`toast ${id} not painted within ${timeout} ms`)), timeout);
        }));
      painted.delete(id);
      el.dismiss(id);
      await frames(2);
      return record;
    },
  };
}

/** Page clock minus Node clock, from the round trip with the least delay. */
async function clockOffset(page, samples = 40) {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < samples; i++) {
    const t0 = nodeNow();
    const pageTime = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t1 = nodeNow();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: pageTime - (t0 + t1) / 2 };
  }
  return best;
}


/**
 * @param {{ distDir?: string, events?: number, warmup?: number, browser?: import('playwright-core').Browser,
 *   log?: (line: string) => void }} [options] `browser`: reuse one; otherwise one is launched and closed.
 * @returns {Promise<{ events: number, clockUncertaintyMs: number,
 *   total: { medianMs: number, p95Ms: number }, arrivalToPaint: { medianMs: number, p95Ms: number },
 *   wireToArrival: { medianMs: number, p95Ms: number } }>}
 *   `total`: server write → painted; `arrivalToPaint`: `sse-event` → painted (in-page clock only);
 *   `wireToArrival`: server write → `sse-event` (loopback, network stack, parse).
 */
export async function benchLatency({ distDir = join(root, 'dist'), events = 200, warmup = 20, browser, log = () => {} } = {}) {
  const server = await startSseServer({ staticDir: distDir, pages: { '/latency.html': hostPage({ duration: 0 }) } });
  const { page, errors, close } = await openWidgetPage({ server, path: '/latency.html', browser });
  try {
    await page.evaluate(installProbe);
    const { rtt, offset } = await clockOffset(page);
    const rand = prng(42);
    const total = [];
    const arrivalToPaint = [];
    const wireToArrival = [];
    for (let i = 0; i < warmup + events; i++) {
      const id = `lat-${i}`;
      const sent = nodeNow();
      server.send(frame({ id, data: { id, title: 'Build finished', body: `Deploy ${i} is live`, level: 'success' } }));
      const record = await page.evaluate(([id, timeout]) => window.__probe.take(id, timeout), [id, 5000]);
      if (i >= warmup) {
        total.push(record.painted - (sent + offset));
        arrivalToPaint.push(record.painted - record.arrived);
        wireToArrival.push(record.arrived - (sent + offset));
      }
      await sleep(rand() * 16);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const summary = (values) => ({ medianMs: median(values), p95Ms: quantile(values, 0.95) });
    const result = {
      events,
      clockUncertaintyMs: rtt / 2,
      total: summary(total),
      arrivalToPaint: summary(arrivalToPaint),
      wireToArrival: summary(wireToArrival),
    };
    log(
      `latency over ${events} events: server write → painted median ${result.total.medianMs.toFixed(1)} ms, p95 ${result.total.p95Ms.toFixed(1)} ms; ` +
        `sse-event → painted median ${result.arrivalToPaint.medianMs.toFixed(1)} ms, p95 ${result.arrivalToPaint.p95Ms.toFixed(1)} ms ` +
        `(clock ±${result.clockUncertaintyMs.toFixed(2)} ms)`,
    );
    return result;
  } finally {
    await close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchLatency({ distDir: process.argv[2] ?? join(root, 'dist'), log: (line) => console.log(line) });
}
