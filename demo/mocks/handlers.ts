/**
 * MSW handlers that put the in-memory {@link Backend} behind the demo's HTTP API:
 * the SSE stream `GET /api/events` (SPEC §5: query channels, the subscribe
 * protocol, resume by `Last-Event-ID` or `lastEventId`, heartbeats) and the
 * POST endpoints the control panel drives (SPEC §7).
 *
 * Every timer here has an owner: a stream's timers die with the stream (request
 * aborted, body cancelled, or dropped by the backend), the "live feel" ticker
 * runs only while at least one stream is open, and task timers end with their
 * task or with {@link DemoHandlers.dispose}.
 *
 * Heartbeats: MSW 2.15's `client.send()` writes only `id`/`event`/`data`/`retry`
 * fields and has no way to write a comment line (`:heartbeat`). The closest
 * thing its public API can put on the wire is an empty frame, a lone line feed
 * (`client.send({})`): a blank line dispatches nothing (WHATWG: empty data
 * buffer) but is a byte the fetch transport's watchdog sees. So that is the
 * heartbeat here; a real server (`sse-notify/server`) sends `:heartbeat`.
 *
 * @module
 */
import { http, HttpResponse, sse, type RequestHandler } from 'msw';
import { createBackend, type Backend, type LoggedEvent } from './backend';

/**
 * The demo stream's built-in event types, data already serialised (`message`
 * data may be absent: the empty heartbeat frame). Custom types from
 * `POST /api/broadcast` (`event`) go out too: see `sendFrame`.
 */
type DemoEventMap = { message: string | undefined; notification: string; progress: string };

/** What the stream resolver gets as `client` (send, close, error). */
type StreamClient = Parameters<Parameters<typeof sse<DemoEventMap>>[1]>[0]['client'];

/** One queued frame: an event or a lone `retry:` field. */
type Frame = { id?: string; event?: string; data: string } | { retry: number };

/** Options of {@link createDemoHandlers}; the defaults are the demo's. */
export interface DemoHandlerOptions {
  /** The backend to serve; default a new one. */
  backend?: Backend;
  /** Prefix of every endpoint; default `/api` (relative: the page origin; Node needs an absolute one). */
  base?: string;
  /** The `retry:` each stream sends first; default 2000 ms. */
  retryMs?: number;
  /** Heartbeat period per stream; default 15 000 ms; `0` disables. */
  heartbeatMs?: number;
  /** Period of the rotating demo notification while any stream is open; default 8000 ms; `0` disables. */
  tickerMs?: number;
  /** Delay between a task's progress events; default 700 ms. */
  progressStepMs?: number;
  /** The delay `slow: true` sets; default 1500 ms. */
  slowMs?: number;
  /** Frames a stream may hold (heartbeat-only, slow) before it is dropped; default 1000. */
  maxQueue?: number;
}

/** What {@link createDemoHandlers} returns. */
export interface DemoHandlers {
  /** In order: the 503/401 gate, the SSE stream, the POST endpoints. */
  handlers: RequestHandler[];
  backend: Backend;
  /** Stops tasks and the ticker and drops every stream (tests, hot reload). */
  dispose(): void;
}

/** The notification a new client receives: no resume id, or one this server never issued. */
export const WELCOME = { title: 'Welcome', body: 'Connected to the demo server', level: 'info' } as const;

/** The rotating notifications of the "live feel" ticker. */
export const AMBIENT_NOTIFICATIONS: ReadonlyArray<Readonly<Record<string, string>>> = [
  { title: 'New order', body: 'Order #1042 was paid', level: 'success' },
  { title: 'Comment', body: 'Ana replied to your post', level: 'info' },
  { title: 'Disk space', body: 'Volume /data is 85% full', level: 'warning' },
  { title: 'Deploy', body: 'Build #311 is live', level: 'success' },
  { title: 'Payment failed', body: 'Card ending 4242 was declined', level: 'error' },
  { title: 'Reminder', body: 'Stand-up in 10 minutes', level: 'info' },
];

/** What a task's last progress event says (as `message`, the field the common server examples use). */
const TASK_ENDINGS: Record<string, { message: string }> = {
  completed: { message: 'Your report is ready' },
  failed: { message: 'Stopped at 60 %: the import source went away' },
};

