import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BODY, MAX_TITLE, normalize, parseData, safeUrl, type ToastInput } from '../../src/store/normalize';
import { toNotification } from '../../src/store/ingest';

/** Longest url or icon the normaliser may hand to the DOM. */
const MAX_URL = 8192;
const LEVELS = ['info', 'success', 'warning', 'error'];
const EVENTS = ['notification', 'message', 'progress'];

/** Runs per property; the whole file stays around a couple of seconds. */
const RUNS = 3000;
let runs = 0;
const counted = <T>(property: fc.IProperty<T>, numRuns = RUNS) => {
  fc.assert(property, { numRuns });
  runs += numRuns;
};

/** The scheme the browser would use for `url` as an href on any page. */
const scheme = (url: string) => new URL(url, 'https://page.example/dir/').protocol;

/** Every field of a normalised input has the documented type and a bounded size. */
function expectBounded(input: ToastInput, eventId?: string): void {
  const strings: [keyof ToastInput, number][] = [
    ['title', MAX_TITLE],
    ['body', MAX_BODY],
    ['channel', 200],
    ['status', 40],
    ['taskId', 200],
    ['url', MAX_URL],
    ['icon', MAX_URL],
  ];
  for (const [key, max] of strings) {
    const value = input[key];
    if (value === undefined) continue;
    expect(typeof value, key).toBe('string');
    expect((value as string).length, key).toBeLessThanOrEqual(max);
    expect((value as string).length, key).toBeGreaterThan(0);
  }
  // The SSE id line is the server's; a payload id is bounded like the other text.
  if (input.id !== undefined && input.id !== eventId) {
    expect(typeof input.id).toBe('string');
    expect(input.id.length).toBeLessThanOrEqual(200);
  }
  if (input.level !== undefined) expect(LEVELS).toContain(input.level);
  if (input.duration !== undefined) {
    expect(Number.isFinite(input.duration)).toBe(true);
    expect(input.duration).toBeGreaterThanOrEqual(0);
    expect(input.duration).toBeLessThan(2 ** 31);
  }
  if (input.progress !== undefined) {
    expect(input.progress).toBeGreaterThanOrEqual(0);
    expect(input.progress).toBeLessThanOrEqual(100);
  }
  if (input.update !== undefined) expect(typeof input.update).toBe('boolean');
  for (const key of ['url', 'icon'] as const) {
    const url = input[key];
    if (url !== undefined) expect(['http:', 'https:'], `${key} ${JSON.stringify(url)}`).toContain(scheme(url));
  }
}

// Text that looks like what an attacker sends: schemes with case, whitespace,
// control characters and entities around them, markup, huge and odd unicode.
const schemeLike = fc
  .tuple(
    fc.constantFrom('', ' ', '\t', '\n', '\u0000', '\u0001', '\u001f', '\u00a0', '\ufeff', '\u2028', '\u200b', '\u3000', '\u202e', '%20', '&#32;'),
    fc.constantFrom('javascript', 'JaVaScRiPt', 'java\tscript', 'java\nscript', 'java\u0000script', 'vbscript', 'data', 'DATA', 'file', 'blob', 'about', 'http', 'https', 'HTTPS', 'ftp', 'ws', 'mailto', 'intent', 'jav&#x09;ascript'),
    fc.constantFrom(':', '&colon;', '&#58;', '%3a', ' :', ':\u0000', '\t:'),
    fc.constantFrom('alert(1)', '//evil.example/x', 'text/html,<script>alert(1)</script>', '', '%0aalert(1)', 'x'),
  )
  .map((parts) => parts.join(''));
const hostileText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('<', '>', '"', "'", '&', '\\', '/', ':', 'j', '\u202e', '\ud800', '\udc00', '\u0000', ' ') }),
  schemeLike,
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'),
  fc.nat({ max: 3 }).map((n) => 'x'.repeat([199, 200, 201, 100_000][n]!) + '\ud83d\ude00'),
);
/** Every field the payload format names, plus its fallbacks and the keys of pollution attempts. */
const FIELDS = ['id', 'title', 'body', 'message', 'text', 'level', 'url', 'icon', 'duration', 'channel', 'update', 'progress', 'status', 'taskId', 'type', '__proto__', 'constructor', 'prototype'];
const anyJson = fc.jsonValue({ maxDepth: 4 });
const fieldValue = fc.oneof(hostileText, anyJson, fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
const payload = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), fieldValue, { maxKeys: 12 });

