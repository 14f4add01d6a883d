import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the folder holding this run's sse-notify.js and sse-notify.iife.js. */
    distDir: string;
  }
}

/**
 * Browser tests load the built files, as users do. Each run builds into its
 * own folder (so parallel runs never overwrite each other's files) and hands
 * the path to the tests through `inject('distDir')`.
 */
export default function setup(project: TestProject) {
  mkdirSync('test/.artifacts', { recursive: true });
  const dir = resolve(mkdtempSync('test/.artifacts/dist-'));
  // Vitest runs with NODE_ENV=test; the bundle must be what users get.
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'] as ('ignore' | 'inherit')[], env: { ...process.env, NODE_ENV: 'production' } };
  execSync(`node node_modules/vite/bin/vite.js build --outDir ${dir} --logLevel error`, quiet);
  execSync(`node node_modules/vite/bin/vite.js build --mode iife --outDir ${dir} --logLevel error`, quiet);
  project.provide('distDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