const FAULT_FIELDS = {
  outageMs: 'number',
  unauthorized: 'boolean',
  drop: 'boolean',
  heartbeatOnly: 'boolean',
  burst: 'number',
  malformed: 'boolean',
  authRequired: 'boolean',
} as const;

/** Body of `POST /api/faults`. */
export interface FaultRequest {
  /** Answer 503 for this many ms (dropping open streams); `0` ends an outage. */
  outageMs?: number;
  /** 401 unless the demo token is sent; switching it on drops open streams. */
  unauthorized?: boolean;
  /** Drop every open stream now (`client.error()`). */
  drop?: boolean;
  /** Streams send only heartbeats until switched off, then catch up. */
  heartbeatOnly?: boolean;
  /** Delay each frame: `true` for the default delay, a number of ms, `false`/`0` for none. */
  slow?: boolean | number;
  /** Publish this many notifications at once (at most {@link MAX_BURST}). */
  burst?: number;
  /** Publish one `notification` whose data is not JSON. */
  malformed?: boolean;
  /** Require the demo token on new streams. */
  authRequired?: boolean;
}

/** The largest `burst` honoured (the log's default size). */
export const MAX_BURST = 500;

/** The data of the malformed event the `malformed` fault publishes. */
export const MALFORMED_DATA = '{"title": broken';

/**
 * Builds the demo API on a backend. The module also exports one ready-made
 * instance ({@link handlers}, {@link backend}) for the demo page.
 */
