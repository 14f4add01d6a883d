import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'rolldown';
import { afterAll, beforeAll, expect, it } from 'vitest';

/**
 * gzip -9 budget of dist/sse-notify.iife.js (everything: element, toasts, core, tab sharing), in bytes.
 * The target is 12 KB (12288). 11362 B measured on 2026-11-24 once the toaster became plain DOM
 * instead of Preact components (15320 B before); the budget is that plus about 128 bytes, so it
 * guards against growth: lower it as the bundle shrinks.
 */
const IIFE_BUDGET = 11520;
/**
 * gzip -9 budget of the ES module tree-shaken to `createConnection` alone (no Preact, no UI).
 * Target 4096 B. 4133 B measured on 2026-11-24 after the parser learned to report an event's own
 * id (so a replayed last event is not shown twice), rounded up to the next 128 bytes: lower it
 * as the core shrinks.
 */
const CORE_BUDGET = 4224;

const root = resolve(import.meta.dirname, '../..');
let tmp: string;

/** Runs `vite build` with extra arguments, quietly. */
function vite(...args: string[]): void {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error', ...args], {
    cwd: root,
    // Vitest sets NODE_ENV=test, which would make the Preact preset build in development mode.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const gzip = (text: string) => gzipSync(Buffer.from(text), { level: 9 }).length;

beforeAll(() => {
  // Inside the project so that preact resolves from node_modules, as in a user's build.
  mkdirSync(join(root, 'test/.artifacts'), { recursive: true });
  tmp = mkdtempSync(join(root, 'test/.artifacts/size-'));
  // Laid out as the published package (package.json beside dist/), so that a bundler reads our
  // `sideEffects` field exactly as it does in a site's node_modules.
  copyFileSync(join(root, 'package.json'), join(tmp, 'package.json'));
  // The ES build empties its folder; the IIFE build adds to it.
  vite('--outDir', join(tmp, 'dist'));
  vite('--mode', 'iife', '--outDir', join(tmp, 'dist'));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

it('keeps the classic script within its gzip budget', () => {
  const size = gzip(readFileSync(join(tmp, 'dist/sse-notify.iife.js'), 'utf8'));
  expect(size, `dist/sse-notify.iife.js is ${size} B gzip; budget ${IIFE_BUDGET} B (target 12288 B)`).toBeLessThanOrEqual(IIFE_BUDGET);
});

/** Bundles the ES module for a site that imports only `name`: minified code, gzip size, Preact modules pulled in. */
async function bundleImport(name: string) {
  const entry = '\0size-entry';
  const result = await build({
    cwd: root,
    input: entry,
    platform: 'browser',
    write: false,
    onLog(level, log, handler) {
      if (log.code === 'UNRESOLVED_IMPORT') throw new Error(log.message);
      if (level !== 'warn') handler(level, log);
    },
    plugins: [
      {
        name: 'size-entry',
        resolveId: (id) => (id === entry ? entry : null),
        load: (id) => (id === entry ? `export { ${name} } from ${JSON.stringify(join(tmp, 'dist/sse-notify.js'))};` : null),
      },
    ],
    output: { format: 'esm', minify: true },
  });
  const chunks = result.output.flatMap((item) => (item.type === 'chunk' ? [item] : []));
  const code = chunks.map((chunk) => chunk.code).join('\n');
  const preactModules = chunks.flatMap((chunk) => chunk.moduleIds).filter((id) => /[\\/]node_modules[\\/]@?preact/.test(id));
  return { code, size: gzip(code), preactModules };
}

it('tree-shakes the ES module to a small core when only createConnection is imported', async () => {
  const { code, size, preactModules } = await bundleImport('createConnection');
  expect(preactModules, `createConnection alone (${size} B gzip) must not bundle Preact`).toEqual([]);
  // Preact's mangled fields (__k vnode children, __H hook state) and vnode marker survive minification.
  expect(code).not.toMatch(/\.__k\b|\.__H\b|Symbol\.for\(["'`]pv["'`]\)/);
  expect(size, `createConnection alone is ${size} B gzip; budget ${CORE_BUDGET} B`).toBeLessThanOrEqual(CORE_BUDGET);
}, 60_000);

it('gives a site that imports only the element (define) no Preact: the toaster is plain DOM', async () => {
  const { code, size, preactModules } = await bundleImport('define');
  expect(preactModules, `define alone (${size} B gzip) must not bundle Preact`).toEqual([]);
  expect(code).not.toMatch(/\.__k\b|\.__H\b|Symbol\.for\(["'`]pv["'`]\)/);
  expect(code).toContain('sse-notify');
  expect(size, `define alone is ${size} B gzip; budget ${IIFE_BUDGET} B`).toBeLessThanOrEqual(IIFE_BUDGET);
}, 60_000);
