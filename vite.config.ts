import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { iifeAsset } from './demo/iife-asset.js';

// `vite` serves the demo; `vite build` writes the ES module, `--mode iife`
// the classic script (library mode allows one entry per IIFE build), and
// `--mode demo` the static demo site.
export default defineConfig(({ mode }) => {
  if (mode === 'iife' || mode === 'production') {
    // What ships must not depend on the caller's NODE_ENV: under `test` or
    // `development` the Preact preset compiles JSX with __self / __source
    // (absolute file paths) into dist. Vite reads NODE_ENV after the config.
    process.env.NODE_ENV = 'production';
  }
  const base = {
    plugins: [preact()],
    optimizeDeps: { include: ['preact', 'preact/hooks', 'msw', 'msw/browser'] },
  };
  if (mode === 'demo') {
    // A relative base so the site (and MSW's service worker, registered relative
    // to the page) works from any static host and sub-path; the page loads the
    // built classic script that iifeAsset() adds beside index.html.
    return { ...base, base: './', plugins: [...base.plugins, iifeAsset()], build: { outDir: 'demo-dist', emptyOutDir: true } };
  }
  if (mode === 'iife') {
    return {
      ...base,
      publicDir: false,
      build: {
        emptyOutDir: false,
        minify: true,
        target: 'es2022',
        lib: { entry: 'src/script-tag.ts', formats: ['iife'], name: 'SSENotifyScript', fileName: () => 'sse-notify.iife.js' },
      },
    };
  }
  if (mode === 'server') {
    // sse-notify/server: the Node hub, bundled as one ES module for Node.
    return {
      publicDir: false,
      build: {
        emptyOutDir: false,
        minify: false,
        target: 'node20',
        ssr: 'src/server/index.ts',
        rollupOptions: { output: { entryFileNames: 'server.js' }, external: [/^node:/, 'ioredis', 'jose'] },
      },
    };
  }
  if (mode === 'production') {
    return {
      ...base,
      publicDir: false,
      build: {
        emptyOutDir: true,
        minify: false,
        target: 'es2022',
        lib: { entry: { 'sse-notify': 'src/index.ts' }, formats: ['es'] },
        // One file per module: a bundler that imports only createConnection
        // then drops the Preact modules (our sideEffects field allows it).
        rollupOptions: {
          external: [/^preact/],
          output: {
            preserveModules: true,
            preserveModulesRoot: 'src',
            entryFileNames: (chunk) => (chunk.isEntry ? '[name].js' : 'esm/[name].js'),
          },
        },
      },
    };
  }
  return base;
});
