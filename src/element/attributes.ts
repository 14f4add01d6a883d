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

type Kind = 'string' | 'list' | 'bool' | 'count' | 'ms' | 'retries' | readonly string[];

/** [attribute, default, kind]: the one table every attribute is read through. */
const TABLE: readonly [string, unknown, Kind][] = [
  ['src', '', 'string'],
  ['channels', [], 'list'],
  ['channel-param', 'channel', 'string'],
  ['subscribe-url', '', 'string'],
  ['unsubscribe-url', '', 'string'],
  ['events', ['notification', 'message', 'progress'], 'list'],
  ['transport', 'fetch', ['fetch', 'eventsource']],
  ['token', '', 'string'],
  ['token-param', 'token', 'string'],
  ['with-credentials', false, 'bool'],
  ['last-event-id-param', 'lastEventId', 'string'],
  ['max-retries', 8, 'retries'],
  ['retry-delay', 1000, 'ms'],
  ['max-retry-delay', 30000, 'ms'],
  ['heartbeat-timeout', 45000, 'ms'],
  ['position', 'top-right', ['top-left', 'top-center', 'top-right', 'bottom-left', 'bottom-center', 'bottom-right']],
  ['max-toasts', 5, 'count'],
  ['duration', 5000, 'ms'],
  ['browser-notifications', 'off', ['off', 'hidden', 'always']],
  ['theme', 'auto', ['auto', 'light', 'dark']],
  ['share', 'tabs', ['tabs', 'off']],
];

/** Every attribute the element observes (`state` is an output only). */
export const ATTRIBUTES = TABLE.map(([name]) => name);

/** `channel-param` → `channelParam`. */
export const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

const warned = new Set<string>();
const warnOnce = (name: string, value: string, fallback: unknown) => {
  const key = name + '\0' + value;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`<sse-notify>: ${name}="${value}" is not valid; using the default ${JSON.stringify(fallback)}.`);
};

/** Splits a channel or event list on spaces and commas. */
export const splitList = (value: string) => value.split(/[\s,]+/).filter(Boolean);

function parse(name: string, raw: string | null, fallback: unknown, kind: Kind): unknown {
  if (kind === 'bool') return raw !== null && raw !== 'false';
  if (raw === null) return fallback;
  if (kind === 'string') return raw.trim();
  if (kind === 'list') return splitList(raw);
  const value = raw.trim().toLowerCase();
  if (Array.isArray(kind)) {
    if (kind.includes(value)) return value;
  } else if (kind === 'retries' && value === 'infinite') {
    return Infinity;
  } else if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (kind !== 'count' || n >= 1) return n;
  }
  warnOnce(name, raw, fallback);
  return fallback;
}

/**
 * Reads every attribute into a config: a bad value warns once (naming the
 * attribute, the value and the default used) and falls back to the default.
 */
export function readConfig(element: Pick<Element, 'getAttribute'>): ElementConfig {
  const config: Record<string, unknown> = {};
  for (const [name, fallback, kind] of TABLE) config[camel(name)] = parse(name, element.getAttribute(name), fallback, kind);
  return config as unknown as ElementConfig;
}
