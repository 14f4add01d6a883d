// Heap after 1000 toasts shown and dismissed, against the baseline, in Chromium.
//
// Baseline: the page with the widget connected and one batch of toasts shown
// and dismissed (so code compiled on first use is not counted as growth),
// after a forced garbage collection (CDP HeapProfiler.collectGarbage). Then
// 1000 toasts arrive in batches of `max-toasts` (5): each batch is painted,
// then dismissed with "Dismiss all" (`el.clear()`). Peak: the largest heap
// seen between batches, without forcing collection. After: once the last
// toast is gone, after forced collections. DOM counters (nodes, listeners)
// come from CDP Memory.getDOMCounters. Then the same again: growth in the
// second round is what a leak would show.
//
// Usage: node bench/heap.js [distDir]   (after `npm run build`)
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { frame, hostPage, startSseServer } from './lib/sse-server.js';
import { openWidgetPage } from './lib/widget-page.js';
import { sleep } from './lib/stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BATCH = 5;

async function collect(cdp) {
  // Two passes: the first can leave garbage that only finalizers released.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

/** Resolves in the page once `count` toasts whose id starts with `prefix` are in the shadow root and a frame passed. */
function waitForToasts([prefix, count, timeout]) {
  const root = document.querySelector('sse-notify').shadowRoot;
  const deadline = performance.now() + timeout;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (root.querySelectorAll(`[part="toast"][data-id^="${prefix}"]`).length >= count) return requestAnimationFrame(() => resolve());
      if (performance.now() > deadline) return reject(new Error(`${count} toasts ${prefix}* not shown within ${timeout} ms`));
      requestAnimationFrame(check);
    };
    check();
  });
}

function dismissAll() {
  document.querySelector('sse-notify').clear();
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/**
 * @param {{ distDir?: string, toasts?: number, browser?: import('playwright-core').Browser, log?: (line: string) => void }} [options]
 * @returns {Promise<{ toasts: number, baselineBytes: number, peakBytes: number, afterBytes: number, growth: number,
 *   backToBaseline: boolean, afterSecondBytes: number, secondRoundGrowth: number,
 *   domNodes: { before: number, after: number }, listeners: { before: number, after: number } }>}
 *   `growth` = after / baseline − 1; `backToBaseline` when it is at most 10 %; `secondRoundGrowth`: the
 *   same after `toasts` more, against `afterBytes` (≈ 0 when nothing leaks).
 */
export async function benchHeap({ distDir = join(root, 'dist'), toasts = 1000, browser, log = () => {} } = {}) {
  const server = await startSseServer({ staticDir: distDir, pages: { '/heap.html': hostPage({ duration: 0, 'max-toasts': BATCH }) } });
  const { context, page, errors, close } = await openWidgetPage({ server, path: '/heap.html', browser });
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');

    let sent = 0;
    const batch = async (prefix) => {
      let text = '';
      for (let i = 0; i < BATCH; i++, sent++) {
        const id = `${prefix}${sent}`;
        text += frame({ id, data: { id, title: `Order #${sent} was paid`, body: 'A customer paid for 3 items: 2 × coffee beans, 1 × grinder.', level: 'success' } });
      }
      server.send(text);
      await page.evaluate(waitForToasts, [prefix, BATCH, 5000]);
      await page.evaluate(dismissAll);
    };

    await batch('warm-');
    await sleep(300);
    const baselineBytes = await collect(cdp);
    const domBefore = await cdp.send('Memory.getDOMCounters');

    let peakBytes = baselineBytes;
    for (let shown = 0; shown < toasts; shown += BATCH) {
      await batch(`heap-${shown}-`);
      if ((shown / BATCH) % 10 === 0) peakBytes = Math.max(peakBytes, (await cdp.send('Runtime.getHeapUsage')).usedSize);
    }
    peakBytes = Math.max(peakBytes, (await cdp.send('Runtime.getHeapUsage')).usedSize);
    await sleep(300);
    const remaining = await page.evaluate(() => document.querySelector('sse-notify').shadowRoot.querySelectorAll('[part="toast"]').length);
    if (remaining) throw new Error(`${remaining} toast(s) still shown after dismissing all`);
    const afterBytes = await collect(cdp);
    const domAfter = await cdp.send('Memory.getDOMCounters');
    // A second round tells a bounded cost (optimised code, the store's last-1000 ids kept for
    // dedupe) from a leak, which would grow again by about as much.
    for (let shown = 0; shown < toasts; shown += BATCH) await batch(`again-${shown}-`);
    await sleep(300);
    const afterSecondBytes = await collect(cdp);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const growth = afterBytes / baselineBytes - 1;
    const result = {
      toasts,
      baselineBytes,
      peakBytes,
      afterBytes,
      growth,
      backToBaseline: growth <= 0.1,
      afterSecondBytes,
      secondRoundGrowth: afterSecondBytes / afterBytes - 1,
      domNodes: { before: domBefore.nodes, after: domAfter.nodes },
      listeners: { before: domBefore.jsEventListeners, after: domAfter.jsEventListeners },
    };
    const mb = (bytes) => `${(bytes / 1048576).toFixed(2)} MB`;
    const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
    log(
      `heap over ${toasts} toasts: baseline ${mb(baselineBytes)}, peak ${mb(peakBytes)}, after GC ${mb(afterBytes)} ` +
        `(${pct(growth)}, ${result.backToBaseline ? 'back within 10 %' : 'NOT back within 10 %'}); ` +
        `after ${toasts} more ${mb(afterSecondBytes)} (${pct(result.secondRoundGrowth)}); ` +
        `DOM nodes ${result.domNodes.before} → ${result.domNodes.after}, listeners ${result.listeners.before} → ${result.listeners.after}`,
    );
    return result;
  } finally {
    await close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchHeap({ distDir: process.argv[2] ?? join(root, 'dist'), log: (line) => console.log(line) });
}
