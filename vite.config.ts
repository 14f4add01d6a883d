import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// `vite` serves the demo; `vite build` writes the ES module, `--mode iife`
// the classic script (library mode allows one entry per IIFE build), and
// `--mode demo` the static demo site.
export default defineConfig(({ mode }) => {
  const base = {
    plugins: [preact()],
    optimizeDeps: { include: ['preact', 'preact/hooks', '@preact/signals-core', 'msw', 'msw/browser'] },
  };
  if (mode === 'demo') {
    return { ...base, base: './', build: { outDir: 'demo-dist', emptyOutDir: true } };
  }
  if (mode === 'iife') {
    return {
      ...base,
      build: {
        emptyOutDir: false,
        minify: true,
        target: 'es2022',
        lib: { entry: 'src/script-tag.ts', formats: ['iife'], name: 'SSENotifyScript', fileName: () => 'sse-notify.iife.js' },
      },
    };
  }
  if (mode === 'production') {
    return {
      ...base,
      build: {
        emptyOutDir: true,
        minify: false,
        target: 'es2022',
        lib: { entry: { 'sse-notify': 'src/index.ts' }, formats: ['es'] },
        rollupOptions: { external: [/^preact/, /^@preact\//] },
      },
    };
  }
  return base;
});
