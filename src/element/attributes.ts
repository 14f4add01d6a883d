import type { Position } from '../ui/toaster';

/** The element's configuration, parsed and validated from its attributes (SPEC §3). */
export interface ElementConfig {
  src: string;
  channels: string[];
  channelParam: string;
  subscribeUrl: string;
  unsubscribeUrl: string;
  events: string[];
  transport: 'fetch' | 'eventsource';
  token: string;
  tokenParam: string;
  withCredentials: boolean;
  lastEventIdParam: string;
  maxRetries: number;
  retryDelay: number;
  maxRetryDelay: number;
  heartbeatTimeout: number;
  position: Position;
  maxToasts: number;
  duration: number;
  browserNotifications: 'off' | 'hidden' | 'always';
  theme: 'auto' | 'light' | 'dark';
  share: 'tabs' | 'off';
}

/**
 * Every attribute's default by property name, the one table attributes are
 * read through. The default's type says how to read the attribute: `false` a
 * boolean, an array a list, a number a non-negative integer, a string text,
 * except `a|b|c`: the allowed values, the first being the default.
 */
const DEFAULTS: Record<string, unknown> = {
  src: '',
  channels: [],
  channelParam: 'channel',
  subscribeUrl: '',
  unsubscribeUrl: '',
  events: ['notification', 'message', 'progress'],
  transport: 'fetch|eventsource',
  token: '',
  tokenParam: 'token',
  withCredentials: false,
  lastEventIdParam: 'lastEventId',
  maxRetries: 8,
  retryDelay: 1000,
  maxRetryDelay: 30000,
  heartbeatTimeout: 45000,
  position: 'top-right|top-left|top-center|bottom-left|bottom-center|bottom-right',
  maxToasts: 5,
  duration: 5000,
  browserNotifications: 'off|hidden|always',
  theme: 'auto|light|dark',
  share: 'tabs|off',
};

/** Every attribute as its camelCase property, in {@link DEFAULTS} order. */
export const PROPS = Object.keys(DEFAULTS) as (keyof ElementConfig)[];

/** `channelParam` → `channel-param`. */
export const kebab = (prop: string) => prop.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Every attribute the element observes (`state` is an output only). */
export const ATTRIBUTES = PROPS.map(kebab);

const warned = new Set<string>();

/**
 * Reads one attribute by its property name: a bad value warns once (naming
 * the attribute, the value and the default used) and gives the default.
 */
export function readAttribute(element: Pick<Element, 'getAttribute'>, prop: string): unknown {
  const name = kebab(prop);
  const raw = element.getAttribute(name);
  let fallback = DEFAULTS[prop];
  const allowed = typeof fallback == 'string' && fallback.includes('|') ? fallback.split('|') : undefined;
  if (allowed) fallback = allowed[0];
  if (fallback === false) return raw != null && raw != 'false';
  if (raw == null) return fallback;
  if (Array.isArray(fallback)) return raw.split(/[\s,]+/).filter(Boolean);
  if (typeof fallback == 'string' && !allowed) return raw.trim();
  const value = raw.trim().toLowerCase();
  if (allowed) {
    if (allowed.includes(value)) return value;
  } else if (/^\d+$/.test(value)) {
    // max-toasts="0" would show nothing.
    if (+value || prop != 'maxToasts') return +value;
  } else if (value == 'infinite' && prop == 'maxRetries') return Infinity;
  const what = `${name}="${raw}"`;
  if (!warned.has(what)) {
    warned.add(what);
    console.warn(`<sse-notify>: ${what} is not valid; using the default ${JSON.stringify(fallback)}.`);
  }
  return fallback;
}

/** Reads every attribute into a config (see {@link readAttribute}). */
export const readConfig = (element: Pick<Element, 'getAttribute'>) =>
  Object.fromEntries(PROPS.map((prop) => [prop, readAttribute(element, prop)])) as unknown as ElementConfig;
