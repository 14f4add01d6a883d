import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest subscribe/unsubscribe body accepted, in bytes (a channel name and a client id). */
export const MAX_BODY_BYTES = 16 * 1024;

/** The outcome of {@link readJsonBody}: the parsed value, or the status to answer with. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string };

/**
 * Reads and parses a JSON body of at most `limit` bytes. An oversized body is not read any
 * further than needed: the caller answers 413 and the rest is drained, not buffered.
 */
export function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  if (req.readableEnded) {
    // A body parser (express.json(), express.text()) ran first and consumed the stream.
    const body = (req as { body?: unknown }).body;
    if (typeof body !== 'string') return Promise.resolve(body === undefined ? malformed() : { ok: true, value: body });
    return Promise.resolve(parseJson(body));
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, status: 413, error: 'body too large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        resolve({ ok: false, status: 413, error: 'body too large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
    };
    const onError = () => {
      cleanup();
      resolve({ ok: false, status: 400, error: 'unreadable body' });
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function parseJson(text: string): BodyResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return malformed();
  }
}

function malformed(): BodyResult {
  return { ok: false, status: 400, error: 'malformed JSON' };
}

/** Ends `res` with a JSON body. Ignored when the response has already started or ended. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(text)));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/** The query string of `req.url` (relative URLs resolve against a dummy base). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://localhost');
}