export function createDemoHandlers(options: DemoHandlerOptions = {}): DemoHandlers {
  const backend = options.backend ?? createBackend();
  const base = options.base ?? '/api';
  const retryMs = options.retryMs ?? 2000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const progressStepMs = options.progressStepMs ?? 700;
  const defaultSlowMs = options.slowMs ?? 1500;
  const maxQueue = options.maxQueue ?? 1000;

  const ticker = createTicker(options.tickerMs ?? 8000, (n) => {
    const item = AMBIENT_NOTIFICATIONS[n % AMBIENT_NOTIFICATIONS.length]!;
    backend.publish({ event: 'notification', data: item });
  });

  const tasks = new Map<string, ReturnType<typeof setTimeout>>();
  let taskSeq = 0;

  /** Publishes a task's progress events, one now and one per step: 0 → 100 (or `failed` at 60). */
  const startTask = (input: { title: string; channel?: string; userId?: string; fail: boolean }): string => {
    const taskId = `t-${++taskSeq}`;
    let progress = 0;
    const step = (): void => {
      tasks.delete(taskId);
      const status =
        progress === 0 ? 'started' : progress >= 100 ? 'completed' : input.fail && progress >= 60 ? 'failed' : 'processing';
      backend.publish({
        event: 'progress',
        data: { taskId, progress, status, title: input.title, ...TASK_ENDINGS[status] },
        ...(input.channel ? { channel: input.channel } : {}),
        ...(input.userId ? { userId: input.userId } : {}),
      });
      if (status === 'completed' || status === 'failed') return;
      progress += 20;
      tasks.set(taskId, setTimeout(step, progressStepMs));
    };
    step();
    return taskId;
  };

  const openStream = (client: StreamClient, request: Request): void => {
    const url = new URL(request.url);
    const channels = readChannels(url);
    const userId = url.searchParams.get('userId') || undefined;
    const resumeId = request.headers.get('last-event-id') || url.searchParams.get('lastEventId') || '';

    let closed = false;
    let clientId = '';
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let releaseTicker = (): void => {};
    let offChange = (): void => {};
    let offClosed = (): void => {};

    const outbox = createOutbox({
      write: (frame) => sendFrame(client, frame),
      holding: () => backend.faults.heartbeatOnly,
      delayMs: () => backend.faults.slowMs,
      maxQueue,
      onOverflow: () => drop(),
    });
    const cleanup = (): void => {
      if (closed) return;
      closed = true;
      if (heartbeat !== undefined) clearInterval(heartbeat);
      outbox.close();
      releaseTicker();
      offChange();
      offClosed();
      request.signal.removeEventListener('abort', cleanup);
      backend.disconnect(clientId);
    };
    const drop = (): void => {
      cleanup();
      client.error();
    };

    // An id this server never issued comes from a previous instance (the demo's server lives in
    // the page, so a reload restarts it while sessionStorage keeps the id): that client is new here.
    const known = /^\d+$/.test(resumeId) && Number(resumeId) <= Number(backend.lastId() || 0);
    // Synchronous from here on: nothing can be published between the replay and the registration.
    const replay = known ? backend.since(resumeId, { channels, ...(userId ? { userId } : {}) }) : [];
    const position = backend.lastId() || '0';
    clientId = backend.connect({
      channels,
      ...(userId ? { userId } : {}),
      sink: { deliver: (event) => outbox.push(toFrame(event)), drop },
    }).clientId;

    outbox.push({ retry: retryMs });
    // A new client gets the log position as its first id: without one, a client dropped before
    // any event with an id arrived would reconnect as new and miss what was sent meanwhile.
    outbox.push({ ...(known ? {} : { id: position }), data: JSON.stringify({ type: 'connected', clientId }) });
    for (const event of replay) outbox.push(toFrame(event));
    if (!known) outbox.push({ event: 'notification', data: JSON.stringify(WELCOME) });

    if (heartbeatMs > 0) {
      heartbeat = setInterval(() => {
        if (!closed) client.send({});
      }, heartbeatMs);
    }
    releaseTicker = ticker.acquire();
    offChange = backend.onChange(() => outbox.pump());
    offClosed = onClientGone(client, cleanup);
    if (request.signal.aborted) cleanup();
    else request.signal.addEventListener('abort', cleanup, { once: true });
  };

  const handlers: RequestHandler[] = [
    // An sse() resolver cannot answer with a status: this gate answers 503/401 first, else falls through.
    http.get(`${base}/events`, ({ request }) => {
      const remaining = backend.outageRemaining();
      if (remaining > 0) {
        const seconds = Math.max(1, Math.ceil(remaining / 1000));
        return HttpResponse.json(
          { error: 'unavailable', retryAfter: seconds },
          { status: 503, headers: { 'Retry-After': String(seconds) } },
        );
      }
      const token = new URL(request.url).searchParams.get('token');
      if (!backend.isAuthorized({ authorization: request.headers.get('authorization'), token })) {
        return HttpResponse.json(
          { error: 'unauthorized' },
          { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="sse-notify-demo"' } },
        );
      }
      return undefined;
    }),

    sse<DemoEventMap>(`${base}/events`, ({ client, request }) => {
      openStream(client, request);
    }),

    http.post(`${base}/events/subscribe`, async ({ request }) => {
      const body = await readSubscription(request);
      if (!body) return badRequest('expected {"clientId": string, "channel": string}');
      if (!backend.subscribe(body.clientId, body.channel)) return unknownClient(body.clientId);
      return HttpResponse.json(clientChannels(backend, body.clientId));
    }),

    http.post(`${base}/events/unsubscribe`, async ({ request }) => {
      const body = await readSubscription(request);
      if (!body) return badRequest('expected {"clientId": string, "channel": string}');
      if (!backend.unsubscribe(body.clientId, body.channel)) return unknownClient(body.clientId);
      return HttpResponse.json(clientChannels(backend, body.clientId));
    }),

    http.post(`${base}/broadcast`, async ({ request }) => {
      const body = await readNotification(request);
      if (!body) return badRequest('expected a JSON object with an optional string "event"');
      return HttpResponse.json(backend.publish({ event: body.event, data: body.data }));
    }),

    http.post(`${base}/notify/:userId`, async ({ request, params }) => {
      const body = await readNotification(request);
      if (!body) return badRequest('expected a JSON object with an optional string "event"');
      return HttpResponse.json(backend.publish({ event: body.event, data: body.data, userId: String(params.userId) }));
    }),

    http.post(`${base}/channel/:channel`, async ({ request, params }) => {
      const body = await readNotification(request);
      if (!body) return badRequest('expected a JSON object with an optional string "event"');
      const channel = String(params.channel);
      return HttpResponse.json(backend.publish({ event: body.event, data: { channel, ...body.data }, channel }));
    }),

    http.post(`${base}/process`, async ({ request }) => {
      const body = await readJsonObject(request);
      if (!body) return badRequest('expected a JSON object');
      const taskId = startTask({
        title: typeof body.title === 'string' ? body.title : 'Generating report',
        fail: body.fail === true,
        ...(typeof body.channel === 'string' && body.channel ? { channel: body.channel } : {}),
        ...(typeof body.userId === 'string' && body.userId ? { userId: body.userId } : {}),
      });
      return HttpResponse.json({ taskId });
    }),

    http.post(`${base}/faults`, async ({ request }) => {
      const body = await readJsonObject(request);
      if (!body) return badRequest('expected a JSON object');
      for (const [key, type] of Object.entries(FAULT_FIELDS)) {
        if (body[key] !== undefined && typeof body[key] !== type) return badRequest(`"${key}" must be a ${type}`);
      }
      if (body.slow !== undefined && typeof body.slow !== 'boolean' && typeof body.slow !== 'number') {
        return badRequest('"slow" must be a boolean or a number of ms');
      }
      const f = body as FaultRequest;
      const openBefore = backend.clients().length;

      backend.setFaults({
        ...(f.unauthorized === undefined ? {} : { unauthorized: f.unauthorized }),
        ...(f.authRequired === undefined ? {} : { authRequired: f.authRequired }),
        ...(f.heartbeatOnly === undefined ? {} : { heartbeatOnly: f.heartbeatOnly }),
        ...(f.slow === undefined ? {} : { slowMs: f.slow === true ? defaultSlowMs : f.slow === false ? 0 : f.slow }),
      });
      if (f.outageMs !== undefined) backend.startOutage(f.outageMs);
      if (f.drop) backend.dropAll();
      const dropped = openBefore - backend.clients().length;
      // Published after any outage/drop, so clients get these by replay when they resume.
      const published: string[] = [];
      if (f.malformed) published.push(backend.publish({ event: 'notification', data: MALFORMED_DATA }).id);
      const burst = Math.min(Math.max(0, Math.floor(f.burst ?? 0)), MAX_BURST);
      for (let i = 1; i <= burst; i++) {
        const level = (['info', 'success', 'warning', 'error'] as const)[i % 4];
        published.push(
          backend.publish({ event: 'notification', data: { title: `Burst ${i}/${burst}`, body: `Notification ${i} of ${burst}`, level } }).id,
        );
      }
      return HttpResponse.json({
        faults: backend.faults,
        outageRemainingMs: backend.outageRemaining(),
        dropped,
        published,
      });
    }),
  ];

  return {
    handlers,
    backend,
    dispose() {
      for (const timer of tasks.values()) clearTimeout(timer);
      tasks.clear();
      backend.dropAll();
      ticker.dispose();
    },
  };
}

const demo = createDemoHandlers();

/** The demo's handlers, in the order they must be registered. */
export const handlers: RequestHandler[] = demo.handlers;

/** The demo's backend, for the control panel to read and drive. */
export const backend: Backend = demo.backend;

// --- helpers -------------------------------------------------------------------

/** Channels from the repeated `channel` and `topic` parameters (a value may also list several). */
function readChannels(url: URL): string[] {
  const raw = [...url.searchParams.getAll('channel'), ...url.searchParams.getAll('topic')];
  return [...new Set(raw.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean))];
}

