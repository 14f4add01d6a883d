/** The fields of one SSE frame, as {@link formatEvent} writes them. */
export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

const LINE_BREAK = /\r\n|\r|\n/;
// A CR or LF in a single-line field would end the line early and let the rest inject fields;
// U+0000 in an id makes the WHATWG parser ignore the id (HTML §9.2.6), so it is dropped too.
const UNSAFE_FIELD = /[\r\n\0]/g;

/**
 * Serialises one event. Every line of `data` becomes its own `data:` line (the client joins them
 * back with `\n`), so no payload can start a new field or end the event early.
 */
export function formatEvent(frame: SseFrame): string {
  let text = '';
  if (frame.id !== undefined) text += `id: ${frame.id.replace(UNSAFE_FIELD, '')}\n`;
  if (frame.event !== undefined) text += `event: ${frame.event.replace(UNSAFE_FIELD, '')}\n`;
  for (const line of frame.data.split(LINE_BREAK)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment line, ignored by clients but enough to keep proxies and watchdogs satisfied. */
export function formatComment(comment: string): string {
  return `:${comment.replace(UNSAFE_FIELD, '')}\n\n`;
}

/** The reconnection-time field (whole milliseconds). */
export function formatRetry(ms: number): string {
  return `retry: ${Math.floor(ms)}\n\n`;
}
