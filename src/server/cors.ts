import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsOptions } from './types';

// What the widget may send (SPEC §5): a token, the resume id, a JSON body; Cache-Control is sent
// by some EventSource polyfills. Everything else it sends is CORS-safelisted.
const ALLOW_HEADERS = 'Authorization, Last-Event-ID, Content-Type, Cache-Control';

/**
 * Sets the CORS response headers for an allowed `Origin`. A disallowed origin gets none and is
 * still served: the browser blocks the read, and a same-origin POST (which carries `Origin` too)
 * keeps working whatever the allow-list says.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, cors: CorsOptions | undefined): void {
  if (!cors) return;
  const origin = req.headers.origin;
  const anyOrigin = cors.origins === '*';
  if (anyOrigin && !cors.credentials) {
    res.setHeader('Access-Control-Allow-Origin', '*');
  } else {
    // With credentials the browser rejects `*`: the origin has to be echoed, hence Vary.
    res.setHeader('Vary', 'Origin');
    if (!origin || !(anyOrigin || cors.origins.includes(origin))) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (cors.credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  // The fetch transport honours Retry-After on 503/429, which is not a safelisted response header.
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
}

/** Answers an `OPTIONS` preflight: 204, with the allow headers only for an allowed origin. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, cors: CorsOptions | undefined): void {
  applyCors(req, res, cors);
  if (cors && res.hasHeader('Access-Control-Allow-Origin')) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(cors.maxAge ?? 600));
  }
  res.statusCode = 204;
  res.setHeader('Content-Length', '0');
  res.end();
}
