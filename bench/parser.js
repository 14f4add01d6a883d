// Throughput of our createParser against eventsource-parser@3 on five
// deterministic streams of at least 4 MB, fed in seeded random chunks of
// 4–32 KB (what a network read typically hands a TextDecoder). Both parsers
// get the same chunks and the same callbacks; runs alternate between them and
// the medians are compared. MB/s counts UTF-8 bytes (1 MB = 2^20 bytes).
//
// Usage: node bench/parser.js [stream…]   (needs `npm run build` for dist/sse-notify.js)
// or:    import { benchParser } from './parser.js'; await benchParser({ createParser })
import { pathToFileURL } from 'node:url';
import { createParser as createTheirParser } from 'eventsource-parser';
import { prng } from './lib/stats.js';

const MIN_STREAM_CHARS = 4 * 1024 * 1024;


const WORDS = 'deploy finished build failed invoice paid new comment mention you review requested backup done alert cpu high disk low welcome back'.split(' ');

function sentence(rand, words) {
  let s = WORDS[(rand() * WORDS.length) | 0];
  for (let i = 1; i < words; i++) s += ' ' + WORDS[(rand() * WORDS.length) | 0];
  return s;
}

function notification(rand, n) {
  return JSON.stringify({
    id: `n-${n}`,
    title: sentence(rand, 3),
    body: sentence(rand, 4 + ((rand() * 12) | 0)),
    level: ['info', 'success', 'warning', 'error'][(rand() * 4) | 0],
    ts: 1_700_000_000_000 + n * 1000,
  });
}

