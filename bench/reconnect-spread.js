// How equal jitter spreads a thundering herd (SPEC §6). 1000 clients lose their
// stream together when the server restarts at t = 0; each schedules its
// reconnects with backoffDelay(). The server stays down through the third
// attempt, so attempt n happens at the sum of the first n delays. For each of
// the first three attempts this reports when the clients arrive (min, p50,
// p95, max) and the worst load: the most clients inside any 100 ms window.
// The baseline is the same schedule without jitter (every client waits the
// full nominal delay), where all of them arrive in the same instant.
//
// Usage: node bench/reconnect-spread.js   (needs `npm run build` for dist/sse-notify.js)
// or:    import { benchReconnectSpread } from './reconnect-spread.js'; await benchReconnectSpread({ backoffDelay })
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { prng } from './lib/stats.js';


/** The value at quantile q of sorted numbers (nearest rank). */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The largest number of sorted times inside any window [t, t + windowMs). */
function peak(sorted, windowMs) {
  let best = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end] < sorted[start] + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

/** Reconnect times (ms after the restart) of every client for attempts 1..attempts. */
function simulate({ backoffDelay, clients, base, cap, attempts, random }) {
  const times = Array.from({ length: attempts }, () => []);
  for (let c = 0; c < clients; c++) {
    let t = 0;
    for (let n = 1; n <= attempts; n++) {
      t += backoffDelay(n, base, cap, random());
      times[n - 1].push(t);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b));
}

function summarise(sorted, windowMs) {
  return {
    min: sorted[0],
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[sorted.length - 1],
    peak: peak(sorted, windowMs),
  };
}

/**
 * Simulates `clients` clients reconnecting after a server restart at t = 0,
 * with equal jitter and without.
 *
 * @param {object} options
 * @param {(attempt: number, base: number, cap: number, random?: number, retryAfter?: number) => number} options.backoffDelay
 *   the policy under test (the built package's export).
 * @param {number} [options.clients] default 1000.
 * @param {number} [options.base] base delay in ms (`retry-delay`), default 1000.
 * @param {number} [options.cap] cap in ms (`max-retry-delay`), default 30000.
 * @param {number} [options.attempts] attempts to report, default 3.
 * @param {number} [options.windowMs] load window in ms, default 100.
 * @param {number} [options.seed] PRNG seed, default 1.
 * @param {(line: string) => void} [options.log] receives the report lines.
 * @returns {Promise<{ attempt: number, jitter: ReturnType<typeof summarise>, noJitter: ReturnType<typeof summarise> }[]>}
 */
export async function benchReconnectSpread({
  backoffDelay,
  clients = 1000,
  base = 1000,
  cap = 30_000,
  attempts = 3,
  windowMs = 100,
  seed = 1,
  log = () => {},
}) {
  if (typeof backoffDelay !== 'function') throw new TypeError('benchReconnectSpread({ backoffDelay }): pass the backoffDelay export of sse-notify.');
  const jittered = simulate({ backoffDelay, clients, base, cap, attempts, random: prng(seed) });
  // random = 1 gives the full nominal delay: what every client waits without jitter.
  const flat = simulate({ backoffDelay, clients, base, cap, attempts, random: () => 1 });
  const rows = jittered.map((sorted, i) => ({ attempt: i + 1, jitter: summarise(sorted, windowMs), noJitter: summarise(flat[i], windowMs) }));
  log(`reconnect spread: ${clients} clients after a server restart at t=0, base ${base} ms, cap ${cap} ms, peak = most clients in any ${windowMs} ms`);
  for (const { attempt, jitter: j, noJitter: n } of rows) {
    log(
      `attempt ${attempt}  equal jitter: min ${ms(j.min)} p50 ${ms(j.p50)} p95 ${ms(j.p95)} max ${ms(j.max)} peak ${String(j.peak).padStart(4)}` +
        `   no jitter: all at ${ms(n.min)} peak ${String(n.peak).padStart(4)}   (${(n.peak / j.peak).toFixed(1)}× lower peak)`,
    );
  }
  return rows;
}

const ms = (value) => `${String(Math.round(value)).padStart(5)} ms`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = new URL('../dist/sse-notify.js', import.meta.url);
  if (!existsSync(dist)) {
    console.error('bench/reconnect-spread.js: dist/sse-notify.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  const { backoffDelay } = await import(dist.href);
  const log = (line) => console.log(line);
  await benchReconnectSpread({ backoffDelay, log });
  // The reference hub sends `retry: 3000`, which replaces the base delay.
  await benchReconnectSpread({ backoffDelay, base: 3000, log });
}
