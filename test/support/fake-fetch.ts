/**
 * A driven fake `fetch` for SSE: each call opens a stream the test writes to,
 * and the test sees every request (url, headers) and how many are still open.
 */
export interface FakeStream {
  url: string;
  headers: Record<string, string>;
  credentials?: RequestCredentials;
  /** Sends raw SSE text. */
  send(text: string): void;
  /** Ends the body cleanly. */
  end(): void;
  /** Errors the body (a dropped connection). */
  drop(): void;
  /** The client aborted or cancelled this request. */
  readonly closed: boolean;
}

export interface FakeFetch {
  fetch: typeof fetch;
  streams: FakeStream[];
  /** Requests whose body the client has not released. */
  open(): number;
  /** Answers the next request with this status instead of a stream. */
  respond(status: number, init?: { headers?: Record<string, string>; body?: string }): void;
  /** Makes the next request reject like a network error. */
  failNext(): void;
  /** The newest stream. */
  last(): FakeStream;
}

export function createFakeFetch(): FakeFetch {
  const streams: FakeStream[] = [];
  const queued: (() => Response | Promise<never>)[] = [];
  const encoder = new TextEncoder();
  const fake = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const next = queued.shift();
    if (next) return next();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let closed = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        closed = true;
      },
    });
    init.signal?.addEventListener('abort', () => {
      closed = true;
    });
    const stream: FakeStream = {
      url: String(input),
      headers,
      credentials: init.credentials,
      send: (text) => !closed && controller.enqueue(encoder.encode(text)),
      end: () => {
        if (!closed) controller.close();
        closed = true;
      },
      drop: () => {
        if (!closed) controller.error(new TypeError('network error'));
        closed = true;
      },
      get closed() {
        return closed;
      },
    };
    streams.push(stream);
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return {
    fetch: fake,
    streams,
    open: () => streams.filter((s) => !s.closed).length,
    respond(status, init = {}) {
      queued.push(() => new Response(init.body ?? null, { status, headers: init.headers }));
    },
    failNext() {
      queued.push(() => Promise.reject(new TypeError('Failed to fetch')));
    },
    last: () => streams[streams.length - 1],
  };
}
