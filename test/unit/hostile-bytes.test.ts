/**
 * What test/unit/parser-property.test.ts does not cover: random *bytes* (not text) cut at random
 * byte boundaries, through the same UTF-8 decoding and the same transport the widget uses, and
 * inputs built to make a parser slow (a hang is a failure too).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createParser } from '../../src/sse/parser';
import { FetchEventSource } from '../../src/sse/transport-fetch';
import type { ParsedEvent } from '../../src/sse/types';
import { cutAt } from '../support/cut';
import { parseChunks, type Report } from '../support/parse-report';

let runs = 0;

/** The bytes as the transport decodes them: UTF-8, BOM kept, streaming across chunk cuts. */
function parseBytes(chunks: Uint8Array[]): Report[] {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return parseChunks(chunks.map((chunk) => decoder.decode(chunk, { stream: true })));
}

const encoder = new TextEncoder();
const bytesOf = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...encoder.encode(part)] : part)));

// Byte soup biased towards what matters: field names, line ends, the BOM, multi-byte
// characters (which a chunk cut can split) and invalid UTF-8.
const piece = fc.oneof(
  fc.constantFrom('data:', 'data: ', 'id:', 'id: ', 'event:', 'retry:', 'retry: 10', ':', '\n', '\r', '\r\n', '\n\n', ' ', '{"title":"<b>x</b>"}').map((s) => [...encoder.encode(s)]),
  fc.constantFrom([0xef, 0xbb, 0xbf], [0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80], [0xe2, 0x80, 0xae], [0x00], [0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf0, 0x9f]),
  fc.uint8Array({ maxLength: 8 }).map((a) => [...a]),
);
const soup = fc.array(piece, { maxLength: 60 }).map((parts) => Uint8Array.from(parts.flat()));
const cuts = fc.array(fc.nat(), { maxLength: 16 });

/** A fetch whose body is `chunks`, then ends. */
const fetchOf = (chunks: Uint8Array[]) =>
  (async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream' } },
    )) as unknown as typeof fetch;

/** Every event the fetch transport delivers for a body of `chunks`, until the body ends. */
function transport(chunks: Uint8Array[]): Promise<ParsedEvent[]> {
  return new Promise((resolve) => {
    const events: ParsedEvent[] = [];
    const source = new FetchEventSource('http://127.0.0.1:9/events', {
      fetch: fetchOf(chunks),
      reconnect: false,
      onEvent: (event) => events.push({ ...event }),
    });
    source.onerror = () => {
      source.close();
      resolve(events);
    };
  });
}

describe('stream fuzzing with random bytes', () => {
  it('reports the same for random bytes cut anywhere, multi-byte characters included, as for the whole body', () => {
    fc.assert(
      fc.property(soup, cuts, (bytes, at) => {
        expect(parseBytes(cutAt(bytes, at))).toEqual(parseBytes([bytes]));
      }),
      { numRuns: 3000 },
    );
    runs += 3000;
  });

  it('delivers the same events through the fetch transport for any chunking of random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(soup, cuts, async (bytes, at) => {
        const whole = parseBytes([bytes]).filter((r) => r[0] === 'event');
        const events = await transport(cutAt(bytes, at));
        expect(events.map((e) => ['event', e.type, e.data, e.lastEventId])).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
    runs += 1000;
  });

  it('keeps an emoji split across two reads whole', async () => {
    const bytes = bytesOf('data: ', [0xf0, 0x9f, 0x98, 0x80], '\n\n');
    for (let i = 0; i <= bytes.length; i++) {
      const events = await transport([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(events.map((e) => e.data)).toEqual(['😀']);
    }
  });

  it('strips exactly one BOM even when its three bytes arrive one at a time', async () => {
    const bytes = bytesOf([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'data: x\n\n');
    const events = await transport([...bytes].map((b) => Uint8Array.of(b)));
    // The second BOM is part of the first field name, which is then not "data".
    expect(events).toEqual([]);
    const one = await transport([...bytesOf([0xef, 0xbb, 0xbf], 'data: x\n\n')].map((b) => Uint8Array.of(b)));
    expect(one.map((e) => e.data)).toEqual(['x']);
  });
});

describe('stream fuzzing against slow paths', () => {
  /** Milliseconds `fn` takes. */
  const time = (fn: () => void) => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };

  // A parser that rescans what it buffered on every chunk is quadratic: a 4 MB line in 4 KB
  // chunks would then take minutes. Linear parsing takes well under a second on any machine.
  it('parses a 4 MB data line fed in 4 KB chunks in linear time', () => {
    const line = 'data: ' + 'x'.repeat(4 * 1024 * 1024);
    const chunks: string[] = [];
    for (let i = 0; i < line.length; i += 4096) chunks.push(line.slice(i, i + 4096));
    chunks.push('\n\n');
    let reports: Report[] = [];
    const ms = time(() => (reports = parseChunks(chunks)));
    expect(reports).toHaveLength(1);
    expect(ms).toBeLessThan(3000);
    console.log(`4 MB line in 1025 chunks: ${ms.toFixed(0)} ms`);
  });

  it('parses a megabyte of bare CRs, of blank lines and of colons without hanging', () => {
    for (const unit of ['\r', '\n', '\r\n', ':', 'data\n', 'id\n', 'retry: 1\n']) {
      const text = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += 1000) chunks.push(text.slice(i, i + 1000));
      const ms = time(() => parseChunks(chunks));
      expect(ms, JSON.stringify(unit)).toBeLessThan(3000);
    }
  });

  it('parses a hundred thousand one-line events, one character per feed, without hanging', () => {
    const text = 'data:a\n\n'.repeat(100_000);
    let reports: Report[] = [];
    const ms = time(() => {
      const parser = createParser({ onEvent: () => reports.push(['event', '', '', '']) });
      for (let i = 0; i < text.length; i++) parser.feed(text[i]!);
    });
    expect(reports).toHaveLength(100_000);
    expect(ms).toBeLessThan(5000);
  });

  it('reports the number of fuzz runs', () => {
    console.log(`stream byte fuzz: ${runs} runs`);
    expect(runs).toBe(4000);
  });
});
