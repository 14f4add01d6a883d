import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPreflight, applyCors } from './cors';
import { readJsonBody, requestUrl, sendJson } from './http-utils';
import { createMemoryAdapter } from './memory-adapter';
import { formatComment, formatEvent, formatRetry } from './sse-format';
import type { AuthResult, Hub, HubEvent, HubHandler, HubOptions, PublishInput } from './types';

interface Client {
  id: string;
  res: ServerResponse;
  userId: string | undefined;
  channels: Set<string>;
  /** Every event reported while the handshake and the replay are written, unfiltered; `null` once live. */
  pending: HubEvent[] | null;
  /**
   * Ids read from the history whose live copy may still come (pub/sub can lag behind the history),
   * mapped to whether they were sent from it (then the live copy is skipped); kept until a live
   * event newer than all of them comes.
   */
  replayed: Map<string, boolean> | null;
  /** The id the client stands at: live copies of events up to it that come late are not sent. */
  from?: string;
  /** Settles once the stream's own replay has been written. */
  ready: Promise<void>;
  /** The id a resumed stream started from; `undefined` on a fresh one. */
  resume: string | undefined;
  /** Channels a resumed stream has had (their history is replayed on the first join only); `null` on a fresh one. */
  joined: Set<string> | null;
  /** Channels being joined, with their live events held until the channel's history is sent. */
  joining?: Map<string, HubEvent[]>;
}

const HEARTBEAT = formatComment('heartbeat');
/** Channels one client may join by the subscribe protocol, and their longest name: no client grows the hub without bound. */
const MAX_CHANNELS = 1000;
const MAX_CHANNEL_LENGTH = 1024;

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware and proxies from buffering the stream.
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx buffers proxied responses unless told otherwise.
  'X-Accel-Buffering': 'no',
};

/**
 * Creates the reference hub (SPEC §9): an SSE endpoint speaking both channel protocols of §5,
 * replay by `Last-Event-ID`, heartbeats, CORS and authentication, on any `node:http`-style server.
 *
 * @example
 * const hub = createHub({ cors: { origins: ['https://shop.example'] } });
 * http.createServer((req, res) => req.url?.startsWith('/api/events') ? hub.handler(req, res) : serve(req, res));
 * await hub.sendToChannel('orders', { title: 'New order', body: 'Order #42 was paid' });
 */
