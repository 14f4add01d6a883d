import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// Three projects, one per runtime the code must survive in:
// unit (plain Node: no DOM, as in SSR and in the server module),
// dom (happy-dom: element wiring, store, rendering),
// browser (Node driving Debian's Chromium through playwright-core).
export default defineConfig({
  plugins: [preact()],
  test: {
    expect: { requireAssertions: true },
    projects: [
      { extends: true, test: { name: 'unit', environment: 'node', include: ['test/unit/**/*.test.ts', 'test/server/**/*.test.ts'] } },
      { extends: true, test: { name: 'dom', environment: 'happy-dom', include: ['test/dom/**/*.test.{ts,tsx}'] } },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