/**
 * Writes one frame. The EventMap generic only checks names at compile time; on
 * the wire MSW writes any `event:` name, so a custom broadcast type is passed
 * through under a cast (its name was checked for CR/LF by the backend).
 */
function sendFrame(client: StreamClient, frame: Frame): void {
  if ('retry' in frame) client.send({ retry: frame.retry });
  else if (frame.event === undefined || frame.event === 'message') client.send({ id: frame.id, data: frame.data });
  else client.send({ id: frame.id, event: frame.event as 'notification', data: frame.data });
}

function toFrame(event: LoggedEvent): Frame {
  return { id: event.id, data: event.data, ...(event.event === 'message' ? {} : { event: event.event }) };
}

let warnedNoEmitter = false;

/**
 * Calls `onGone` when MSW closes or errors the client by itself. In the browser
 * the handler's `request.signal` never aborts (checked in Chromium with MSW
 * 2.15: not on a fetch abort, a body cancel or `EventSource.close()`); what
 * reaches the page is the response stream's cancellation, which MSW turns into
 * `client.close()` and reports only on a per-connection emitter under
 * `Symbol.for('kClientEmitter')`. That is internal API, hence feature-detected:
 * without it the abort signal (Node) is the only notice, and a warning says so.
 */
function onClientGone(client: StreamClient, onGone: () => void): () => void {
  const emitter = (client as unknown as Record<symbol, unknown>)[Symbol.for('kClientEmitter')] as
    | { on?: (type: string, listener: () => void) => void; removeListener?: (type: string, listener: () => void) => void }
    | undefined;
  if (typeof emitter?.on !== 'function') {
    if (!warnedNoEmitter) console.warn('[demo mocks] MSW client emitter not found: closed streams may linger in the browser');
    warnedNoEmitter = true;
    return () => {};
  }
  emitter.on('close', onGone);
  emitter.on('error', onGone);
  return () => {
    emitter.removeListener?.('close', onGone);
    emitter.removeListener?.('error', onGone);
  };
}

