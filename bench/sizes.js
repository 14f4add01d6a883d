// Bundle sizes: ours and the peers', each bundled from a tiny entry by the
// same rolldown build (bench/lib/bundle.js: ES module, tree-shaken, minified,
// production React), then gzip -9. The IIFE is measured as shipped.
//
// Usage: node bench/sizes.js [distDir]   (default dist/, after `npm run build`)
// or:    import { benchSizes } from './sizes.js'; await benchSizes({ distDir })
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundle, gzipSize } from './lib/bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));

function version(name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/**
 * The rows: ours first, then the peers. `ours` rows carry `key` so that peers can name the row
 * they compare with (`vs`): a peer is compared with the part of sse-notify that does the same job.
 */
function entries(distDir) {
  const esm = JSON.stringify(join(distDir, 'sse-notify.js'));
  return [
    { key: 'iife', ours: true, name: 'sse-notify IIFE (everything: element, toasts, SSE core, tab sharing)', file: join(distDir, 'sse-notify.iife.js') },
    { key: 'define', ours: true, name: 'sse-notify ESM: define (the element; no Preact)', source: `export { define } from ${esm};` },
    { key: 'connection', ours: true, name: 'sse-notify ESM: createConnection alone', source: `export { createConnection } from ${esm};` },
    { key: 'eventsource', ours: true, name: 'sse-notify ESM: FetchEventSource alone', source: `export { FetchEventSource } from ${esm};` },
    { key: 'parser', ours: true, name: 'sse-notify ESM: createParser alone', source: `export { createParser } from ${esm};` },
    {
      vs: 'eventsource',
      name: `eventsource ${version('eventsource')} (EventSource over fetch)`,
      source: `export { EventSource } from 'eventsource';`,
    },
    {
      vs: 'connection',
      name: `@microsoft/fetch-event-source ${version('@microsoft/fetch-event-source')}`,
      source: `export { fetchEventSource } from '@microsoft/fetch-event-source';`,
    },
    {
      vs: 'connection',
      name: `reconnecting-eventsource ${version('reconnecting-eventsource')}`,
      source: `export { default } from 'reconnecting-eventsource';`,
    },
    { vs: 'parser', name: `eventsource-parser ${version('eventsource-parser')}`, source: `export { createParser } from 'eventsource-parser';` },
    {
      vs: 'iife',
      name: `notyf ${version('notyf')} (toasts only, JS + CSS)`,
      source: `export { Notyf } from 'notyf';`,
      css: require.resolve('notyf/notyf.min.css'),
    },
    {
      vs: 'iife',
      name: `sonner ${version('sonner')} + react + react-dom/client ${version('react-dom')} (toasts only)`,
      source: [
        `import { createElement } from 'react';`,
        `import { createRoot } from 'react-dom/client';`,
        `import { Toaster, toast } from 'sonner';`,
        `export function mount(element) { createRoot(element).render(createElement(Toaster)); }`,
        `export { toast };`,
      ].join('\n'),
    },
    {
      vs: 'iife',
      name: `@trycourier/courier-ui-toast ${version('@trycourier/courier-ui-toast')} (the courier-toast element, toasts only)`,
      source: `export { CourierToast } from '@trycourier/courier-ui-toast';`,
    },
  ];
}

/**
 * Measures every row. A row that fails to build gets `error` instead of sizes.
 * @param {{ distDir?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<Array<{ key?: string, vs?: string, name: string, minBytes?: number, gzipBytes?: number,
 *   cssMinBytes?: number, cssGzipBytes?: number, totalGzipBytes?: number, error?: string }>>}
 *   `totalGzipBytes` is JS + CSS; a peer row's `ratio` is its total over ours (`vs` row): > 1 means ours is smaller.
 */
export async function benchSizes({ distDir = join(root, 'dist'), log = () => {} } = {}) {
  const rows = [];
  for (const entry of entries(resolve(distDir))) {
    const row = { ...(entry.key && { key: entry.key }), ...(entry.vs && { vs: entry.vs }), name: entry.name };
    try {
      if (entry.file) {
        const code = readFileSync(entry.file, 'utf8');
        Object.assign(row, { minBytes: Buffer.byteLength(code), gzipBytes: gzipSize(code) });
      } else {
        const { minBytes, gzipBytes } = await bundle(entry.source, { cwd: root });
        Object.assign(row, { minBytes, gzipBytes });
      }
      if (entry.css) {
        const css = readFileSync(entry.css, 'utf8');
        Object.assign(row, { cssMinBytes: Buffer.byteLength(css), cssGzipBytes: gzipSize(css) });
      }
      row.totalGzipBytes = row.gzipBytes + (row.cssGzipBytes ?? 0);
    } catch (error) {
      row.error = String(error?.message ?? error).split('\n')[0];
    }
    rows.push(row);
  }
  for (const row of rows) {
    const ours = row.vs && rows.find((r) => r.key === row.vs);
    if (ours?.totalGzipBytes && row.totalGzipBytes) row.ratio = row.totalGzipBytes / ours.totalGzipBytes;
  }
  for (const row of rows) log(formatRow(row));
  return rows;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function formatRow(row) {
  if (row.error) return `${row.name}: not available (${row.error})`;
  const css = row.cssGzipBytes ? ` + ${kb(row.cssGzipBytes)} CSS` : '';
  const ratio = row.ratio ? `   ×${row.ratio.toFixed(2)} of ours (${row.vs})` : '';
  return `${row.name.padEnd(80)} ${kb(row.minBytes).padStart(9)} min ${kb(row.gzipBytes).padStart(8)} gzip${css}${ratio}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchSizes({ distDir: process.argv[2] ?? join(root, 'dist'), log: (line) => console.log(line) });
}
