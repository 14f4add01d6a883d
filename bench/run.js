// `npm run bench` (= `npm run build && node bench/run.js`): every benchmark in
// one run, one table on stdout (Markdown, so it pastes into the README), and
// the same as JSON in bench/results/latest.json plus a dated copy.
//
// Each section runs in its own try/catch: one that fails or is missing prints
// "not available" with the reason and the run goes on.
//
// Options:
//   --dist DIR      the built files to measure (default dist/)
//   --own-build     build into node_modules/.cache/sse-notify-bench first and measure that
//                   (when other processes may rebuild dist/ during the run)
//   --only a,b      run only these sections: sizes, parser, reconnect, latency, burst, heap, tabs, fanout
//   --no-save       print the table without writing bench/results/
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECTIONS = ['sizes', 'parser', 'reconnect', 'latency', 'burst', 'heap', 'tabs', 'fanout'];

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string' },
    'own-build': { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-save': { type: 'boolean', default: false },
  },
});
const only = new Set(args.only ? args.only.split(',').map((s) => s.trim()) : SECTIONS);
for (const name of only) if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section ${name}; known: ${SECTIONS.join(', ')}`);

/**
 * Builds the package into a folder laid out as it is published (package.json beside dist/), so
 * that bundlers read its `sideEffects` as they would in a site's node_modules. NODE_ENV is forced
 * to production: the Preact preset builds in development mode otherwise (under Vitest, say).
 */
function ownBuild() {
  const pkg = join(root, 'node_modules/.cache/sse-notify-bench');
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  const dist = join(pkg, 'dist');
  const env = { ...process.env, NODE_ENV: 'production' };
  for (const mode of [[], ['--mode', 'iife'], ['--mode', 'server']]) {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', ...mode, '--outDir', dist, '--logLevel', 'error'], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return dist;
}

const distDir = args['own-build'] ? ownBuild() : resolve(args.dist ?? join(root, 'dist'));
for (const file of ['sse-notify.js', 'sse-notify.iife.js', 'server.js']) {
  if (!existsSync(join(distDir, file))) console.warn(`bench: ${relative(root, join(distDir, file))} is missing; run \`npm run build\` first.`);
}

const log = (line) => console.error(`  ${line}`); // progress on stderr, the table alone on stdout
const started = Date.now();
const loadAtStart = os.loadavg();
const results = {};
const errors = {};

