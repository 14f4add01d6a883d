import { describe, expect, it } from 'vitest';
import { createParser } from '../../src/sse/parser';
import type { ParsedEvent } from '../../src/sse/types';

const RESET = Symbol('reset');
type Step = string | typeof RESET;

interface Parsed {
  events: ParsedEvent[];
  retries: number[];
  comments: string[];
}

/** Feeds the steps (chunks, or RESET) to a fresh parser and collects everything it reports. */
function run(steps: Step | Step[]): Parsed {
  const out: Parsed = { events: [], retries: [], comments: [] };
  const parser = createParser({
    onEvent: (event) => out.events.push(spec(event)),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (comment) => out.comments.push(comment),
  });
  for (const step of Array.isArray(steps) ? steps : [steps]) {
    if (typeof step === 'string') parser.feed(step);
    else parser.reset();
  }
  return out;
}

const message = (data: string, lastEventId = '', type = 'message'): ParsedEvent => ({ type, data, lastEventId });
/** The WHATWG fields of an event (without the `id` extension, which has its own tests). */
const spec = ({ type, data, lastEventId }: ParsedEvent): ParsedEvent => ({ type, data, lastEventId });

describe('createParser', () => {
  // [title, chunks, expected events]
  it.each<[string, Step | Step[], ParsedEvent[]]>([
    ['LF line ends dispatch an event', 'data: a\n\n', [message('a')]],
    ['CR line ends dispatch an event', 'data: a\r\r', [message('a')]],
    ['CRLF line ends dispatch an event', 'data: a\r\n\r\n', [message('a')]],
    ['mixed CR, LF and CRLF line ends all end lines', 'data: a\rdata: b\ndata: c\r\ndata: d\n\r', [message('a\nb\nc\nd')]],
    ['CR LF is one line end but LF CR is two', 'data: a\n\rdata: b\r\n\n', [message('a'), message('b')]],
    ['a CRLF split across two chunks is one line end', ['data: a\r', '\ndata: b\r\n\r\n'], [message('a\nb')]],
    ['a CRLF split across an empty chunk is still one line end', ['data: a\r', '', '\ndata: b\n\n'], [message('a\nb')]],
    ['a CR ending a chunk ends the line at once', ['data: a\r\r'], [message('a')]],
    ['only the first LF after a CR-ended chunk is skipped', ['data: a\r', '\n', '\ndata: b\n\n'], [message('a'), message('b')]],
    ['every chunking of a CRLF stream gives the same events', ['d', 'ata: a', '\r', '\n', '\r', '\nda', 'ta: b\r\n\r\n'], [message('a'), message('b')]],
    ['one leading BOM is stripped', '\uFEFFdata: a\n\n', [message('a')]],
    ['a leading BOM alone in the first chunk is stripped', ['\uFEFF', 'data: a\n\n'], [message('a')]],
    ['an empty first chunk does not use up the stream start', ['', '\uFEFFdata: a\n\n'], [message('a')]],
    ['a second leading BOM is kept and spoils the field name', '\uFEFF\uFEFFdata: a\n\ndata: b\n\n', [message('b')]],
    ['a BOM after the first chunk is not stripped', ['data: a\n\n', '\uFEFFdata: b\n\n'], [message('a')]],
    ['a BOM inside a value is kept', 'data: \uFEFFx\n\n', [message('\uFEFFx')]],
    ['after reset() a leading BOM is stripped again', ['\uFEFFdata: a\n\n', RESET, '\uFEFFdata: b\n\n'], [message('a'), message('b')]],
    ['the last event id persists across events', 'id: 1\ndata: a\n\ndata: b\n\n', [message('a', '1'), message('b', '1')]],
    ['an id set in a block without data still persists', 'id: 7\n\ndata: a\n\n', [message('a', '7')]],
    ['the last event id is taken at dispatch time', 'data: a\nid: 2\n\n', [message('a', '2')]],
    ['an id containing U+0000 is ignored', 'id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n', [message('a', '1'), message('b', '1')]],
    ['an id containing U+0000 is ignored in a non-ASCII chunk too', 'id: 1\ndata: é\n\nid: é\0\ndata: b\n\n', [message('é', '1'), message('b', '1')]],
    ['an id containing U+0000 is ignored when it arrives in pieces', ['id: 1\ndata: a\n\nid: 2', '\0', 'x\ndata: b\n\n'], [message('a', '1'), message('b', '1')]],
    ['an id of only U+0000 is ignored', 'id: 1\nid:\0\ndata: a\n\n', [message('a', '1')]],
    ['an empty id resets the last event id', 'id: 1\ndata: a\n\nid:\ndata: b\n\n', [message('a', '1'), message('b', '')]],
    ['an id line without a colon resets the last event id', 'id: 1\ndata: a\n\nid\ndata: b\n\n', [message('a', '1'), message('b', '')]],
    ['an id keeps everything after the one space', 'id:  x y \ndata: a\n\n', [message('a', ' x y ')]],
    ['a non-ASCII id is kept as is', 'id: é😀\ndata: a\n\n', [message('a', 'é😀')]],
    ['a data line without a colon adds an empty line', 'data\n\n', [message('')]],
    ['data without a space after the colon keeps all of the value', 'data:no-space\n\n', [message('no-space')]],
    ['only one space after the colon is removed', 'data:  two spaces\n\n', [message(' two spaces')]],
    ['a tab after the colon is kept', 'data:\tx\n\n', [message('\tx')]],
    ['two empty data lines give one newline', 'data\ndata\n\n', [message('\n')]],
    ['empty data values still count as data', 'data:\n\n', [message('')]],
    ['data lines are joined with LF', 'data: a\ndata: b\ndata: c\n\n', [message('a\nb\nc')]],
    ['only the first colon splits field and value', 'data: a:b: c\n\n', [message('a:b: c')]],
    ['the event field sets the type', 'event: ping\ndata: a\n\n', [message('a', '', 'ping')]],
    ['an empty event field means message', 'event:\ndata: a\n\n', [message('a')]],
    ['the last event field wins', 'event: a\nevent: b\ndata: x\n\n', [message('x', '', 'b')]],
    ['an event with an empty data buffer is not dispatched', 'event: ping\n\n', []],
    ['a block without data resets the event type', 'event: ping\n\ndata: a\n\n', [message('a')]],
    ['the event type is reset after a dispatch', 'event: x\ndata: a\n\ndata: b\n\n', [message('a', '', 'x'), message('b')]],
    ['unknown fields are ignored', 'foo: bar\ndata: a\nDATA: b\nData: c\n data: d\n\n', [message('a')]],
    ['field names are matched exactly, not as prefixes', 'datas: a\nevents: b\nids: c\ndata: x\n\n', [message('x')]],
    ['a lone empty line dispatches nothing', '\n\n\r\n\r', []],
    ['a trailing unterminated event is never dispatched', 'data: a\n\ndata: b\n', [message('a')]],
    ['a trailing unterminated line is never handled', 'data: a\n\ndata: b', [message('a')]],
    ['a line is only handled once it ends, even across many chunks', ['da', 'ta', ': ', 'a', '\n', '\n'], [message('a')]],
    ['the line pending at a chunk boundary may be a comment, an id or an event type', [':x', 'y\nid', ': 5\neve', 'nt: t\ndat', 'a: v\n', '\n'], [message('v', '5', 't')]],
    ['non-ASCII data is kept intact', 'data: héllo 😀 ünïcödé\n\n', [message('héllo 😀 ünïcödé')]],
    ['a surrogate pair split across chunks is rejoined', ['data: \uD83D', '\uDE00\n\n'], [message('😀')]],
    ['U+0000 in data is kept', 'data: a\0b\n\n', [message('a\0b')]],
    ['reset() drops the partial line', ['data: par', RESET, 'tial\n\ndata: b\n\n'], [message('b')]],
    ['reset() drops the buffered event and the last event id', ['id: 5\nevent: x\ndata: a\n', RESET, '\ndata: b\n\n'], [message('b')]],
    ['reset() forgets a CR at the end of the last chunk', ['data: a\r', RESET, '\ndata: b\n\n'], [message('b')]],
  ])('%s', (_title, steps, expected) => {
    expect(run(steps).events).toEqual(expected);
  });

  it.each([
    ['1000', [1000]],
    ['0', [0]],
    ['007', [7]],
    ['10a', []],
    ['', []],
    [' 100', []],
    ['-1', []],
    ['1.5', []],
    ['1e3', []],
    ['+5', []],
    ['٣', []],
    ['１', []],
  ])('retry: %j reports %j', (value, expected) => {
    expect(run(`retry: ${value}\n`).retries).toEqual(expected);
  });

  it('reports retry without a space after the colon and ignores retry without a colon', () => {
    expect(run('retry:250\nretry\n').retries).toEqual([250]);
  });

  it('reports retry in the middle of an event without dispatching it', () => {
    const parsed = run('data: a\nretry: 5\n\n');
    expect(parsed.retries).toEqual([5]);
    expect(parsed.events).toEqual([message('a')]);
  });

  it('reports comments, one leading space removed, and never dispatches them', () => {
    const parsed = run(': hello\n:  two\n:\n:no-space\n: a: b\n\n');
    expect(parsed.comments).toEqual(['hello', ' two', '', 'no-space', 'a: b']);
    expect(parsed.events).toEqual([]);
  });

  it('lets a comment sit inside an event without ending it', () => {
    const parsed = run('data: a\n: keep-alive\ndata: b\n\n');
    expect(parsed.events).toEqual([message('a\nb')]);
    expect(parsed.comments).toEqual(['keep-alive']);
  });

  it('reports an event\'s own id field apart from the id it inherits', () => {
    const events: ParsedEvent[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    parser.feed('id: 7\ndata: a\n\ndata: b\n\nid: 7\ndata: c\n\nid\ndata: d\n\nid: 8\n\ndata: e\n\n');
    expect(events.map((e) => [e.data, e.lastEventId, e.id])).toEqual([
      ['a', '7', '7'],
      ['b', '7', undefined],
      ['c', '7', '7'],
      ['d', '', ''],
      ['e', '8', undefined],
    ]);
  });

  it('reports an own id that arrives in pieces, and forgets it on reset()', () => {
    const events: ParsedEvent[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    parser.feed('i');
    parser.feed('d: 9\r');
    parser.feed('\ndata: a\n\n');
    parser.feed('id: 10\n');
    parser.reset();
    parser.feed('data: b\n\n');
    expect(events.map((e) => [e.data, e.lastEventId, e.id])).toEqual([
      ['a', '9', '9'],
      ['b', '', undefined],
    ]);
  });

  it('works without onRetry and onComment', () => {
    const events: ParsedEvent[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    parser.feed(': hi\nretry: 5\ndata: a\n\n');
    expect(events).toEqual([message('a')]);
  });

  it('delivers a 2 MB data line fed in 1 KB chunks intact', () => {
    let payload = '';
    for (let i = 0; payload.length < 2 * 1024 * 1024; i++) payload += `{"n":${i},"text":"lorem ipsum dolor sit amet"},`;
    const stream = `id: big\ndata: ${payload}\n\n`;
    const chunks: string[] = [];
    for (let i = 0; i < stream.length; i += 1024) chunks.push(stream.slice(i, i + 1024));
    const start = performance.now();
    const { events } = run(chunks);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.length).toBe(payload.length);
    expect(events[0]!.data === payload).toBe(true);
    expect(events[0]!.lastEventId).toBe('big');
    // Linear, not quadratic: 2048 chunks of a single line take milliseconds.
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('delivers a 2 MB event of many data lines fed in 1 KB chunks intact', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 200)}`);
    const stream = lines.map((line) => `data: ${line}\r\n`).join('') + '\r\n';
    const chunks: string[] = [];
    for (let i = 0; i < stream.length; i += 1024) chunks.push(stream.slice(i, i + 1024));
    const { events } = run(chunks);
    expect(events).toHaveLength(1);
    expect(events[0]!.data === lines.join('\n')).toBe(true);
  });

  it('joins 300 000 one-character data lines without running out of stack', () => {
    const { events } = run('data: x\n'.repeat(300_000) + '\n');
    expect(events).toHaveLength(1);
    expect(events[0]!.data.length).toBe(600_000 - 1);
    expect(events[0]!.data.endsWith('x\nx')).toBe(true);
  });

  it('keeps parsing a chunk of short lines after a long all-ASCII chunk and a non-ASCII one', () => {
    const ascii = 'data: ' + 'y'.repeat(100_000) + '\n\n';
    const small = 'id: 1\nevent: e\ndata: a\n\n'.repeat(50);
    const { events } = run([ascii, small, 'data: é\n\n', small.replace('data: a', 'data: ü')]);
    expect(events).toHaveLength(102);
    expect(events[0]!.data).toHaveLength(100_000);
    expect(events[1]).toEqual(message('a', '1', 'e'));
    expect(events[51]).toEqual(message('é', '1'));
    expect(events[52]).toEqual(message('ü', '1', 'e'));
  });

  it('stops parsing the chunk when a callback calls reset()', () => {
    const seen: string[] = [];
    const parser = createParser({
      onEvent: (event) => {
        seen.push(event.data);
        if (event.data === 'stop') parser.reset();
      },
    });
    parser.feed('id: 1\ndata: a\n\ndata: stop\n\ndata: lost\n\n');
    parser.feed('data: b\n\n');
    expect(seen).toEqual(['a', 'stop', 'b']);
  });

  it('lets an exception from a callback propagate and keeps what was parsed before it', () => {
    const seen: ParsedEvent[] = [];
    const parser = createParser({
      onEvent: (event) => {
        seen.push(spec(event));
        if (event.data === 'boom') throw new Error('listener failed');
      },
    });
    expect(() => parser.feed('id: 1\ndata: boom\n\ndata: lost\n\n')).toThrow('listener failed');
    parser.feed('data: after\n\n');
    expect(seen).toEqual([message('boom', '1'), message('after', '1')]);
  });

  it('throws a TypeError that says how to fix a missing onEvent', () => {
    // @ts-expect-error: onEvent is required
    expect(() => createParser({})).toThrow(/createParser\(\{ onEvent/);
    // @ts-expect-error: callbacks are required
    expect(() => createParser()).toThrow(TypeError);
    // @ts-expect-error: a bare function is not the callbacks object
    expect(() => createParser(() => {})).toThrow(/Did you mean createParser\(\{ onEvent: fn \}\)/);
  });

  it('throws a TypeError when fed bytes instead of text', () => {
    const parser = createParser({ onEvent: () => {} });
    // @ts-expect-error: feed() takes a string
    expect(() => parser.feed(new Uint8Array([100, 10]))).toThrow(/TextDecoder/);
  });

  it('throws when a callback feeds the same parser', () => {
    const parser = createParser({ onEvent: () => parser.feed('data: again\n\n') });
    expect(() => parser.feed('data: a\n\n')).toThrow(/called from one of its own callbacks/);
  });

  it('never throws on malformed input', () => {
    const parser = createParser({ onEvent: () => {}, onRetry: () => {}, onComment: () => {} });
    expect(() => {
      parser.feed('\0\uFFFF\uD800:::\r\r\n\n: \n retry: x\nid: \0\nevent\ndata');
      parser.feed('\uDC00\n\n');
    }).not.toThrow();
  });
});