interface OutboxOptions {
  write(frame: Frame): void;
  /** While true, frames wait (heartbeat-only fault). */
  holding(): boolean;
  /** Delay before each frame (slow fault). */
  delayMs(): number;
  maxQueue: number;
  onOverflow(): void;
}

/** A stream's ordered send queue: frames go out at once, or one per delay, or wait while held. */
function createOutbox(options: OutboxOptions) {
  const queue: Frame[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const pump = (): void => {
    if (closed || timer !== undefined) return;
    while (queue.length > 0 && !options.holding()) {
      const delay = options.delayMs();
      if (delay > 0) {
        timer = setTimeout(() => {
          timer = undefined;
          if (closed || options.holding()) return;
          options.write(queue.shift()!);
          pump();
        }, delay);
        return;
      }
      options.write(queue.shift()!);
    }
  };

  return {
    push(frame: Frame): void {
      if (closed) return;
      queue.push(frame);
      if (queue.length > options.maxQueue) {
        options.onOverflow();
        return;
      }
      pump();
    },
    pump,
    close(): void {
      closed = true;
      queue.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** A shared interval that runs only while someone holds it; `tick` gets 0, 1, 2, … */
function createTicker(periodMs: number, tick: (n: number) => void) {
  let holders = 0;
  let count = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  return {
    acquire(): () => void {
      holders++;
      if (holders === 1 && periodMs > 0) timer = setInterval(() => tick(count++), periodMs);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (holders > 0 && --holders === 0) stop();
      };
    },
    dispose(): void {
      holders = 0;
      stop();
    },
  };
}

async function readJsonObject(request: Request): Promise<Record<string, unknown> | undefined> {
  const body: unknown = await request.json().catch(() => undefined);
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

async function readSubscription(request: Request): Promise<{ clientId: string; channel: string } | undefined> {
  const body = await readJsonObject(request);
  const { clientId, channel } = body ?? {};
  return typeof clientId === 'string' && typeof channel === 'string' && channel.trim() !== ''
    ? { clientId, channel: channel.trim() }
    : undefined;
}

/** A notification body: its fields become the data; `event` (default `notification`) is the SSE type. */
async function readNotification(
  request: Request,
): Promise<{ event: string; data: Record<string, unknown> } | undefined> {
  const body = await readJsonObject(request);
  if (!body) return undefined;
  const { event = 'notification', ...data } = body;
  if (typeof event !== 'string' || event === '' || /[\r\n]/.test(event)) return undefined;
  return { event, data };
}

function clientChannels(backend: Backend, clientId: string) {
  const client = backend.clients().find((c) => c.clientId === clientId);
  return { clientId, channels: client?.channels ?? [] };
}

function badRequest(message: string) {
  return HttpResponse.json({ error: 'bad-request', message }, { status: 400 });
}

function unknownClient(clientId: string) {
  return HttpResponse.json({ error: 'unknown-client', clientId }, { status: 404 });
}
