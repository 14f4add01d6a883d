// Compiles the element's doc comment (@tag, @attr, @fires, @csspart,
// @cssproperty) into custom-elements.json, the manifest editors and
// documentation tools read. Run by `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';

const source = readFileSync(new URL('../src/element/sse-notify-element.ts', import.meta.url), 'utf8');
const comment = source.match(/\/\*\*((?:(?!\*\/)[\s\S])*@tag[\s\S]*?)\*\//)?.[1];
if (!comment) throw new Error('manifest: no doc comment with @tag in src/element/sse-notify-element.ts');
const lines = comment.split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
const tags = (name) =>
  lines
    .filter((line) => line.startsWith(`@${name} `))
    .map((line) => {
      const [, key, description = ''] = line.slice(name.length + 2).match(/^(\S+)(?:\s+-\s+(.*))?$/) ?? [];
      return { name: key, description };
    });
const tagName = tags('tag')[0].name;
const summary = lines.find((line) => line.startsWith('@summary '))?.slice(9) ?? '';
const camel = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase());

const attributes = tags('attr').map(({ name, description }) => {
  const fallback = description.match(/default `([^`]*)`/i)?.[1] ?? description.match(/\(default (\S+?)[;)]/)?.[1];
  return { name, fieldName: camel(name), description, type: { text: 'string' }, ...(fallback !== undefined && { default: JSON.stringify(fallback) }) };
});
const manifest = {
  schemaVersion: '2.0.0',
  readme: '../README.md',
  modules: [
    {
      kind: 'javascript-module',
      path: 'sse-notify.js',
      declarations: [
        {
          kind: 'class',
          name: 'SSENotifyElement',
          tagName,
          customElement: true,
          summary,
          attributes,
          members: attributes.map(({ fieldName, description }) => ({ kind: 'field', name: fieldName, description })),
          events: tags('fires').map(({ name, description }) => ({ name, description, type: { text: 'CustomEvent' } })),
          cssParts: tags('csspart'),
          cssProperties: tags('cssproperty'),
        },
      ],
      exports: [{ kind: 'custom-element-definition', name: tagName, declaration: { name: 'SSENotifyElement', module: 'sse-notify.js' } }],
    },
  ],
};
writeFileSync(new URL('../dist/custom-elements.json', import.meta.url), JSON.stringify(manifest, null, 2) + '\n');
console.log(`custom-elements.json: <${tagName}> with ${attributes.length} attributes, ${manifest.modules[0].declarations[0].events.length} events`);
