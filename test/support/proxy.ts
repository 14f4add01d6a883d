/**
 * A tiny switchable reverse proxy for the browser tests of the hub: it forwards every request,
 * streaming both ways, to the current upstream (a hub instance), so a page keeps one origin while
 * its stream is moved between instances, as behind a load balancer. `switchTo()` sends new
 * requests elsewhere and cuts the streams open now, so the widget reconnects and lands there.
 */
import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { eventually, listen } from './listen';

export interface ProxiedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  /** The upstream base URL it was forwarded to. */
  upstream: string;
  /** The `Last-Event-ID` header the client sent, if any. */
  lastEventId: string | undefined;
  /** Upstream status, once known; `0` when the upstream could not be reached. */
  status?: number;
  /** The response body forwarded so far, decoded as UTF-8 (for event streams; others are not kept). */
  body: string;
}

export interface SwitchableProxy {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Base URL of the upstream new requests go to. */
  readonly upstream: string;
  /** Every request, oldest first. */
  readonly requests: ProxiedRequest[];
  /** Responses in flight now (SSE streams, mostly). */
  readonly open: number;
  /**
   * Sends new requests to `upstream` and destroys every exchange in flight (the client sees its
   * stream break, as when an instance dies or a balancer drains it); returns how many were cut.
   */
  switchTo(upstream: string): number;
  /** Resolves once `open` equals `count`. */
  waitForOpen(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// Connection-level headers of one hop, not to be forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Starts the proxy on a free port, forwarding to `upstream` (a base URL without a trailing slash). */
export async function startProxy(upstream: string): Promise<SwitchableProxy> {
  let target = upstream;
  const requests: ProxiedRequest[] = [];
  const inFlight = new Map<ClientRequest, ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['last-event-id'];
    const entry: ProxiedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      upstream: target,
      lastEventId: Array.isArray(header) ? header.join(', ') : header,
      body: '',
    };
    requests.push(entry);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const outgoing = httpRequest(`${target}${entry.url}`, { method: entry.method, headers });
    inFlight.set(outgoing, res);
    const cut = () => {
      inFlight.delete(outgoing);
      outgoing.destroy();
      // Headers already sent: end the client's stream abruptly, as a dropped connection does.
      if (res.headersSent) res.destroy();
      else if (!res.writableEnded) res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' }).end('bad gateway');
    };
    outgoing.on('response', (incoming) => {
      entry.status = incoming.statusCode ?? 0;
      const forwarded = Object.fromEntries(Object.entries(incoming.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
      res.writeHead(entry.status, forwarded as Record<string, string | string[]>);
      res.flushHeaders();
      const keep = String(incoming.headers['content-type']).startsWith('text/event-stream');
      const decoder = new TextDecoder();
      incoming.on('data', (chunk: Buffer) => {
        if (keep) entry.body += decoder.decode(chunk, { stream: true });
        res.write(chunk);
      });
      incoming.on('end', () => {
        inFlight.delete(outgoing);
        res.end();
      });
      incoming.on('error', cut);
      incoming.on('aborted', cut);
    });
    outgoing.on('error', () => {
      entry.status ??= 0;
      cut();
    });
    // The client went away: release the upstream side too.
    res.on('close', () => {
      if (!inFlight.has(outgoing)) return;
      inFlight.delete(outgoing);
      outgoing.destroy();
    });
    req.pipe(outgoing);
  };

  const listening = await listen(forward);

  return {
    url: listening.url,
    get upstream() {
      return target;
    },
    get requests() {
      return requests;
    },
    get open() {
      return inFlight.size;
    },
    switchTo(next) {
      target = next;
      const cut = inFlight.size;
      for (const [outgoing, res] of [...inFlight]) {
        inFlight.delete(outgoing);
        outgoing.destroy();
        res.destroy();
      }
      return cut;
    },
    waitForOpen: (count, timeoutMs = 5000) => eventually(() => inFlight.size === count, timeoutMs, `${count} open exchanges`),
    async close() {
      for (const [outgoing, res] of [...inFlight]) {
        outgoing.destroy();
        res.destroy();
      }
      inFlight.clear();
      await listening.close();
    },
  };
}
