// sse-notify/server: the reference hub for Node (SPEC §9). Named exports only, no side effects.
export { createHub } from './hub';
export { createMemoryAdapter } from './memory-adapter';
export { createRedisAdapter } from './redis-adapter';
export { jwtAuthenticator } from './jwt-authenticator';
export type { MemoryAdapterOptions } from './memory-adapter';
export type { RedisAdapterOptions } from './redis-adapter';
export type { JwtAuthenticatorOptions } from './jwt-authenticator';
export type {
  Authenticate,
  AuthResult,
  CorsOptions,
  Hub,
  HubAdapter,
  HubEvent,
  HubHandler,
  HubOptions,
  NewHubEvent,
  PublishInput,
} from './types';
