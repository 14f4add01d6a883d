/** Toast levels; `error` and `warning` are announced assertively. */
export type Level = 'info' | 'success' | 'warning' | 'error';

/** What a server event or `toast()` asks to show, after validation (SPEC §4). */
export interface ToastInput {
  /** Dedupe key: the same id twice shows once. Generated when absent. */
  id?: string;
  title?: string;
  body?: string;
  level?: Level;
  /** An `http:`/`https:` or relative URL; anything else is dropped. */
  url?: string;
  /** An `http:`/`https:` or relative image URL; anything else is dropped. */
  icon?: string;
  /** ms before it closes itself; `0` keeps it. Default: the element's `duration`. */
  duration?: number;
  channel?: string;
  /** Update the toast with the same `id` in place instead of ignoring the repeat. */
  update?: boolean;
  /** 0–100 for a progress toast. */
  progress?: number;
  /** Progress status: `started | processing | completed | failed`. */
  status?: string;
  /** Progress task key: one toast per task. */
  taskId?: string;
}

const LEVELS: Level[] = ['info', 'success', 'warning', 'error'];
/** Longest title and body shown; the rest is cut with an ellipsis so one event cannot flood the page. */
export const MAX_TITLE = 200;
export const MAX_BODY = 1000;

const text = (value: unknown, max: number): string | undefined => {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || !value) return undefined;
  // Never cut a surrogate pair in half: that would show a replacement character.
  return value.length > max ? value.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '') + '…' : value;
};

/**
 * Keeps `http:`, `https:` and relative URLs; drops `javascript:`, `data:` and
 * everything else (SPEC §4). Relative URLs resolve against a fixed base only to
 * read their scheme; the original string is kept.
 */
export function safeUrl(value: unknown): string | undefined {
  // Check the very string returned: trim() strips U+00A0 and U+FEFF, which the URL parser keeps
  // (reading "\u00a0javascript:…" as a relative path). Over 8 KB is no real link.
  const url = typeof value === 'string' ? value.trim() : '';
  if (!url || url.length > 8192) return undefined;
  try {
    const { protocol } = new URL(url, 'https://relative.invalid/');
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Parses SSE `data` as JSON when it parses, else returns the string (SPEC §3 `sse-event`). */
export function parseData(data: string): unknown {
  const c = data.charCodeAt(0);
  // Only objects, arrays and strings are worth a parse attempt; numbers stay text.
  if (c !== 123 && c !== 91 && c !== 34) return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/**
 * Turns an event's parsed data into a toast input (SPEC §4): `body` falls back
 * to `message`, then `text`; non-JSON data becomes the body as is; unknown
 * levels become `info`; over-long text is cut; unsafe URLs are dropped.
 * Never throws, whatever the input.
 */
export function normalize(data: unknown, eventId?: string): ToastInput {
  const id = eventId || undefined;
  // An array is no payload, and String() of one nested 100 000 deep overflows the stack.
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { id, body: text(Array.isArray(data) ? '' : String(data ?? ''), MAX_BODY) };
  const d = data as Record<string, unknown>;
  const { duration, progress } = d;
  return {
    id: text(d.id, 200) ?? id,
    title: text(d.title, MAX_TITLE),
    body: text(d.body, MAX_BODY) ?? text(d.message, MAX_BODY) ?? text(d.text, MAX_BODY),
    // An update that leaves the level out keeps the toast's level.
    level: LEVELS.includes(d.level as Level) ? (d.level as Level) : d.update === true ? undefined : 'info',
    url: safeUrl(d.url),
    icon: safeUrl(d.icon),
    // setTimeout fires at once beyond 2^31 - 1 ms.
    duration: typeof duration === 'number' && duration >= 0 && duration < 2 ** 31 ? duration : undefined,
    channel: text(d.channel, 200),
    update: d.update === true,
    progress: typeof progress === 'number' && progress >= 0 ? Math.min(100, progress) : undefined,
    status: text(d.status, 40),
    taskId: text(d.taskId, 200),
  };
}
