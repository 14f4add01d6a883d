import { describe, expect, it } from 'vitest';
import { MAX_BODY, MAX_TITLE, normalize, parseData, safeUrl } from '../../src/store/normalize';
import { toNotification } from '../../src/store/ingest';

const EVENTS = ['notification', 'message', 'progress'];

describe('normalize', () => {
  it('reads the documented payload', () => {
    const input = normalize({
      id: 'n-42',
      title: 'New order',
      body: 'Order #42 was paid',
      level: 'success',
      url: 'https://shop.example/orders/42',
      icon: 'https://shop.example/i.png',
      duration: 8000,
      channel: 'orders',
    });
    expect(input).toMatchObject({
      id: 'n-42',
      title: 'New order',
      body: 'Order #42 was paid',
      level: 'success',
      url: 'https://shop.example/orders/42',
      icon: 'https://shop.example/i.png',
      duration: 8000,
      channel: 'orders',
      update: false,
    });
  });

  it('falls back from body to message, then to text', () => {
    expect(normalize({ message: 'from message', text: 'from text' }).body).toBe('from message');
    expect(normalize({ text: 'from text' }).body).toBe('from text');
    expect(normalize({ body: 'from body', message: 'from message' }).body).toBe('from body');
    // A body that is not text is no body: the fallbacks still apply.
    expect(normalize({ body: { nested: true }, message: 'from message' }).body).toBe('from message');
  });

  it('turns non-JSON data into the body as is, with the SSE id', () => {
    expect(normalize('Server restarting at 22:00', 'ev-9')).toEqual({ id: 'ev-9', body: 'Server restarting at 22:00' });
    expect(normalize(parseData('not { json'))).toEqual({ id: undefined, body: 'not { json' });
    expect(normalize(parseData('42')).body).toBe('42');
  });

  it('shows nothing for empty data', () => {
    expect(normalize('').body).toBeUndefined();
    expect(normalize(null).body).toBeUndefined();
  });

  it('falls back to info for an unknown or missing level', () => {
    expect(normalize({ title: 'x', level: 'critical' }).level).toBe('info');
    expect(normalize({ title: 'x', level: 'ERROR' }).level).toBe('info');
    expect(normalize({ title: 'x' }).level).toBe('info');
    for (const level of ['info', 'success', 'warning', 'error']) expect(normalize({ level }).level).toBe(level);
  });

  it('cuts a 100 KB body with an ellipsis', () => {
    const body = 'x'.repeat(100 * 1024);
    const cut = normalize({ body }).body!;
    expect(cut.length).toBe(MAX_BODY);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.startsWith('xxxx')).toBe(true);
    expect(normalize({ title: 't'.repeat(5000) }).title!.length).toBe(MAX_TITLE);
    // Text at the limit is untouched.
    expect(normalize({ body: 'y'.repeat(MAX_BODY) }).body).toBe('y'.repeat(MAX_BODY));
  });

  it('never cuts an emoji in half', () => {
    const body = 'a'.repeat(MAX_BODY - 2) + '😀'.repeat(10);
    const cut = normalize({ body }).body!;
    expect(cut).toBe('a'.repeat(MAX_BODY - 2) + '…');
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('keeps http, https and relative urls and icons', () => {
    for (const url of ['https://shop.example/o/42', 'http://intranet.local/x', '/orders/42', 'orders/42', '?tab=2', '#top', '//cdn.example/i.png']) {
      expect(normalize({ url, icon: url })).toMatchObject({ url, icon: url });
    }
  });

  it('drops javascript:, data:, vbscript: and other schemes in url and icon, whatever the case or padding', () => {
    const evil = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      '\tjavascript:alert(1)',
      'java\nscript:alert(1)',
      'java\tscript:alert(1)',
      '\u0000javascript:alert(1)',
      '\u0001javascript:alert(1)',
      // trim() strips these, the URL parser does not: the string kept must be the string checked.
      '\u00a0javascript:alert(1)',
      '\ufeffjavascript:alert(1)',
      '\u2028javascript:alert(1)',
      'javascript&colon;alert(1)'.replace('&colon;', ':'),
      'data:text/html,<script>alert(1)</script>',
      'DATA:image/svg+xml,<svg onload=alert(1)>',
      'vbscript:msgbox(1)',
      'VBScript:msgbox(1)',
      'file:///etc/passwd',
      'blob:https://x/1',
      'ftp://x/y',
    ];
    for (const url of evil) {
      const input = normalize({ title: 'x', url, icon: url });
      expect(input.url, url).toBeUndefined();
      expect(input.icon, url).toBeUndefined();
    }
    expect(normalize({ url: 42, icon: { href: 'https://x' } })).toMatchObject({ url: undefined, icon: undefined });
    expect(safeUrl('   ')).toBeUndefined();
  });

  it('is not fooled by __proto__ and constructor keys', () => {
    const data = parseData('{"__proto__":{"level":"error","url":"javascript:alert(1)","title":"polluted"},"constructor":{"prototype":{"x":1}},"body":"ok"}');
    const input = normalize(data);
    expect(input).toMatchObject({ body: 'ok', level: 'info', url: undefined });
    expect(input.title).toBeUndefined();
    expect(({} as Record<string, unknown>).level).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps durations a timer can wait for and clamps progress into 0–100', () => {
    expect(normalize({ duration: 0 }).duration).toBe(0);
    expect(normalize({ duration: -1 }).duration).toBeUndefined();
    expect(normalize({ duration: '8000' }).duration).toBeUndefined();
    expect(normalize({ duration: Infinity }).duration).toBeUndefined();
    expect(normalize({ duration: 2 ** 40 }).duration).toBeUndefined();
    expect(normalize({ progress: 140 }).progress).toBe(100);
    expect(normalize({ progress: 40 }).progress).toBe(40);
    expect(normalize({ progress: NaN }).progress).toBeUndefined();
    expect(normalize({ progress: -5 }).progress).toBeUndefined();
  });

  it('takes update only when it is literally true', () => {
    expect(normalize({ update: true }).update).toBe(true);
    expect(normalize({ update: 'true' }).update).toBe(false);
  });

  it('never throws, whatever the input', () => {
    const circular: unknown[] = [];
    circular.push(circular);
    for (const data of [undefined, 0, false, Symbol('s'), [1, 2], circular, { title: Symbol('t') }, Object.create(null), new Date(0)]) {
      expect(() => normalize(data)).not.toThrow();
    }
  });
});

describe('toNotification', () => {
  it('shows only the configured event types', () => {
    expect(toNotification('notification', { title: 'Hi' }, 'e1', EVENTS)).toMatchObject({ id: 'e1', title: 'Hi' });
    expect(toNotification('ping', { title: 'Hi' }, 'e1', EVENTS)).toBeUndefined();
  });

  it('prefers the payload id over the SSE id', () => {
    expect(toNotification('message', { id: 'n-1', title: 'Hi' }, 'e1', EVENTS)!.id).toBe('n-1');
  });

  it('skips the subscribe handshake and empty events', () => {
    expect(toNotification('message', { type: 'connected', clientId: 'c1' }, undefined, EVENTS)).toBeUndefined();
    expect(toNotification('message', '', undefined, EVENTS)).toBeUndefined();
    expect(toNotification('notification', { level: 'error' }, undefined, EVENTS)).toBeUndefined();
  });

  it('keys a progress event by its taskId', () => {
    expect(toNotification('progress', { taskId: 't1', progress: 40 }, 'e9', EVENTS)).toMatchObject({ id: 'task:t1', taskId: 't1', progress: 40 });
  });
});
