/**
 * The SSE server of the browser and integration tests: the reference hub (src/server) plus
 * switches that simulate the faults a widget must survive, counters, a request log, static
 * files, and HTTP endpoints to drive it from another process.
 *
 * Routes: `<eventsPath>` (GET: the SSE stream; also `/subscribe`, `/unsubscribe` below it),
 * `POST /publish` (a PublishInput as JSON → `{ id }`), `POST /control` (see {@link ControlCommand}),
 * everything else from `staticDir`.
 */
import { readFile, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { applyCors } from '../../src/server/cors';
import { createHub } from '../../src/server/hub';
import { readJsonBody, requestUrl, sendJson } from '../../src/server/http-utils';
import type { Hub, HubOptions, PublishInput } from '../../src/server/types';
import { eventually, listen } from './listen';

export interface TestServerOptions {
  /** Default `0` (a free port). */
  port?: number;
  /** Directories served for every path that is not an endpoint, first match wins. */
  staticDir?: string | readonly string[];
  /** Path of the SSE endpoint. Default `/events`. */
  eventsPath?: string;
  /** Options of the hub (heartbeat, retry, cors, authenticate…). */
  hub?: HubOptions;
}

export interface AnswerOptions {
  /** `Retry-After` header value (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** How many of the next SSE connects get this answer. Default `1`; `Infinity` until `reset()`. */
  times?: number;
  /** Response body. Default: an HTML page for 200 (the captive-portal case), none for 204, else the status text. */
  body?: string;
  /** Response `Content-Type`. Default `text/html` for 200, `text/plain` otherwise. */
  contentType?: string;
}

export interface LoggedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  lastEventId: string | undefined;
  authorization: string | undefined;
  /** What answered: `stream` (the hub), `fault` (an `answer()` rule), or `endpoint` (subscribe and friends). */
  outcome: 'stream' | 'fault' | 'endpoint';
}

/** Body of `POST /control`, for tests that drive the server from another process. */
export type ControlCommand =
  | ({ action: 'answer'; status: number } & AnswerOptions)
  | { action: 'dropAll' }
  | { action: 'stall'; on?: boolean }
  | { action: 'setRetry'; ms: number }
  | { action: 'reset' };

export interface TestServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** `url + eventsPath`. */
  eventsUrl: string;
  hub: Hub;
  server: Server;
  /** The next `times` SSE connects get `status` instead of a stream (503, 401, 204, HTML with 200…). */
  answer(status: number, options?: AnswerOptions): void;
  /** Destroys every open SSE socket abruptly (no final chunk, as a network drop); returns how many. */
  dropAll(): number;
  /**
   * While on, SSE responses get their headers and then nothing: no events, no heartbeats, on open
   * streams too (a proxy that silently dropped the stream). What the hub writes meanwhile is lost.
   */
  stall(on?: boolean): void;
  /** Sends `retry: ms` first on every new stream instead of the hub's value, and now on open streams. */
  setRetry(ms: number): void;
  /** SSE requests answered with a stream (200 text/event-stream), since start or `reset()`. */
  readonly connections: number;
  /** SSE streams open now. */
  readonly open: number;
  /** Every request to the events endpoints (streams, faults, subscribe/unsubscribe), oldest first. */
  readonly requests: LoggedRequest[];
  /** Same as `hub.publish`. */
  publish(input: PublishInput): Promise<string>;
  /** Resolves once `connections` reaches `count`. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `open` equals `count`. */
  waitForOpen(count: number, timeoutMs?: number): Promise<void>;
  /** Clears fault rules, stall, retry override, counters and the log (open streams stay open). */
  reset(): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

interface Rule {
  status: number;
  options: AnswerOptions;
  remaining: number;
}