describe('payload normaliser under fuzzing', () => {
  it('never throws for any JSON value, and bounds every field it returns', () => {
    counted(
      fc.property(fc.oneof(anyJson, payload), fc.option(fc.string(), { nil: undefined }), (data, eventId) => {
        expectBounded(normalize(data, eventId), eventId);
      }),
    );
  });

  it('never throws for any text as SSE data, parsed or not', () => {
    counted(
      fc.property(fc.oneof(hostileText, anyJson.map((v) => JSON.stringify(v)), payload.map((v) => JSON.stringify(v))), (raw) => {
        const data = parseData(raw);
        // JSON when it parses, else the text itself.
        if (typeof data === 'string' && data !== raw) expect(JSON.parse(raw)).toBe(data);
        expectBounded(normalize(data));
      }),
    );
  });

  it('never throws for any value a page passes to toast()', () => {
    counted(
      fc.property(fc.oneof(fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }), payload), (value) => {
        expectBounded(normalize(value));
      }),
    );
  });

  it('keeps a url or icon only when the browser would read it as http, https or relative', () => {
    counted(
      fc.property(fc.oneof(schemeLike, hostileText), (url) => {
        const kept = safeUrl(url);
        if (kept !== undefined) {
          expect(['http:', 'https:']).toContain(scheme(kept));
          expect(kept.length).toBeLessThanOrEqual(MAX_URL);
        }
        expect(normalize({ url, icon: url }).url).toBe(kept);
      }),
    );
  });

  it('turns any event into a notification with an id and bounded text, or into nothing', () => {
    counted(
      fc.property(
        fc.constantFrom(...EVENTS, 'tick', '__proto__', 'constructor'),
        fc.oneof(hostileText, anyJson.map((v) => JSON.stringify(v)), payload.map((v) => JSON.stringify(v))),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        (type, raw, eventId) => {
          const notification = toNotification(type, parseData(raw), eventId, EVENTS);
          if (!EVENTS.includes(type)) expect(notification).toBeUndefined();
          if (!notification) return;
          expect(typeof notification.id).toBe('string');
          expect(notification.id.length).toBeGreaterThan(0);
          expect(notification.title || notification.body || notification.taskId).toBeTruthy();
          expectBounded({ ...notification, id: undefined });
        },
      ),
    );
  });

  it('leaves Object.prototype alone whatever the keys of the payload', () => {
    counted(
      fc.property(payload, (data) => {
        const inner = JSON.stringify(data);
        const raw = `{"__proto__":${inner},"constructor":{"prototype":${inner}},"title":"t"}`;
        normalize(parseData(raw));
        toNotification('notification', parseData(raw), undefined, EVENTS);
        expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({})));
        expect(({} as Record<string, unknown>).title).toBeUndefined();
      }),
      1000,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives data nested a hundred thousand levels deep', () => {
    for (const raw of ['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)]) {
      const data = parseData(raw);
      expect(() => expectBounded(normalize(data))).not.toThrow();
      expect(() => toNotification('notification', data, '7', EVENTS)).not.toThrow();
    }
  });

  it('drops urls that hide a script scheme behind whitespace the URL parser keeps', () => {
    // U+00A0 and U+FEFF are not stripped by the URL parser (so the string reads as a
    // relative path) but are stripped by String#trim: checking one string and
    // returning the other would hand `javascript:` to an href.
    for (const lead of ['\u00a0', '\ufeff', '\u2028', '\u3000', '\u1680', '\u205f']) {
      expect(safeUrl(lead + 'javascript:alert(1)')).toBeUndefined();
      expect(safeUrl(lead + 'data:text/html,<script>alert(1)</script>')).toBeUndefined();
    }
  });

  it('drops a url longer than any real link', () => {
    expect(safeUrl('https://shop.example/' + 'a'.repeat(1024 * 1024))).toBeUndefined();
    expect(safeUrl('https://shop.example/' + 'a'.repeat(2000))).toBe('https://shop.example/' + 'a'.repeat(2000));
  });

  it('reports the number of fuzz runs', () => {
    console.log(`normalize fuzz: ${runs} runs`);
    expect(runs).toBeGreaterThanOrEqual(RUNS * 5);
  });
});
