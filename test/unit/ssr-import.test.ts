/**
 * SPEC §2: the ES module touches no DOM API at import time, so it loads in
 * Node and in server-side rendering. Checked twice: the source in this (plain
 * Node) test environment, and the built dist/sse-notify.js in a fresh Node
 * process where every DOM global is a trap that records who reads it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Globals a browser has and Node does not; reading any of them at import is a bug. */
const DOM_GLOBALS = [
  'window', 'document', 'HTMLElement', 'customElements', 'CSSStyleSheet', 'ShadowRoot',
  'localStorage', 'sessionStorage', 'EventSource', 'Notification', 'BroadcastChannel', 'matchMedia',
  'requestAnimationFrame', 'location',
];

const EXPORTS = [
  'define', 'createParser', 'FetchEventSource', 'createConnection', 'backoffDelay', 'createNotificationStore',
  'normalize', 'createSubscriptions', 'createSharedConnection', 'useSSE', 'useNotifications', 'Notifications',
];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('importing sse-notify without a DOM', () => {
  it('loads src/index.ts in plain Node and define() returns undefined', async () => {
    expect(typeof globalThis.document).toBe('undefined');
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    expect(typeof (globalThis as { HTMLElement?: unknown }).HTMLElement).toBe('undefined');
    const api = await import('../../src/index');
    expect(Object.keys(api).sort()).toEqual([...EXPORTS].sort());
    expect(api.define()).toBeUndefined();
    expect(api.backoffDelay(1, 1000, 30_000, 0)).toBe(500);
    expect(typeof globalThis.document).toBe('undefined');
  });

  it('loads the built ES module in a fresh Node process without reading any DOM global', async () => {
    mkdirSync('test/.artifacts', { recursive: true });
    // Inside the project, so the bundle's bare `preact` imports resolve from node_modules.
    const dir = resolve(mkdtempSync('test/.artifacts/ssr-'));
    dirs.push(dir);
    await run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', dir, '--logLevel', 'error']);
    const entry = pathToFileURL(resolve(dir, 'sse-notify.js')).href;
    const script = `
      const read = [];
      for (const name of ${JSON.stringify(DOM_GLOBALS)}) {
        Object.defineProperty(globalThis, name, { configurable: true, get() {
          // The frame that read the global: the bundle's own code, or a dependency (preact/hooks
          // feature-detects requestAnimationFrame with typeof, which is harmless).
          const caller = new Error().stack.split('\\n')[2] ?? '';
          read.push(name + ' @ ' + (caller.includes('node_modules') ? 'dependency' : caller.trim()));
          return undefined;
        } });
      }
      const api = await import(${JSON.stringify(entry)});
      const readAtImport = [...read];
      const defined = api.define();
      console.log(JSON.stringify({ readAtImport, exports: Object.keys(api).sort(), defined: String(defined), hasDocument: typeof document }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    const result = JSON.parse(stdout.trim());
    expect(result.readAtImport.filter((read: string) => !read.endsWith('@ dependency'))).toEqual([]);
    expect(result.exports).toEqual([...EXPORTS].sort());
    expect(result.defined).toBe('undefined');
    expect(result.hasDocument).toBe('undefined');
  }, 60_000);
});
