import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { minify } from 'rolldown/utils';
const src = readFileSync('dist/sse-notify.js', 'utf8');
const parts = src.split(/^\/\/ (src\/\S+)$/m);
for (let i = 1; i < parts.length; i += 2) {
  const code = parts[i + 1].replace(/^export .*$/gm, '');
  const { code: min } = await minify('x.js', code, { compress: true, mangle: { toplevel: true } });
  console.log(parts[i].padEnd(40), min.length, gzipSync(min, { level: 9 }).length);
}
