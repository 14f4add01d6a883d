// Per-module minified + gzip -9 sizes of the built ES modules (dist/esm), to
// see where the bundle's bytes go. Run after `npm run build`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { minify } from 'rolldown/utils';

const root = 'dist/esm';
const walk = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
let total = 0;
const rows = [];
for (const file of walk(root).filter((f) => f.endsWith('.js'))) {
  const { code } = await minify(file, readFileSync(file, 'utf8'), { compress: true, mangle: { toplevel: true } });
  const gz = gzipSync(code, { level: 9 }).length;
  total += gz;
  rows.push([relative(root, file), code.length, gz]);
}
rows.sort((a, b) => b[2] - a[2]);
for (const [name, min, gz] of rows) console.log(name.padEnd(36), String(min).padStart(7), String(gz).padStart(6));
console.log('sum of separately gzipped modules'.padEnd(36), ''.padStart(7), String(total).padStart(6));
