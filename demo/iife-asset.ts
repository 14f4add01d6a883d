/**
 * A Vite plugin for the demo build: builds the classic script
 * (`sse-notify.iife.js`, the project's own `--mode iife` config) and adds it to
 * the demo site, so `npm run build:demo` alone yields a static site that loads
 * the widget exactly as users do, through `<script src>`.
 *
 * @module
 */
import { build, type Plugin, type Rolldown } from 'vite';

/** The classic script's name beside index.html (demo/main.ts loads it by this name). */
const IIFE_FILE = 'sse-notify.iife.js';

/** Emits the IIFE bundle as an asset of the demo build (build only; the dev server imports the source). */
export function iifeAsset(): Plugin {
  let configFile: string | undefined;
  return {
    name: 'sse-notify-demo-iife',
    apply: 'build',
    configResolved(config) {
      configFile = config.configFile;
    },
    async generateBundle() {
      const result = await build({
        configFile,
        mode: 'iife',
        logLevel: 'warn',
        build: { write: false, emptyOutDir: false },
      });
      const outputs = [result].flat() as Rolldown.RolldownOutput[];
      const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk');
      if (!chunk) this.error('the IIFE build produced no chunk');
      this.emitFile({ type: 'asset', fileName: IIFE_FILE, source: chunk.code });
    },
  };
}
