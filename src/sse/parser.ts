import type { ParsedEvent, Parser, ParserCallbacks } from './types';

const LF = 10;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfeff;

// Reading a character with charCodeAt costs several times more than reading a
// byte from a typed array, and the field-name checks read up to seven per line.
// So an all-ASCII chunk (most event streams) is first copied with one
// TextEncoder.encodeInto() call, after which byte i is character i. Chunks
// longer than this are read with charCodeAt (their lines are long anyway).
const MAX_BYTES = 1 << 16;
// Copying pays off only for short lines: after a chunk whose lines averaged
// more characters than this, the next chunk is not copied.
const COPY_LINE_LENGTH = 256;
// Copying a non-ASCII chunk is wasted (and slow): after one, this many chunks
// are not copied before trying again.
const NON_ASCII_WAIT = 16;

let encoder: TextEncoder | undefined;

/** The code unit at `i` of `s`, from `bytes` when `ascii` says they match. */
function at(s: string, bytes: Uint8Array, ascii: boolean, i: number): number {
  return ascii ? bytes[i] : s.charCodeAt(i);
}

/** Whether `bytes[from, to)` holds a zero byte (U+0000). */
function hasNul(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * Creates a streaming parser for a `text/event-stream` body that follows the
 * WHATWG HTML "Server-sent events" interpretation rules exactly
 * (§9.2.6 "Interpreting an event stream").
 *
 * Feed it the body as text decoded with the BOM kept
 * (`new TextDecoder('utf-8', { ignoreBOM: true })`, with `{ stream: true }`),
 * in any chunking: chunk boundaries never change what is reported.
 *
 * - Lines end with CRLF, LF or CR; a CRLF split across two chunks is one line end.
 * - One leading U+FEFF (BOM) is stripped at the start of the stream, and only one.
 * - An empty line dispatches the event: `onEvent({ type, data, lastEventId })`
 *   with `type` defaulting to `message` and `data` being the `data:` lines
 *   joined with `\n`. Nothing is dispatched while the data buffer is empty.
 * - `lastEventId` persists across events until an `id:` field changes it
 *   (`id:` with an empty value sets it to `''`; a value containing U+0000 is ignored).
 * - `retry:` with only ASCII digits calls `onRetry(ms)`; any other value is ignored.
 * - A comment line (`:` first) calls `onComment` with the rest of the line,
 *   one leading space removed.
 * - Unknown fields are ignored; a line without `:` is a field with an empty value.
 * - A trailing line or event that is not yet terminated waits for more input
 *   and is never dispatched on its own.
 *
 * Malformed input never throws. Exceptions thrown by a callback propagate out
 * of `feed()` and drop the rest of that chunk.
 *
 * @param callbacks - `onEvent` (required), `onRetry` and `onComment`.
 * @returns `{ feed, reset }`: `feed(chunk)` parses the next chunk of text;
 *   `reset()` forgets any partial line and event and treats the next chunk as
 *   the start of a new stream (a leading BOM is stripped again). Calling
 *   `reset()` from a callback stops parsing the chunk being fed.
 * @throws TypeError when `callbacks.onEvent` is not a function, or when
 *   `feed()` is given something other than a string.
 *
 * @example
 * ```ts
 * const parser = createParser({
 *   onEvent: ({ type, data, lastEventId }) => console.log(type, data, lastEventId),
 *   onRetry: (ms) => console.log('server asks for', ms, 'ms'),
 * });
 * const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
 * for await (const bytes of body) parser.feed(decoder.decode(bytes, { stream: true }));
 * ```
 */
export function createParser(callbacks: ParserCallbacks): Parser {
  if (callbacks === null || typeof callbacks !== 'object' || typeof callbacks.onEvent !== 'function') {
    throw new TypeError(
      typeof callbacks === 'function'
        ? 'createParser() takes an object of callbacks, got a function. Did you mean createParser({ onEvent: fn })?'
        : 'createParser() needs an onEvent callback: createParser({ onEvent(event) { … } }).',
    );
  }
  const { onEvent, onRetry, onComment } = callbacks;

  // Fragments of the current, not yet terminated line; joined once when it ends
  // so that a huge line arriving in many small chunks costs linear time.
  let pending: string[] = [];
  // Whether the next chunk starts the stream (its BOM, if any, is stripped).
  let streamStart = true;
  // The previous chunk ended with CR: a LF opening the next chunk belongs to it.
  let skipLF = false;
  // Bumped by reset() so that a feed() interrupted by a callback stops.
  let generation = 0;
  let feeding = false;

  // The spec's buffers. `hasData` is "the data buffer is not empty"; `data`
  // holds the buffer without its trailing LF, so dispatch needs no slicing.
  // scan() works on local copies and writes them back when it stops.
  let data = '';
  let hasData = false;
  let eventType = '';
  let lastEventId = '';
  // The current event block had an `id:` field of its own (ParsedEvent.id).
  let idSet = false;

  // This parser's byte copy of the chunk being scanned (see MAX_BYTES), and
  // how many chunks to scan before copying again.
  let bytes = new Uint8Array(0);
  let copyWait = 0;

  /**
   * The spec's "process the line" steps for a complete, non-empty line: the
   * general path, for what scan() has no fast path for and for a line that
   * arrived in pieces. Works on the closure's buffers.
   */
  function processLine(line: string): void {
    const colon = line.indexOf(':');
    if (colon === 0) {
      if (onComment) onComment(line.slice(line.charCodeAt(1) === SPACE ? 2 : 1));
      return;
    }
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data = hasData ? data + '\n' + value : value;
        hasData = true;
        break;
      case 'id':
        if (value.indexOf('\0') === -1) {
          lastEventId = value;
          idSet = true;
        }
        break;
      case 'retry':
        if (onRetry && isDigits(value)) onRetry(parseInt(value, 10));
        break;
      // Any other field is ignored.
    }
  }

  /**
   * Handles every complete line of `s` from `pos`, then keeps the unterminated
   * rest in `pending`. This loop is the hot path: the common lines are handled
   * inline and the buffers live in locals until it stops.
   */
  function scan(s: string, pos: number, gen: number): void {
    const len = s.length;
    let ascii = false;
    if (copyWait > 0) {
      copyWait--;
    } else if (len <= MAX_BYTES) {
      if (bytes.length < len) bytes = new Uint8Array(MAX_BYTES);
      encoder ??= new TextEncoder();
      const { read, written } = encoder.encodeInto(s, bytes);
      ascii = read === len && written === len;
      if (!ascii) copyWait = NON_ASCII_WAIT;
    }
    const b = bytes;
    const scanStart = pos;
    let lines = 0;
    let dataBuf = data;
    let dataSet = hasData;
    let type = eventType;
    let id = lastEventId;
    let own = idSet;
    // Next LF and CR at or after `pos`; `len` when there is none. A CR is
    // searched again only once passed, so a rare CR costs one search per chunk
    // rather than one per line.
    let lf = s.indexOf('\n', pos);
    if (lf === -1) lf = len;
    let cr = s.indexOf('\r', pos);
    if (cr === -1) cr = len;

    try {
      for (;;) {
        const end = lf < cr ? lf : cr;
        if (end === len) break;
        lines++;

        // The line is s[pos, end). The character at `end` is CR or LF, so the
        // prefix checks below never match past the line.
        if (pos === end) {
          // "Dispatch the event".
          if (dataSet) {
            const event: ParsedEvent = { type: type === '' ? 'message' : type, data: dataBuf, lastEventId: id, id: own ? id : undefined };
            dataBuf = '';
            dataSet = false;
            type = '';
            own = false;
            onEvent(event);
            if (gen !== generation) return;
          } else {
            type = '';
            own = false;
          }
        } else {
          const c = at(s, b, ascii, pos);
          if (c === 100 && at(s, b, ascii, pos + 1) === 97 && at(s, b, ascii, pos + 2) === 116 && at(s, b, ascii, pos + 3) === 97 && at(s, b, ascii, pos + 4) === COLON) {
            // "data:"
            const value = s.slice(at(s, b, ascii, pos + 5) === SPACE ? pos + 6 : pos + 5, end);
            if (dataSet) {
              dataBuf = dataBuf + '\n' + value;
            } else {
              dataBuf = value;
              dataSet = true;
            }
          } else if (c === 105 && at(s, b, ascii, pos + 1) === 100 && at(s, b, ascii, pos + 2) === COLON) {
            // "id:"; a value containing U+0000 is ignored. (Never search a
            // whole chunk for U+0000: in a two-byte string, V8 stops at every
            // ASCII character's zero high byte.)
            const from = at(s, b, ascii, pos + 3) === SPACE ? pos + 4 : pos + 3;
            const value = s.slice(from, end);
            if (ascii ? !hasNul(b, from, end) : value.indexOf('\0') === -1) {
              id = value;
              own = true;
            }
          } else if (c === 101 && at(s, b, ascii, pos + 1) === 118 && at(s, b, ascii, pos + 2) === 101 && at(s, b, ascii, pos + 3) === 110 && at(s, b, ascii, pos + 4) === 116 && at(s, b, ascii, pos + 5) === COLON) {
            // "event:"
            type = s.slice(at(s, b, ascii, pos + 6) === SPACE ? pos + 7 : pos + 6, end);
          } else if (c === COLON) {
            if (onComment) {
              onComment(s.slice(at(s, b, ascii, pos + 1) === SPACE ? pos + 2 : pos + 1, end));
              if (gen !== generation) return;
            }
          } else {
            data = dataBuf;
            hasData = dataSet;
            eventType = type;
            lastEventId = id;
            idSet = own;
            processLine(s.slice(pos, end));
            if (gen !== generation) return;
            dataBuf = data;
            dataSet = hasData;
            type = eventType;
            id = lastEventId;
            own = idSet;
          }
        }

        pos = end + 1;
        if (end === cr) {
          if (pos === len) {
            // A CR ending the chunk: a LF opening the next chunk completes the CRLF.
            skipLF = true;
            break;
          }
          if (s.charCodeAt(pos) === LF) pos++;
          cr = s.indexOf('\r', pos);
          if (cr === -1) cr = len;
          if (lf < pos) {
            lf = s.indexOf('\n', pos);
            if (lf === -1) lf = len;
          }
        } else {
          lf = s.indexOf('\n', pos);
          if (lf === -1) lf = len;
        }
      }
      if (pos < len) pending.push(pos === 0 ? s : s.slice(pos));
      if (copyWait === 0 && lines * COPY_LINE_LENGTH < pos - scanStart) copyWait = 1;
    } finally {
      // Keeps what was parsed even when a callback throws, but never
      // overwrites the fresh state of a reset() called from a callback.
      if (gen === generation) {
        data = dataBuf;
        hasData = dataSet;
        eventType = type;
        lastEventId = id;
        idSet = own;
      }
    }
  }

  function feed(chunk: string): void {
    if (typeof chunk !== 'string') {
      throw new TypeError(
        'parser.feed() takes text: decode the bytes first, with new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes, { stream: true }).',
      );
    }
    if (feeding) {
      throw new Error('parser.feed() was called from one of its own callbacks; feed the next chunk after feed() returns.');
    }
    const len = chunk.length;
    if (len === 0) return;
    const gen = generation;
    let pos = 0;
    if (streamStart) {
      streamStart = false;
      if (chunk.charCodeAt(0) === BOM) pos = 1;
    }
    if (skipLF && pos < len) {
      skipLF = false;
      if (chunk.charCodeAt(pos) === LF) pos++;
    }
    if (pos === len) return;

    feeding = true;
    try {
      if (pending.length !== 0) {
        // The line in `pending` ends in this chunk, or not yet. It is handled
        // apart from scan() so that scan() only ever sees whole chunks.
        // (A chunk ending in CR leaves nothing pending, so skipLF was false.)
        let end = chunk.indexOf('\n', pos);
        // Looking back from the first LF keeps a CR-less chunk from being searched twice.
        const cr = end === -1 || chunk.lastIndexOf('\r', end) >= pos ? chunk.indexOf('\r', pos) : -1;
        if (cr !== -1 && (end === -1 || cr < end)) end = cr;
        if (end === -1) {
          pending.push(pos === 0 ? chunk : chunk.slice(pos));
          return;
        }
        const line = pending.join('') + chunk.slice(pos, end);
        pending = [];
        // Non-empty: `pending` only ever holds non-empty fragments.
        processLine(line);
        if (gen !== generation) return;
        pos = end + 1;
        if (end === cr) {
          if (pos === len) {
            skipLF = true;
            return;
          }
          if (chunk.charCodeAt(pos) === LF) pos++;
        }
        if (pos === len) return;
      }
      scan(chunk, pos, gen);
    } finally {
      feeding = false;
    }
  }

  function reset(): void {
    generation++;
    pending = [];
    streamStart = true;
    skipLF = false;
    data = '';
    hasData = false;
    eventType = '';
    lastEventId = '';
    idSet = false;
  }

  return { feed, reset };
}

/** Whether `value` is one or more ASCII digits, as `retry` requires. */
function isDigits(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
