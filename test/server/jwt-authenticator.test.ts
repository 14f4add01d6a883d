import type { IncomingMessage } from 'node:http';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtAuthenticator } from '../../src/server/jwt-authenticator';
import { payloads, startHub } from './helpers';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';

function sign(claims: Record<string, unknown>, expiresIn = '5m'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as IncomingMessage;
}

describe('jwtAuthenticator', () => {
  it('maps a bearer token to its subject and channels claim', async () => {
    const authenticate = jwtAuthenticator({ secret: SECRET });
    const token = await sign({ sub: 'alice', channels: ['orders', 'alerts'] });
    expect(await authenticate(request('/events', { authorization: `Bearer ${token}` }))).toEqual({
      userId: 'alice',
      channels: ['orders', 'alerts'],
    });
  });

  it('allows every channel when the channels claim is missing or not a list of strings', async () => {
    const authenticate = jwtAuthenticator({ secret: SECRET });
    const plain = await sign({ sub: 'bob' });
    const odd = await sign({ sub: 'bob', channels: 'orders' });
    expect(await authenticate(request('/events', { authorization: `Bearer ${plain}` }))).toEqual({ userId: 'bob' });
    expect(await authenticate(request('/events', { authorization: `Bearer ${odd}` }))).toEqual({ userId: 'bob' });
  });

  it('reads the token from the configured cookie, then from the query parameter', async () => {
    const authenticate = jwtAuthenticator({ secret: SECRET, cookie: 'session', tokenParam: 'access_token' });
    const token = await sign({ sub: 'carol' });
    expect(await authenticate(request('/events', { cookie: `theme=dark; session=${token}` }))).toEqual({ userId: 'carol' });
    expect(await authenticate(request(`/events?access_token=${token}`))).toEqual({ userId: 'carol' });
    expect(await authenticate(request(`/events?token=${token}`))).toBeNull();
  });

  it('resolves null for a missing, forged or expired token', async () => {
    const authenticate = jwtAuthenticator({ secret: SECRET });
    const forged = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-of-sufficient-length!!'));
    const expired = await sign({ sub: 'dave' }, '-1m');
    expect(await authenticate(request('/events'))).toBeNull();
    expect(await authenticate(request('/events', { authorization: `Bearer ${forged}` }))).toBeNull();
    expect(await authenticate(request('/events', { authorization: `Bearer ${expired}` }))).toBeNull();
    expect(await authenticate(request('/events', { authorization: 'Bearer not.a.jwt' }))).toBeNull();
  });

  it('verifies against a key resolver such as a local JWKS', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const authenticate = jwtAuthenticator({ jwks: createLocalJWKSet({ keys: [jwk] }) });
    const token = await new SignJWT({ sub: 'erin' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    expect(await authenticate(request(`/events?token=${token}`))).toEqual({ userId: 'erin' });
  });

  it('throws a helpful error unless exactly one key source is given', () => {
    expect(() => jwtAuthenticator({})).toThrow(/exactly one of `secret`/);
    expect(() => jwtAuthenticator({ secret: SECRET, jwks: 'https://id.example/jwks.json' })).toThrow(/exactly one/);
  });

  it('lets the hub deliver user events to the token’s subject and refuse others', async () => {
    const { hub, events, connect } = await startHub({ authenticate: jwtAuthenticator({ secret: SECRET }) });
    const token = await sign({ sub: 'alice', channels: ['orders'] });
    const refused = await fetch(events, { headers: { authorization: 'Bearer nope' } });
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    const forbidden = await fetch(`${events}?channel=admin`, { headers: { authorization: `Bearer ${token}` } });
    expect(forbidden.status).toBe(403);
    await forbidden.body?.cancel();
    const stream = await connect(`/events?channel=orders&token=${token}`);
    await stream.waitForEvents(1);
    await hub.sendToUser('bob', 'not yours');
    await hub.sendToUser('alice', 'yours');
    await stream.waitForEvents(2);
    expect(payloads(stream)).toEqual(['yours']);
  });
});
