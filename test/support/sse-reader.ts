/**
 * A deliberately simple SSE reader for tests of servers: fetch, read the body stream, split on
 * line ends, collect events, comments and `retry:`. Independent of the widget's own parser so a
 * parser bug cannot hide a server bug (and the other way round).
 */

/** One dispatched event. `id` is the last event id at dispatch time, as in the WHATWG model. */
export interface SseMessage {
  type: string;
  data: string;
  id: string;
}

export interface SseStream {
  response: Response;
  status: number;
  /** Dispatched events, in order. */
  events: SseMessage[];
  /** Comment lines, without the leading colon. */
  comments: string[];
  /** Every `retry:` value seen, in order. */
  retries: number[];
  /** Every byte read, decoded. */
  text: string;
  /** True once the body ended or failed (the server closed or destroyed the stream). */
  ended: boolean;
  /** Resolves once `predicate()` holds, checked after each chunk; rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Resolves with the first `count` events once that many arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves when the stream has ended. */
  waitForEnd(timeoutMs?: number): Promise<void>;
  /** Aborts the request (the server sees the socket close). */
  close(): void;
}

/** Opens `url` with fetch; resolves once the response headers arrive. */
export async function openSse(url: string, init: { headers?: Record<string, string> } = {}): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...init.headers },
    signal: controller.signal,
  });
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  let partial = '';
  let data: string[] = [];
  let type = '';
  let lastId = '';

  const stream: SseStream = {
    response,
    status: response.status,
    events: [],
    comments: [],
    retries: [],
    text: '',
    ended: false,
    until(predicate, timeoutMs = 3000, what = 'condition') {
      return new Promise((resolve, reject) => {
        if (predicate()) return resolve();
        const check = () => {
          if (!predicate()) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(stream.text)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    async waitForEvents(count, timeoutMs) {
      await stream.until(() => stream.events.length >= count, timeoutMs, `${count} events`);
      return stream.events.slice(0, count);
    },
    waitForEnd(timeoutMs) {
      return stream.until(() => stream.ended, timeoutMs, 'the end of the stream');
    },
    close() {
      controller.abort();
    },
  };

  const onLine = (line: string) => {
    if (line === '') {
      if (data.length > 0) stream.events.push({ type: type || 'message', data: data.join('\n'), id: lastId });
      data = [];
      type = '';
      return;
    }
    if (line.startsWith(':')) {
      stream.comments.push(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') type = value;
    else if (field === 'id') lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) stream.retries.push(Number(value));
  };

  void (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        stream.text += text;
        partial += text;
        const lines = partial.split(/\r\n|\r|\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
        notify();
      }
    } catch {
      // aborted by close(), or the server destroyed the socket: both just end the stream
    }
    stream.ended = true;
    notify();
  })();

  return stream;
}
