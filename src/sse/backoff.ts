/**
 * The reconnect policy as pure functions (SPEC §5, §6): no timers, no I/O, so
 * it is tested as a table. The connection is the one module that schedules.
 */

/**
 * Delay before reconnect attempt `attempt` (1-based), "equal jitter":
 * `min(cap, base · 2^(attempt-1)) · (0.5 + 0.5·random)`: never below half the
 * nominal delay, so a thousand clients spread out yet delays still grow.
 * A server-given `Retry-After` is a floor and is not jittered.
 *
 * @param attempt 1 for the first retry after a failure.
 * @param base base delay in ms (`retry-delay`, or the server's `retry:`).
 * @param cap maximum delay in ms (`max-retry-delay`).
 * @param random a number in [0, 1), `Math.random()` by default.
 * @param retryAfter the server's `Retry-After` in ms, when it sent one.
 */
export function backoffDelay(attempt: number, base: number, cap: number, random = Math.random(), retryAfter = 0): number {
  const nominal = Math.min(cap, base * 2 ** Math.min(attempt - 1, 30));
  // setTimeout fires at once past 2^31-1 ms: a far-off Retry-After would hammer.
  return Math.min(Math.max(Math.round(nominal * (0.5 + 0.5 * random)), retryAfter), 2 ** 31 - 1);
}

/** What to do after a failed attempt with this HTTP status (0: no response, a network error; 200: a wrong `Content-Type`). */
export type FailureAction = 'retry' | 'stop' | 'auth';

/**
 * SPEC §5 failure rules: 204 stops at once; 401/403 get one `tokenProvider`
 * retry; other 4xx stop; 5xx, 429, network errors and a 200 with the wrong
 * `Content-Type` (a captive portal, a login page) back off and retry.
 */
export function failureAction(status: number): FailureAction {
  if (status === 204) return 'stop';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 400 && status < 500 && status !== 429) return 'stop';
  return 'retry';
}

/**
 * Parses a `Retry-After` header (seconds, or an HTTP date) into ms; 0 when
 * absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number {
  if (!value) return 0;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form has hh:mm:ss; Date.parse alone reads "soon 2099" as a year.
  const date = /\d\d:\d\d:\d\d/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}
