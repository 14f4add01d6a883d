import { describe, expect, it } from 'vitest';
import { backoffDelay, failureAction, parseRetryAfter } from '../../src/sse/backoff';

describe('backoffDelay', () => {
  // [attempt, base, cap, random, retryAfter, expected]
  it.each([
    [1, 1000, 30_000, 0, 0, 500],
    [1, 1000, 30_000, 0.5, 0, 750],
    [1, 1000, 30_000, 0.999_999, 0, 1000],
    [2, 1000, 30_000, 0, 0, 1000],
    [3, 1000, 30_000, 0, 0, 2000],
    [4, 1000, 30_000, 1, 0, 8000],
    [5, 1000, 30_000, 1, 0, 16_000],
    [6, 1000, 30_000, 1, 0, 30_000],
    [6, 1000, 30_000, 0, 0, 15_000],
    [50, 1000, 30_000, 0, 0, 15_000],
    [1_000_000, 1000, 30_000, 1, 0, 30_000],
    [1, 250, 30_000, 0, 0, 125],
    [1, 1000, 30_000, 0, 5000, 5000],
    [1, 1000, 30_000, 1, 5000, 5000],
    [3, 1000, 30_000, 1, 5000, 5000],
    [4, 1000, 30_000, 1, 5000, 8000],
    [1, 1000, 30_000, 0.5, 120_000, 120_000],
    [1, 1000, 30_000, 0, 10 ** 12, 2 ** 31 - 1],
    [1, 0, 30_000, 0.5, 0, 0],
  ])('attempt %i with base %i, cap %i, random %f and Retry-After %i waits %i ms', (attempt, base, cap, random, retryAfter, expected) => {
    expect(backoffDelay(attempt, base, cap, random, retryAfter)).toBe(expected);
  });

  it('never waits less than half nor more than the whole nominal delay (equal jitter), for any random', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const nominal = Math.min(30_000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i <= 100; i++) {
        const delay = backoffDelay(attempt, 1000, 30_000, Math.min(i / 100, 0.999_999));
        expect(delay).toBeGreaterThanOrEqual(nominal / 2);
        expect(delay).toBeLessThanOrEqual(nominal);
      }
    }
  });

  it('spreads delays over the whole upper half with Math.random', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(1, 1000, 30_000));
    expect(Math.min(...delays)).toBeLessThan(550);
    expect(Math.max(...delays)).toBeGreaterThan(950);
    expect(new Set(delays).size).toBeGreaterThan(300);
  });

  it('does not jitter a Retry-After floor', () => {
    const delays = new Set(Array.from({ length: 200 }, () => backoffDelay(1, 1000, 30_000, Math.random(), 7000)));
    expect([...delays]).toEqual([7000]);
  });
});

describe('failureAction', () => {
  it.each([
    [204, 'stop'],
    [400, 'stop'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'stop'],
    [410, 'stop'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [0, 'retry'],
    [200, 'retry'],
  ] as const)('status %i → %s', (status, action) => {
    expect(failureAction(status)).toBe(action);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    ['Tue, 01 Jan 2030 00:00:30 GMT', 30_000],
    ['Tuesday, 01-Jan-30 00:01:00 GMT', 60_000],
    ['Tue Jan  1 00:00:10 2030', 10_000],
    ['Mon, 31 Dec 2029 23:59:00 GMT', 0],
    ['', 0],
    [null, 0],
    [undefined, 0],
    ['soon', 0],
    ['-1', 0],
    ['1.5', 0],
    ['2099', 2099_000],
    ['soon 2099', 0],
    ['12abc', 0],
  ])('%j → %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
