// Bundles a tiny entry (given as source text) with rolldown, the bundler under
// Vite 8, the way a site's build would: ES module output, tree-shaken,
// minified, production React, browser resolution. Every size in the table is
// measured through here so that ours and the peers' are built the same way.
import { gzipSync } from 'node:zlib';
import { build } from 'rolldown';

const ENTRY = '\0bench-entry';

/** Size in bytes of `text` compressed with gzip -9 (no file name in the header, as `gzip -9 < file`). */
export function gzipSize(text) {
  return gzipSync(Buffer.from(text), { level: 9 }).length;
}

/**
 * Bundles `source` (an ES module's text, importing by bare specifiers or absolute paths) and
 * returns the minified code with its sizes.
 * @param {string} source
 * @param {{ cwd?: string }} [options] where bare specifiers resolve from (default: the current directory)
 * @returns {Promise<{ code: string, minBytes: number, gzipBytes: number }>}
 */
export async function bundle(source, { cwd = process.cwd() } = {}) {
  const result = await build({
    cwd,
    input: ENTRY,
    platform: 'browser',
    write: false,
    // A missing package must fail the row, not become a silent external import.
    onLog(level, log, handler) {
      if (log.code === 'UNRESOLVED_IMPORT') throw new Error(`bundle: ${log.message}`);
      if (level === 'warn' && log.code !== 'EMPTY_IMPORT_META') return;
      handler(level, log);
    },
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    plugins: [
      {
        name: 'bench-entry',
        resolveId: (id) => (id === ENTRY ? ENTRY : null),
        load: (id) => (id === ENTRY ? source : null),
      },
    ],
    output: { format: 'esm', minify: true },
  });
  const code = result.output
    .filter((chunk) => chunk.type === 'chunk')
    .map((chunk) => chunk.code)
    .join('\n');
  return { code, minBytes: Buffer.byteLength(code), gzipBytes: gzipSize(code) };
}
