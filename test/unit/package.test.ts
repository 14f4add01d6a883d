import { execFileSync, execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

// The package as npm would publish it: built once, then linted by publint and
// are-the-types-wrong, and its tarball listed.
const run = (command: string) => execSync(command, { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } });

describe('the published package', () => {
  beforeAll(() => {
    run('npm run build');
  }, 180_000);

  it('passes publint', () => {
    expect(run('node_modules/.bin/publint')).toMatch(/All good/);
  }, 60_000);

  it('resolves types for every export under Node ESM and bundlers (are-the-types-wrong)', () => {
    let output = '';
    let failed = false;
    try {
      output = execFileSync('node_modules/.bin/attw', ['--pack', '.', '--profile', 'esm-only', '--format', 'ascii'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failed = true;
      output = String((error as { stdout?: string }).stdout);
    }
    expect(failed ? output : '').toBe('');
  }, 60_000);

  it('ships dist, the README and the custom elements manifest, and nothing from test/ or demo/', () => {
    const [pack] = JSON.parse(run('npm pack --dry-run --json')) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/sse-notify.js', 'dist/sse-notify.d.ts', 'dist/sse-notify.iife.js', 'dist/server.js', 'dist/custom-elements.json']));
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'README.md' && f !== 'package.json')).toEqual([]);
    expect(files.some((f) => /test|demo|mockServiceWorker/.test(f))).toBe(false);
  }, 60_000);

  it('describes the element in custom-elements.json from its doc comment', () => {
    const manifest = JSON.parse(readFileSync('dist/custom-elements.json', 'utf8'));
    const element = manifest.modules[0].declarations[0];
    expect(element.tagName).toBe('sse-notify');
    expect(element.attributes.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['src', 'channels', 'channel-param', 'max-retries', 'browser-notifications', 'share']));
    expect(element.events.map((e: { name: string }) => e.name).sort()).toEqual(['sse-event', 'sse-failed', 'sse-notification', 'sse-open', 'sse-retry', 'sse-state']);
    expect(element.cssParts.map((p: { name: string }) => p.name).sort()).toEqual(['action', 'body', 'close', 'progress', 'stack', 'title', 'toast']);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).customElements).toBe('dist/custom-elements.json');
  });
});
