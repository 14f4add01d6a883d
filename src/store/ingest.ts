import { normalize, type ToastInput } from './normalize';

let sequence = 0;

/**
 * What an SSE event shows the user, or `undefined` when it is not for them:
 * a type outside `events`, the subscribe protocol's `connected` handshake,
 * or an event with nothing to say.
 * `data` is the parsed data; `eventId` the event's own SSE id, if it had one.
 * The result always has an id: the payload's, else the SSE id, else a fresh one.
 */
export function toNotification(type: string, data: unknown, eventId: string | undefined, events: string[]): (ToastInput & { id: string }) | undefined {
  if (!events.includes(type)) return;
  if (type === 'message' && (data as { type?: unknown } | null)?.type === 'connected') return;
  const input = normalize(data, eventId);
  // An empty event (a keep-alive `data:` line) is nothing to show.
  if (!input.title && !input.body && !input.taskId) return;
  return { ...input, id: input.taskId ? 'task:' + input.taskId : input.id ?? 'sse-' + ++sequence };
}