export function createHub(options: HubOptions = {}): Hub {
  const channelParam = options.channelParam ?? 'channel';
  const lastEventIdParam = options.lastEventIdParam ?? 'lastEventId';
  const retry = options.retry ?? 3000;
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const { cors, authenticate } = options;
  const onError = options.onError ?? ((error: unknown) => console.error('sse-notify hub:', error));
  checkName('channelParam', channelParam);
  checkName('lastEventIdParam', lastEventIdParam);
  checkCount('retry', retry, 0);
  checkCount('heartbeatInterval', heartbeatInterval, 0);
  checkCount('maxBufferedBytes', maxBufferedBytes, 1);
  if (cors && cors.origins !== '*' && !Array.isArray(cors.origins)) {
    throw new TypeError("createHub: cors.origins must be an array of origins or '*'.");
  }
  // Echoing every origin with credentials would let any site read a signed-in user's stream.
  if (cors?.origins === '*' && cors.credentials) {
    throw new TypeError("createHub: cors.credentials needs a list of origins, not '*'.");
  }
  const adapter = options.adapter ?? createMemoryAdapter({ historySize: options.historySize ?? 1000 });

  const clients = new Map<string, Client>();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closing: Promise<void> | undefined;
  const unsubscribe = adapter.subscribe(deliver, endStreams);

  function deliver(event: HubEvent): void {
    let frame: string | undefined;
    for (const client of clients.values()) {
      if (client.pending) {
        client.pending.push(event);
        continue;
      }
      if (stale(client, event)) continue;
      const sent = client.replayed?.get(event.id);
      // Not read from any history: newer than all of it, so every late copy has come.
      if (sent === undefined) client.replayed = null;
      if (sent) continue;
      const held = event.channel === undefined ? undefined : client.joining?.get(event.channel);
      if (held) held.push(event);
      else if (receives(client, event)) write(client, (frame ??= formatEvent(event)));
    }
  }

  /** Ends every stream gracefully; clients reconnect and resume by id. */
  function endStreams(): void {
    for (const client of clients.values()) {
      client.res.end();
      // end() cannot complete for a client that stopped reading.
      if (client.res.writableNeedDrain) client.res.destroy();
    }
  }

  function write(client: Client, chunk: string): void {
    const { res } = client;
    if (res.destroyed || res.writableEnded) return;
    // A client that stopped reading would make us buffer without bound; it resumes by id. Judged
    // on what earlier writes left unsent, so one event larger than the limit is not mistaken for
    // a slow reader (which would drop every client, and again on each replay of that event).
    if (res.writableLength > maxBufferedBytes) {
      res.destroy();
      return;
    }
    res.write(chunk);
    // compression middleware holds output until flushed.
    (res as { flush?: () => void }).flush?.();
  }

  function startHeartbeat(): void {
    if (heartbeat || heartbeatInterval === 0) return;
    heartbeat = setInterval(() => {
      for (const client of clients.values()) write(client, HEARTBEAT);
    }, heartbeatInterval);
  }

  function stopHeartbeat(): void {
    clearInterval(heartbeat);
    heartbeat = undefined;
  }

  /** The request's identity, or `undefined` when a 401/500 has been answered. */
  async function identify(req: IncomingMessage, res: ServerResponse): Promise<AuthResult | undefined> {
    if (!authenticate) return {};
    let result: AuthResult | null;
    try {
      result = await authenticate(req);
    } catch (error) {
      onError(error);
      sendJson(res, 500, { error: 'authentication failed' });
      return undefined;
    }
    if (!result) {
      sendJson(res, 401, { error: 'unauthorized' }, { 'WWW-Authenticate': 'Bearer' });
      return undefined;
    }
    return result;
  }

  async function handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') return answerPreflight(req, res, cors);
    applyCors(req, res, cors);
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, OPTIONS' });
    if (closing) return sendJson(res, 503, { error: 'hub closed' });
    const url = requestUrl(req);
    const channels = new Set(url.searchParams.getAll(channelParam).filter(Boolean));
    const auth = await identify(req, res);
    if (!auth) return;
    const denied = [...channels].find((channel) => !mayJoin(auth, channel));
    if (denied !== undefined) return sendJson(res, 403, { error: 'channel not allowed', channel: denied });
    if (adapter.ready) {
      try {
        await adapter.ready();
      } catch (error) {
        onError(error);
        return sendJson(res, 503, { error: 'storage unavailable' }, { 'Retry-After': '5' });
      }
    }
    // The client may have gone, or the hub closed, while authenticate() and ready() ran.
    if (closing) return sendJson(res, 503, { error: 'hub closed' });
    if (res.destroyed || req.socket.destroyed) return;

    const header = req.headers['last-event-id'];
    const lastEventId = (typeof header === 'string' ? header : url.searchParams.get(lastEventIdParam)) ?? '';
    const client: Client = {
      id: randomUUID(),
      res,
      userId: auth.userId,
      channels,
      pending: [],
      replayed: null,
      ready: Promise.resolve(),
      resume: lastEventId || undefined,
      joined: lastEventId ? new Set(channels) : null,
    };
    res.writeHead(200, STREAM_HEADERS);
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    clients.set(client.id, client);
    res.on('close', () => {
      clients.delete(client.id);
      if (clients.size === 0) stopHeartbeat();
    });
    startHeartbeat();
    write(client, formatRetry(retry));
    // Always sent: query-channel clients ignore it, subscribe-protocol clients need the id (§5).
    // On a fresh connect it carries the newest stored id ("now"), so a client that drops before
    // any other event resumes without loss. On a resume it carries none: a newer id than the
    // client's would skip the replay after a drop right after the handshake, and an id-less event
    // leaves the client's last id as it is. Live events wait in `pending` meanwhile.
    const newest = await newestId();
    const id = lastEventId ? undefined : newest;
    const from = lastEventId || id;
    // Only an id the history has reached: one beyond it (a memory hub restarted) filters nothing.
    if (from && newest && (compareIds(from, newest) ?? 1) <= 0) client.from = from;
    write(client, formatEvent({ id, data: JSON.stringify({ type: 'connected', clientId: client.id }) }));
    // Assigned before anything else runs: a subscribe POST (it needs the handshake's client id) waits for it.
    client.ready = replay(client, lastEventId, from);
    await client.ready;
  }

  async function newestId(): Promise<string | undefined> {
    try {
      return await adapter.lastId?.();
    } catch (error) {
      onError(error);
      return undefined;
    }
  }

  /**
   * Sends what the client missed after `lastEventId`, then what came meanwhile. The client was
   * registered before the history is read, so an event appended meanwhile is in the history, in
   * `pending`, or both. Listeners get events in id order but may lag behind the history (Redis
   * pub/sub): `pending` may start with events up to `from`, the id the client already stands at
   * (seen on another instance, or older than its handshake), and a replayed event may still come
   * live. Neither is sent twice.
   */
  async function replay(client: Client, lastEventId: string, from: string | undefined): Promise<void> {
    let missed: HubEvent[] = [];
    try {
      if (lastEventId) missed = await adapter.since(lastEventId);
    } catch (error) {
      onError(error);
    }
    const replayed = new Map<string, boolean>();
    const { res } = client;
    for (const event of missed) {
      replayed.set(event.id, receives(client, event));
      if (!replayed.get(event.id)) continue;
      write(client, formatEvent(event));
      // A history larger than maxBufferedBytes is sent as the socket takes it: written at once it
      // would count as a slow reader, and the client could never catch up.
      if (res.writableNeedDrain) await drained(res);
    }
    const pending = client.pending ?? [];
    client.pending = null;
    let beyond = false;
    for (const event of pending.slice(pending.findIndex((e) => e.id === from) + 1)) {
      if (replayed.has(event.id) || stale(client, event)) continue;
      beyond = true;
      if (receives(client, event)) write(client, formatEvent(event));
    }
    // An event newer than the replay already came, so every replayed one came before it.
    if (!beyond && replayed.size > 0) client.replayed = replayed;
  }

  async function handleChannel(req: IncomingMessage, res: ServerResponse, join: boolean): Promise<void> {
    if (req.method === 'OPTIONS') return answerPreflight(req, res, cors);
    applyCors(req, res, cors);
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'POST, OPTIONS' });
    if (closing) return sendJson(res, 503, { error: 'hub closed' });
    const auth = await identify(req, res);
    if (!auth) return;
    const body = await readJsonBody(req);
    if (!body.ok) {
      // After a 413 the rest of the body is not worth reading: close instead of keeping the socket.
      return sendJson(res, body.status, { error: body.error }, body.status === 413 ? { Connection: 'close' } : {});
    }
    const { clientId, channel } = (isRecord(body.value) ? body.value : {}) as Record<string, unknown>;
    if (typeof clientId !== 'string' || !clientId || typeof channel !== 'string' || !channel) {
      return sendJson(res, 400, { error: 'expected a JSON body {"clientId": string, "channel": string}' });
    }
    const client = clients.get(clientId);
    if (!client) return sendJson(res, 404, { error: 'unknown client' });
    if (authenticate && client.userId !== auth.userId) {
      return sendJson(res, 403, { error: 'client belongs to another user' });
    }
    if (join && !mayJoin(auth, channel)) return sendJson(res, 403, { error: 'channel not allowed', channel });
    if (join && channel.length > MAX_CHANNEL_LENGTH) return sendJson(res, 400, { error: 'channel name too long', max: MAX_CHANNEL_LENGTH });
    if (join && client.channels.size >= MAX_CHANNELS && !client.channels.has(channel)) {
      return sendJson(res, 400, { error: 'too many channels', max: MAX_CHANNELS });
    }
    if (!join) {
      client.channels.delete(channel);
      client.joining?.delete(channel);
    } else if (!client.channels.has(channel)) {
      client.channels.add(channel);
      const { joined, resume } = client;
      if (resume !== undefined && joined && !joined.has(channel) && joined.size < MAX_CHANNELS) {
        joined.add(channel);
        await catchUp(client, channel, resume);
      }
    }
    sendJson(res, 200, { ok: true, channels: [...client.channels] });
  }

  /**
   * Sends a resumed stream what it missed of a channel joined by the subscribe protocol: the
   * stream's replay ran before the POST, without the channel. Until then the channel's live events
   * are held (and skipped by the stream's replay), so each of its events goes out once and in id
   * order. Leaving the channel meanwhile ends this.
   */
  async function catchUp(client: Client, channel: string, resume: string): Promise<void> {
    const held: HubEvent[] = [];
    (client.joining ??= new Map()).set(channel, held);
    const current = () => client.joining?.get(channel) === held;
    try {
      await client.ready;
      let missed: HubEvent[] = [];
      try {
        missed = await adapter.since(resume);
      } catch (error) {
        onError(error);
      }
      const mine = (event: HubEvent) => event.channel === channel && (event.userId === undefined || event.userId === client.userId);
      // Every id read joins the ones whose late live copy deliver() watches for; only the ones
      // sent here are skipped then, the others (other channels) are judged as they come.
      const replayed = (client.replayed ??= new Map());
      for (const event of missed) if (!replayed.has(event.id)) replayed.set(event.id, false);
      const sent = new Set<string>();
      for (const event of missed) {
        if (!current()) return;
        if (!mine(event)) continue;
        sent.add(event.id);
        (client.replayed ??= new Map()).set(event.id, true);
        write(client, formatEvent(event));
        if (client.res.writableNeedDrain) await drained(client.res);
      }
      if (!current()) return;
      for (const event of held) if (!sent.has(event.id) && mine(event)) write(client, formatEvent(event));
    } finally {
      if (current()) client.joining!.delete(channel);
    }
  }

  const handleSubscribe = (req: IncomingMessage, res: ServerResponse) => handleChannel(req, res, true);
  const handleUnsubscribe = (req: IncomingMessage, res: ServerResponse) => handleChannel(req, res, false);

  const handler: HubHandler = (req, res, next) => {
    const last = requestUrl(req).pathname.split('/').filter(Boolean).at(-1);
    const handle = last === 'subscribe' ? handleSubscribe : last === 'unsubscribe' ? handleUnsubscribe : handleEvents;
    handle(req, res).catch((error: unknown) => {
      if (next) return next(error);
      onError(error);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal error' });
    });
  };

  async function publish(input: PublishInput): Promise<string> {
    if (closing) throw new Error('sse-notify hub: publish() after close(); create a new hub.');
    const event = input.event ?? 'notification';
    if (typeof event !== 'string' || !event || /[\r\n]/.test(event)) {
      throw new TypeError(`sse-notify hub: event must be a non-empty string without line breaks (got ${JSON.stringify(event)}).`);
    }
    for (const key of ['channel', 'userId'] as const) {
      const value = input[key];
      if (value !== undefined && (typeof value !== 'string' || !value)) {
        throw new TypeError(`sse-notify hub: ${key} must be a non-empty string when given (got ${JSON.stringify(value)}).`);
      }
    }
    const stored = await adapter.append({
      event,
      data: JSON.stringify(input.data) ?? 'null',
      ...(input.channel !== undefined && { channel: input.channel }),
      ...(input.userId !== undefined && { userId: input.userId }),
    });
    return stored.id;
  }

  async function shutdown(): Promise<void> {
    stopHeartbeat();
    unsubscribe();
    endStreams();
    clients.clear();
    await adapter.close();
  }

  return {
    handleEvents,
    handleSubscribe,
    handleUnsubscribe,
    handler,
    publish,
    broadcast: (data, event) => publish({ data, event }),
    sendToUser: (userId, data, event) => publish({ data, event, userId }),
    sendToChannel: (channel, data, event) => publish({ data, event, channel }),
    get clients() {
      return clients.size;
    },
    close: () => (closing ??= shutdown()),
  };
}