export async function start(options: TestServerOptions = {}): Promise<TestServer> {
  const eventsPath = options.eventsPath ?? '/events';
  const staticDirs = [options.staticDir ?? []].flat().map((dir) => resolve(dir));
  const hub = createHub(options.hub);
  const cors = options.hub?.cors;

  const rules: Rule[] = [];
  const streams = new Set<ServerResponse>();
  const requests: LoggedRequest[] = [];
  let connections = 0;
  let stalled = false;
  let retryOverride: number | undefined;

  const log = (req: IncomingMessage, path: string, outcome: LoggedRequest['outcome']) => {
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path,
      headers: { ...req.headers },
      lastEventId: header('last-event-id'),
      authorization: header('authorization'),
      outcome,
    });
  };

  function answerFault(req: IncomingMessage, res: ServerResponse, rule: Rule): void {
    const { status, options: opts } = rule;
    applyCors(req, res, cors);
    if (opts.retryAfter !== undefined) res.setHeader('Retry-After', String(opts.retryAfter));
    res.setHeader('Cache-Control', 'no-store');
    if (status === 204 || status === 304) {
      res.writeHead(status).end();
      return;
    }
    const body =
      opts.body ?? (status === 200 ? '<!doctype html><title>Sign in</title><p>Not an event stream.</p>' : `${status} ${STATUS_CODES[status] ?? ''}`);
    res.writeHead(status, { 'Content-Type': opts.contentType ?? (status === 200 ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8') });
    res.end(body);
  }

  /** Wraps the response so stall() and setRetry() can act on what the hub writes. */
  function instrument(res: ServerResponse): void {
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (stalled) return true;
      if (retryOverride !== undefined && typeof chunk === 'string' && /^retry: \d+\n\n$/.test(chunk)) {
        chunk = `retry: ${retryOverride}\n\n`;
      }
      return write(chunk, ...rest);
    }) as typeof res.write;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      if (args[0] === 200) {
        connections++;
        streams.add(res);
        res.once('close', () => streams.delete(res));
      }
      return writeHead(...args);
    }) as typeof res.writeHead;
  }

  async function control(command: ControlCommand): Promise<void> {
    switch (command.action) {
      case 'answer': {
        const { action: _action, status, ...rest } = command;
        testServer.answer(status, rest);
        break;
      }
      case 'dropAll':
        testServer.dropAll();
        break;
      case 'stall':
        testServer.stall(command.on ?? true);
        break;
      case 'setRetry':
        testServer.setRetry(command.ms);
        break;
      case 'reset':
        testServer.reset();
        break;
      default:
        throw new Error(`unknown control action ${JSON.stringify(command)}`);
    }
  }

  async function postJson(req: IncomingMessage, res: ServerResponse, run: (body: unknown) => Promise<unknown>): Promise<void> {
    applyCors(req, res, cors);
    const body = await readJsonBody(req, 1024 * 1024);
    if (!body.ok) return sendJson(res, body.status, { error: body.error });
    try {
      sendJson(res, 200, await run(body.value));
    } catch (error) {
      sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    let relative: string;
    try {
      relative = decodeURIComponent(path);
    } catch {
      return sendJson(res, 400, { error: 'bad path' });
    }
    if (relative.endsWith('/')) relative += 'index.html';
    for (const dir of staticDirs) {
      const file = join(dir, relative);
      if (file !== dir && !file.startsWith(dir + sep)) continue; // no escaping the directory
      try {
        const info = await stat(file);
        const target = info.isDirectory() ? join(file, 'index.html') : file;
        const content = await readFile(target);
        res.writeHead(200, {
          'Content-Type': CONTENT_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': String(content.length),
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : content);
        return;
      } catch {
        // try the next directory
      }
    }
    // Browsers ask for a favicon on their own; a 404 would show up as a console error in every page.
    if (path === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
  }

  const listening = await listen((req, res) => {
    const { pathname } = requestUrl(req);
    const handle = async () => {
      if (pathname === eventsPath || pathname.startsWith(`${eventsPath}/`)) {
        const isStream = pathname === eventsPath && req.method === 'GET';
        const rule = isStream ? rules[0] : undefined;
        log(req, pathname, rule ? 'fault' : isStream ? 'stream' : 'endpoint');
        if (rule) {
          if (--rule.remaining <= 0) rules.shift();
          return answerFault(req, res, rule);
        }
        if (isStream) instrument(res);
        return hub.handler(req, res);
      }
      if (pathname === '/publish' && req.method === 'POST') {
        return postJson(req, res, async (body) => ({ id: await hub.publish(body as PublishInput) }));
      }
      if (pathname === '/control' && req.method === 'POST') {
        return postJson(req, res, async (body) => {
          await control(body as ControlCommand);
          return { ok: true };
        });
      }
      if ((pathname === '/publish' || pathname === '/control') && req.method === 'OPTIONS') {
        return hub.handler(req, res); // a CORS preflight, answered like the hub's own
      }
      return serveStatic(req, res, pathname);
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: String(error) });
    });
  }, options.port ?? 0);

  const testServer: TestServer = {
    url: listening.url,
    eventsUrl: listening.url + eventsPath,
    hub,
    server: listening.server,
    answer(status, opts = {}) {
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new TypeError(`answer(): status must be an HTTP status 200–599 (got ${status}).`);
      }
      rules.push({ status, options: opts, remaining: opts.times ?? 1 });
    },
    dropAll() {
      const count = streams.size;
      for (const res of streams) res.socket?.destroy();
      streams.clear();
      return count;
    },
    stall(on = true) {
      stalled = on;
    },
    setRetry(ms) {
      retryOverride = ms;
      if (!stalled) for (const res of streams) res.write(`retry: ${ms}\n\n`);
    },
    get connections() {
      return connections;
    },
    get open() {
      return streams.size;
    },
    get requests() {
      return requests;
    },
    publish: (input) => hub.publish(input),
    waitForConnections: (count, timeoutMs = 5000) => eventually(() => connections >= count, timeoutMs, `${count} connections`),
    waitForOpen: (count, timeoutMs = 5000) => eventually(() => streams.size === count, timeoutMs, `${count} open streams`),
    reset() {
      rules.length = 0;
      stalled = false;
      retryOverride = undefined;
      connections = 0;
      requests.length = 0;
    },
    async close() {
      await hub.close();
      await listening.close();
    },
  };
  return testServer;
}