function repeatUntilFull(build) {
  const parts = [];
  let size = 0;
  for (let n = 0; size < MIN_STREAM_CHARS; n++) {
    const part = build(n);
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

/** The streams, each at least 4 MB of text. */
export function makeStreams() {
  const r1 = prng(1);
  const notifications = repeatUntilFull((n) => `id: n-${n}\nevent: notification\ndata: ${notification(r1, n)}\n\n`);

  const r2 = prng(2);
  const large = repeatUntilFull((n) => {
    // ~64 KB of data per event, in lines of 200–4000 characters.
    let event = `id: big-${n}\nevent: report\n`;
    let size = 0;
    while (size < 64 * 1024) {
      const lineLength = 200 + ((r2() * 3800) | 0);
      const text = sentence(r2, 1 + (lineLength >> 3)).slice(0, lineLength);
      event += `data: ${text}\n`;
      size += text.length + 1;
    }
    return event + '\n';
  });

  const r3 = prng(3);
  const comments = repeatUntilFull((n) => {
    let beats = '';
    for (let i = 0, k = 1 + ((r3() * 8) | 0); i < k; i++) beats += ': heartbeat\n';
    return `${beats}id: n-${n}\ndata: ${notification(r3, n)}\n\n`;
  });

  const crlf = notifications.replace(/\n/g, '\r\n');

  // One event in eight carries non-ASCII text, enough to put almost every
  // chunk on our slower (non-ASCII) path.
  const r4 = prng(4);
  const unicode = repeatUntilFull((n) => {
    const payload = notification(r4, n);
    const text = n % 8 === 0 ? payload.replace('"title":"', '"title":"Réunion ✓ 🎉 ') : payload;
    return `id: n-${n}\nevent: notification\ndata: ${text}\n\n`;
  });

  return [
    { stream: 'notifications', text: notifications },
    { stream: 'large-events', text: large },
    { stream: 'comments', text: comments },
    { stream: 'crlf', text: crlf },
    { stream: 'unicode', text: unicode },
  ];
}

// Splits the UTF-8 bytes of `text` at seeded random sizes and decodes them as
// the transports do, so each chunk is a flat string as a TextDecoder hands it over.
function chunk(bytes, seed) {
  const rand = prng(seed);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const chunks = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 4096 + ((rand() * 28 * 1024) | 0);
    chunks.push(decoder.decode(bytes.subarray(i, i + size), { stream: true }));
    i += size;
  }
  return chunks;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The sink reads every event's data (as a real consumer would), so lazily
// concatenated strings pay their flattening here, equally for both parsers.
let sink = 0;
function consume(data) {
  sink = (sink + data.length + (data.length === 0 ? 0 : data.charCodeAt(data.length - 1))) | 0;
}

// Two literal callback sets so that each parser's call sites see one shape of event.
const oursCallbacks = () => ({ onEvent: (e) => consume(e.data), onRetry: () => {}, onComment: (c) => consume(c) });
const theirsCallbacks = () => ({ onEvent: (e) => consume(e.data), onRetry: () => {}, onComment: (c) => consume(c) });

function runOnce(create, chunks, kind) {
  const parser = create(kind === 'ours' ? oursCallbacks() : theirsCallbacks());
  const start = performance.now();
  for (let i = 0; i < chunks.length; i++) parser.feed(chunks[i]);
  return performance.now() - start;
}

/**
 * Runs the benchmark.
 * @param {{ createParser: Function, warmup?: number, runs?: number, streams?: string[], log?: (line: string) => void }} options
 *   `createParser` is ours (from the built dist); `warmup` and `runs` are per
 *   parser and stream (defaults 3 and 11, alternated); `streams` picks some of
 *   the streams by name (default all); `log` receives one line per row.
 * @returns {Promise<Array<{ stream: string, oursMBps: number, theirsMBps: number, ratio: number }>>}
 *   one row per stream plus an `overall` row (total MB over total median time);
 *   `ratio` is ours/theirs throughput, above 1 when ours is faster.
 */
export async function benchParser({ createParser, warmup = 3, runs = 11, streams, log = () => {} }) {
  if (typeof createParser !== 'function') {
    throw new TypeError('benchParser() needs our parser: benchParser({ createParser }) with createParser from dist/sse-notify.js.');
  }
  const rows = [];
  let oursTotalMs = 0;
  let theirsTotalMs = 0;
  let totalMB = 0;
  for (const [index, { stream, text }] of makeStreams().entries()) {
    if (streams && !streams.includes(stream)) continue;
    const bytes = new TextEncoder().encode(text);
    const chunks = chunk(bytes, 100 + index);
    const mb = bytes.length / (1024 * 1024);
    for (let i = 0; i < warmup; i++) {
      runOnce(createParser, chunks, 'ours');
      runOnce(createTheirParser, chunks, 'theirs');
    }
    const ours = [];
    const theirs = [];
    for (let i = 0; i < runs; i++) {
      // Alternate who goes first so neither always runs right after the other's garbage.
      if (i % 2 === 0) {
        ours.push(runOnce(createParser, chunks, 'ours'));
        theirs.push(runOnce(createTheirParser, chunks, 'theirs'));
      } else {
        theirs.push(runOnce(createTheirParser, chunks, 'theirs'));
        ours.push(runOnce(createParser, chunks, 'ours'));
      }
    }
    const oursMs = median(ours);
    const theirsMs = median(theirs);
    oursTotalMs += oursMs;
    theirsTotalMs += theirsMs;
    totalMB += mb;
    const row = { stream, oursMBps: mb / (oursMs / 1000), theirsMBps: mb / (theirsMs / 1000), ratio: theirsMs / oursMs };
    rows.push(row);
    log(formatRow(row));
  }
  const overall = {
    stream: 'overall',
    oursMBps: totalMB / (oursTotalMs / 1000),
    theirsMBps: totalMB / (theirsTotalMs / 1000),
    ratio: theirsTotalMs / oursTotalMs,
  };
  rows.push(overall);
  log(formatRow(overall));
  return rows;
}

function formatRow({ stream, oursMBps, theirsMBps, ratio }) {
  return `${stream.padEnd(14)} ours ${oursMBps.toFixed(0).padStart(6)} MB/s   eventsource-parser ${theirsMBps.toFixed(0).padStart(6)} MB/s   ratio ${ratio.toFixed(2)}×`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = new URL('../dist/sse-notify.js', import.meta.url);
  let createParser;
  try {
    ({ createParser } = await import(dist.href));
  } catch {
    console.error('bench/parser.js: dist/sse-notify.js is missing or failed to load; run `npm run build` first.');
    process.exit(1);
  }
  const streams = process.argv.slice(2);
  await benchParser({ createParser, streams: streams.length > 0 ? streams : undefined, log: (line) => console.log(line) });
}