/** Resolves once `res` takes writes again, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    // A stream destroyed earlier (a catch-up runs long after the connect) never emits 'close' again.
    if (res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function receives(client: Client, event: HubEvent): boolean {
  if (event.userId !== undefined && event.userId !== client.userId) return false;
  // A channel being joined gets its events from catchUp() only, in order, once.
  if (event.channel !== undefined && (!client.channels.has(event.channel) || client.joining?.has(event.channel))) return false;
  return true;
}

/** A late live copy of an event up to the id the client stands at. */
function stale(client: Client, event: HubEvent): boolean {
  return client.from !== undefined && (compareIds(event.id, client.from) ?? 1) <= 0;
}

/** Order of memory ids (`7`) and stream ids (`<ms>-<seq>`); `undefined` for any other id. */
function compareIds(a: string, b: string): number | undefined {
  const ID = /^\d{1,20}(-\d{1,20})?$/;
  if (!ID.test(a) || !ID.test(b)) return undefined;
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

function mayJoin(auth: AuthResult, channel: string): boolean {
  return auth.channels === undefined || auth.channels.includes(channel);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkName(name: string, value: unknown): void {
  if (typeof value !== 'string' || !value) {
    throw new TypeError(`createHub: ${name} must be a non-empty string (got ${JSON.stringify(value)}).`);
  }
}

function checkCount(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`createHub: ${name} must be an integer ≥ ${min} (got ${String(value)}).`);
  }
}
