// Type tests: this file must compile, and each @ts-expect-error line must
// really be an error (tsc fails on an unused @ts-expect-error).
import { createConnection, define, type SSENotifyElement } from '../../src/index';

define();
const el = document.createElement('sse-notify');
const typed: SSENotifyElement = el;
const retries: number = typed.maxRetries;
el.addEventListener('sse-failed', (event) => {
  const attempts: number = event.detail.attempts;
  const reason: 'retry-limit' | 'status' = event.detail.reason;
  void attempts, reason;
});
el.addEventListener('sse-notification', (event) => event.preventDefault());
document.querySelector('sse-notify')?.connect();
el.position = 'bottom-left';
// @ts-expect-error: not a position
el.position = 'middle';
// @ts-expect-error: state is read-only
el.state = 'open';
// @ts-expect-error: the url is required
createConnection({ channels: ['a'] });
createConnection({ url: '/e', transport: 'fetch', maxRetries: Infinity }).on('retry', ({ attempt, delay }) => attempt + delay);

export const ok = <sse-notify src="/api/events" channels="a b" position="top-left" max-retries="infinite" with-credentials />;
// @ts-expect-error: not a position
export const bad = <sse-notify position="middle" />;
// @ts-expect-error: not a transport
export const bad2 = <sse-notify transport="websocket" />;
void retries;