/** Runs one section; a missing module or a failure becomes a "not available" line. */
async function section(name, run) {
  if (!only.has(name)) return;
  console.error(`bench: ${name}…`);
  const t0 = performance.now();
  try {
    results[name] = await run();
  } catch (error) {
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && /bench[\\/][\w-]+\.js/.exec(error.message)?.[0];
    errors[name] = missing ? `${missing.replace(/\\/g, '/')} is missing` : String(error?.message ?? error).split('\n')[0];
    console.error(`  ${name}: not available (${errors[name]})`);
  }
  console.error(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const dist = () => import(pathToFileURL(join(distDir, 'sse-notify.js')).href);

await section('sizes', async () => (await import('./sizes.js')).benchSizes({ distDir, log }));
await section('parser', async () => {
  const { benchParser } = await import('./parser.js');
  return benchParser({ createParser: (await dist()).createParser, log });
});
await section('reconnect', async () => {
  const { benchReconnectSpread } = await import('./reconnect-spread.js');
  return benchReconnectSpread({ backoffDelay: (await dist()).backoffDelay, log });
});

let browser;
let browserVersion;
async function sharedBrowser() {
  const { chromiumUnavailable, launchChromium } = await import('./lib/chromium.js');
  const reason = chromiumUnavailable();
  if (reason) throw new Error(reason);
  browser ??= await launchChromium();
  browserVersion = browser.version();
  return browser;
}
try {
  await section('latency', async () => (await import('./latency.js')).benchLatency({ distDir, browser: await sharedBrowser(), log }));
  await section('burst', async () => (await import('./burst.js')).benchBurst({ distDir, log }));
  await section('heap', async () => (await import('./heap.js')).benchHeap({ distDir, browser: await sharedBrowser(), log }));
  await section('tabs', async () => (await import('./tabs.js')).benchTabs({ distDir, log }));
} finally {
  await browser?.close();
}
await section('fanout', async () => (await import('./fanout.js')).benchFanout({ distDir, log }));

// ---------------------------------------------------------------------------
// The table: one row per figure, columns Section | Measure | sse-notify | Peer | Peer value | Comparison.

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes) => `${(bytes / 1048576).toFixed(2)} MB`;
const ms = (value) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const int = (n) => Math.round(n).toLocaleString('en');
/** "N× smaller" / "N× larger" (ours against a peer; lower is better). */
const smaller = (ours, theirs) => (ours <= theirs ? `${(theirs / ours).toFixed(2)}× smaller` : `${(ours / theirs).toFixed(2)}× larger`);
/** "N× faster" / "N× slower" from a speed ratio (ours ÷ theirs; higher is better). */
const faster = (ratio) => (ratio >= 1 ? `${ratio.toFixed(2)}× faster` : `${(1 / ratio).toFixed(2)}× slower`);

const rows = [];
const row = (sectionName, measure, ours, peer = '', peerValue = '', comparison = '') => rows.push([sectionName, measure, ours, peer, peerValue, comparison]);
const unavailable = (sectionName, name) => row(sectionName, 'not available', errors[name] ?? 'not run');

const SIZE_LABELS = {
  iife: 'everything, classic script (element, toasts, SSE core, tab sharing)',
  define: 'ESM `define` (the element; no Preact)',
  connection: 'ESM `createConnection` alone',
  eventsource: 'ESM `FetchEventSource` alone',
  parser: 'ESM `createParser` alone',
};
if (only.has('sizes')) {
  if (!results.sizes) unavailable('size (gzip -9)', 'sizes');
  else {
    const ours = Object.fromEntries(results.sizes.filter((r) => r.key).map((r) => [r.key, r]));
    const sized = (r) => (r.error ? `not available (${r.error})` : `${kb(r.totalGzipBytes)}${r.cssGzipBytes ? ` (JS ${kb(r.gzipBytes)} + CSS ${kb(r.cssGzipBytes)})` : ''}`);
    for (const [key, label] of Object.entries(SIZE_LABELS)) {
      const mine = ours[key];
      if (!mine) continue;
      const peers = results.sizes.filter((r) => r.vs === key);
      if (peers.length === 0) row('size (gzip -9)', label, sized(mine));
      for (const peer of peers) {
        const comparable = !mine.error && !peer.error;
        row('size (gzip -9)', label, sized(mine), peer.name, sized(peer), comparable ? smaller(mine.totalGzipBytes, peer.totalGzipBytes) : '');
      }
    }
  }
}

if (only.has('parser')) {
  if (!results.parser) unavailable('parser', 'parser');
  else
    for (const r of results.parser) {
      row('parser throughput', r.stream === 'overall' ? 'all streams (total MB ÷ total time)' : `${r.stream} stream`, `${int(r.oursMBps)} MB/s`, 'eventsource-parser', `${int(r.theirsMBps)} MB/s`, faster(r.ratio));
    }
}

if (only.has('reconnect')) {
  if (!results.reconnect) unavailable('reconnect spread', 'reconnect');
  else
    for (const r of results.reconnect) {
      const j = r.jitter;
      const n = r.noJitter;
      row(
        'reconnect spread (1000 clients, server restart)',
        `attempt ${r.attempt}: arrivals p50 / p95 / max; most in any 100 ms`,
        `${int(j.p50)} / ${int(j.p95)} / ${int(j.max)} ms; ${j.peak}`,
        'no jitter',
        `all at ${int(n.max)} ms; ${n.peak}`,
        `${(n.peak / j.peak).toFixed(1)}× lower peak`,
      );
    }
}

if (only.has('latency')) {
  const r = results.latency;
  if (!r) unavailable('browser', 'latency');
  else {
    row('browser (Chromium)', `event sent → toast painted, median / p95 (${r.events} events, one at a time)`, `${ms(r.total.medianMs)} / ${ms(r.total.p95Ms)}`);
    row('browser (Chromium)', '`sse-event` dispatched → toast painted, median / p95', `${ms(r.arrivalToPaint.medianMs)} / ${ms(r.arrivalToPaint.p95Ms)}`);
  }
}
if (only.has('burst')) {
  const r = results.burst;
  if (!r) unavailable('browser (Chromium)', 'burst');
  else {
    const events = r.events ?? 1000;
    const long = r.longTasks === undefined ? '' : ` (${r.longTasks} over 50 ms)`;
    row('browser (Chromium)', `longest main-thread task during a ${events}-event burst`, `${ms(r.longestTaskMs)}${long}`);
    row('browser (Chromium)', 'main-thread cost per event in the burst', `${r.renderCostPerEventMs.toFixed(3)} ms`);
    row('browser (Chromium)', `toast elements in the DOM after the burst`, String(r.toastElements));
  }
}
if (only.has('heap')) {
  const r = results.heap;
  if (!r) unavailable('browser (Chromium)', 'heap');
  else {
    row(
      'browser (Chromium)',
      `JS heap: baseline → peak → after GC, ${r.toasts} toasts shown and dismissed`,
      `${mb(r.baselineBytes)} → ${mb(r.peakBytes)} → ${mb(r.afterBytes)} (${pct(r.growth)})`,
      '',
      '',
      r.backToBaseline ? 'back within 10 %' : 'not back within 10 %',
    );
    row('browser (Chromium)', `JS heap after ${r.toasts} more toasts (a leak would grow again)`, `${mb(r.afterSecondBytes)} (${pct(r.secondRoundGrowth)})`);
    row('browser (Chromium)', 'DOM nodes / JS listeners before → after', `${r.domNodes.before} → ${r.domNodes.after} / ${r.listeners.before} → ${r.listeners.after}`);
  }
}
if (only.has('tabs')) {
  const r = results.tabs;
  if (!r) unavailable('tabs', 'tabs');
  else
    for (const t of Array.isArray(r) ? r : r.rows ?? []) {
      const fmt = (v) => (typeof v === 'number' ? String(Math.round(v * 100) / 100) : JSON.stringify(v));
      const ratio = typeof t.shared === 'number' && typeof t.unshared === 'number' && t.shared > 0 ? (t.unshared === t.shared ? 'same' : `${(t.unshared / t.shared).toFixed(1)}× fewer`) : '';
      row('tabs', `${t.tabs} tab${t.tabs === 1 ? '' : 's'}: ${t.measure ?? 'open SSE connections'}`, `${fmt(t.shared)} (share="tabs")`, 'share="off"', fmt(t.unshared), ratio);
    }
}
if (only.has('fanout')) {
  if (!results.fanout) unavailable('fan-out', 'fanout');
  else {
    const memory = results.fanout.find((r) => r.adapter === 'memory');
    for (const r of results.fanout) {
      const label = r.adapter === 'memory' ? 'in-memory adapter' : 'Redis adapter';
      const title = `fan-out (hub, ${r.clients ?? 1000} clients, one instance)`;
      if (r.skipped) {
        row(title, label, `skipped: ${r.skipped}`);
        continue;
      }
      if (r.deliveriesPerSecond !== undefined) {
        const vs = r !== memory && memory?.deliveriesPerSecond ? ['in-memory', `${int(memory.deliveriesPerSecond)}/s`, faster(r.deliveriesPerSecond / memory.deliveriesPerSecond)] : [];
        row(title, `${label}: deliveries/s (${r.events} events to all, median of ${r.runs})`, `${int(r.deliveriesPerSecond)}/s (${int(r.eventsPerSecond)} events/s)`, ...vs);
      }
      if (r.heapPerConnectionBytes !== undefined) {
        row(title, `${label}: server memory per connection (heap / RSS)`, `${kb(r.heapPerConnectionBytes)} / ${kb(r.rssPerConnectionBytes)}`);
      }
      if (r.error) row(title, `${label}: not available`, r.error);
    }
  }
}

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGB: Math.round(os.totalmem() / 1073741824),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  ...(browserVersion && { chromium: browserVersion }),
  // 1, 5 and 15 minute load averages when the run started and ended: with 2 cores, above 2 means
  // other work competed for the CPU, which moves absolute times more than ratios.
  loadAverage: { start: loadAtStart.map((x) => Math.round(x * 100) / 100), end: os.loadavg().map((x) => Math.round(x * 100) / 100) },
};
const date = new Date();
const header = ['Section', 'Measure', 'sse-notify', 'Peer', 'Peer value', 'Comparison'];
const escape = (cell) => String(cell).replace(/\|/g, '\\|');
const markdown = [
  `sse-notify benchmarks, ${date.toISOString().slice(0, 10)}: ${machine.cpu} (${machine.cores} cores), Node ${machine.node}` +
    `${machine.chromium ? `, Chromium ${machine.chromium}` : ''}, load average ${machine.loadAverage.start[0]} at start, ${machine.loadAverage.end[0]} at end`,
  '',
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((cells) => `| ${cells.map(escape).join(' | ')} |`),
].join('\n');
console.log(markdown);

const report = {
  date: date.toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine,
  distDir: relative(root, distDir) || '.',
  table: { header, rows },
  results,
  errors,
};
if (!args['no-save']) {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, `${report.date.slice(0, 10)}.json`), json);
  writeFileSync(join(dir, 'latest.md'), `${markdown}\n`);
  console.error(`bench: wrote bench/results/latest.json, latest.md and ${report.date.slice(0, 10)}.json in ${report.durationSeconds} s`);
}
