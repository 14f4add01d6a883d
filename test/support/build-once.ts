import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

/**
 * Browser tests load the built files (`dist/`), as users do. Build once per
 * run unless SSE_NOTIFY_SKIP_BUILD=1 says the caller just built.
 */
export default function setup() {
  if (process.env.SSE_NOTIFY_SKIP_BUILD === '1' && existsSync('dist/sse-notify.iife.js')) return;
  execSync('npm run build', { stdio: 'inherit' });
}
