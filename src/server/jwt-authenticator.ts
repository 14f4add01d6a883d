import type { IncomingMessage } from 'node:http';
import type { JWTVerifyGetKey, JWTVerifyOptions, KeyObject } from 'jose';
import { requestUrl } from './http-utils';
import type { Authenticate, AuthResult } from './types';

/** Options of {@link jwtAuthenticator}: give exactly one of `secret` and `jwks`. */
export interface JwtAuthenticatorOptions {
  /** Shared secret (HS256 and friends): a string (UTF-8 encoded), bytes, or a key object. */
  secret?: string | Uint8Array | KeyObject | CryptoKey;
  /** A JWKS URL (fetched and cached by `jose`), or a key resolver such as `createLocalJWKSet(…)`. */
  jwks?: string | URL | JWTVerifyGetKey;
  /** Query parameter read when neither header nor cookie carries a token (the `eventsource` transport). Default `token`. */
  tokenParam?: string;
  /** Cookie holding the token, read when there is no `Authorization: Bearer` header. Default: none. */
  cookie?: string;
  /** Claim checks passed to `jwtVerify` (`issuer`, `audience`, `algorithms`, `clockTolerance`, …). */
  verify?: JWTVerifyOptions;
}

/**
 * An `authenticate` hook for {@link createHub} that verifies a JWT from the `Authorization: Bearer`
 * header, else the cookie, else the query parameter, and maps it to
 * `{ userId: payload.sub, channels: payload.channels }` (a `channels` claim that is not an array
 * of strings allows every channel). A missing, invalid or expired token resolves `null` (401);
 * an unreachable JWKS rejects (500), so clients retry instead of giving up.
 * Needs the `jose` package (v6), loaded on the first request.
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): Authenticate {
  const { secret, jwks, cookie } = options;
  const tokenParam = options.tokenParam ?? 'token';
  if ((secret === undefined) === (jwks === undefined)) {
    throw new TypeError('jwtAuthenticator: pass exactly one of `secret` (shared key) and `jwks` (URL or key resolver).');
  }
  const jwksUrl = jwks !== undefined && typeof jwks !== 'function' ? new URL(String(jwks)) : undefined;
  // jose is loaded on first use, so importing sse-notify/server never requires it.
  let setup: Promise<{ jose: typeof import('jose'); key: Parameters<typeof import('jose').jwtVerify>[1] }> | undefined;
  const load = () =>
    (setup ??= import('jose').then((jose) => ({
      jose,
      key:
        secret !== undefined
          ? typeof secret === 'string'
            ? new TextEncoder().encode(secret)
            : secret
          : jwksUrl
            ? jose.createRemoteJWKSet(jwksUrl)
            : (jwks as JWTVerifyGetKey),
    })));

  return async (req: IncomingMessage): Promise<AuthResult | null> => {
    const token = readToken(req, tokenParam, cookie);
    if (!token) return null;
    const { jose, key } = await load();
    const { errors } = jose;
    try {
      const { payload } = await jose.jwtVerify(token, key, options.verify);
      const { channels } = payload as { channels?: unknown };
      const valid = Array.isArray(channels) && channels.every((c) => typeof c === 'string');
      return {
        ...(payload.sub !== undefined && { userId: payload.sub }),
        ...(valid && { channels: channels as string[] }),
      };
    } catch (error) {
      // A bad token is the client's problem; a key set that cannot be fetched is ours.
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout) && !(error instanceof errors.JWKSInvalid)) {
        return null;
      }
      throw error;
    }
  };
}

function readToken(req: IncomingMessage, tokenParam: string, cookie: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (match) return match[1];
  if (cookie) {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === cookie) {
        const value = part.slice(eq + 1).trim();
        try {
          return decodeURIComponent(value);
        } catch {
          return value;
        }
      }
    }
  }
  return requestUrl(req).searchParams.get(tokenParam) ?? undefined;
}
