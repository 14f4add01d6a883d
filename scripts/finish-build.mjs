// After the bundles and declarations: put an entry .d.ts beside each bundle
// (SPEC §2: types beside the ES module) and write custom-elements.json.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/sse-notify.d.ts', import.meta.url), "export * from './types/index.js';\n");
writeFileSync(new URL('../dist/server.d.ts', import.meta.url), "export * from './types/server/index.js';\n");
// `sse-notify/react` is types only (JSX for <sse-notify>); an empty module keeps resolvers happy.
writeFileSync(new URL('../dist/react.d.ts', import.meta.url), "export * from './types/react.js';\n");
writeFileSync(new URL('../dist/react.js', import.meta.url), 'export {};\n');
// The classic script has no exports; it defines <sse-notify> and window.SSENotify.
writeFileSync(
  new URL('../dist/sse-notify.iife.d.ts', import.meta.url),
  "import type { SSENotifyGlobal } from './types/script-tag.js';\ndeclare global {\n  interface Window {\n    SSENotify: SSENotifyGlobal;\n  }\n}\nexport {};\n",
);
await import('./manifest.mjs');

// Relative specifiers in the declarations get their `.js` (or `/index.js`),
// which Node's ESM resolution (TypeScript's node16/nodenext) requires.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../dist/types', import.meta.url));
const walk = (dir) => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
for (const file of walk(root).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/((?:from|import)\s*\(?\s*')(\.{1,2}\/[^']+)(')/g, (all, head, spec, tail) => {
    if (/\.(js|mjs|cjs|json)$/.test(spec)) return all;
    const base = join(dirname(file), spec);
    if (existsSync(base + '.d.ts')) return head + spec + '.js' + tail;
    if (existsSync(join(base, 'index.d.ts'))) return head + spec + '/index.js' + tail;
    return all;
  });
  if (fixed !== text) writeFileSync(file, fixed);
}
