import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

// test/types/*.tsx use the public types as users do; each misuse there is
// marked @ts-expect-error, so a typing that stops rejecting it fails too.
it('type-checks the typed usage of the element, its events, JSX for Preact and React, and rejects misuse', () => {
  let output = '';
  try {
    execFileSync('node_modules/.bin/tsc', ['--noEmit', '-p', 'test/types/tsconfig.json'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout) + String((error as { stderr?: string }).stderr);
  }
  expect(output).toBe('');
}, 60_000);
