import { describe, expect, it } from 'vitest';
import { formatComment, formatEvent, formatRetry } from '../../src/server/sse-format';

describe('formatEvent', () => {
  it('writes id, event and data lines ended by a blank line', () => {
    expect(formatEvent({ id: '7', event: 'notification', data: '{"a":1}' })).toBe('id: 7\nevent: notification\ndata: {"a":1}\n\n');
  });

  it('splits data on every kind of line break into separate data lines', () => {
    expect(formatEvent({ data: 'one\ntwo\r\nthree\rfour' })).toBe('data: one\ndata: two\ndata: three\ndata: four\n\n');
    expect(formatEvent({ data: '\n' })).toBe('data: \ndata: \n\n');
    expect(formatEvent({ data: '' })).toBe('data: \n\n');
  });

  it('strips line breaks and NUL from the single-line fields', () => {
    expect(formatEvent({ id: '1\n\0data: x', event: 'a\r\nretry: 1', data: 'd' })).toBe('id: 1data: x\nevent: aretry: 1\ndata: d\n\n');
  });

  it('formats comments and the retry field', () => {
    expect(formatComment('heartbeat')).toBe(':heartbeat\n\n');
    expect(formatComment('a\nb')).toBe(':ab\n\n');
    expect(formatRetry(2500.7)).toBe('retry: 2500\n\n');
  });
});
