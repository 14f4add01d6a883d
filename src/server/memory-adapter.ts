import type { HubAdapter, HubEvent, NewHubEvent } from './types';

/** Options of {@link createMemoryAdapter}. */
export interface MemoryAdapterOptions {
  /** Events kept for replay (a ring buffer: the oldest goes first). Default `1000`. */
  historySize?: number;
}

/**
 * One process, no dependencies: ids are a decimal counter starting at 1, history is a ring
 * buffer. After a restart the counter starts again, so a client resuming with an id from the
 * previous run gets no replay (it cannot tell what it missed), never a wrong one.
 */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): HubAdapter {
  const historySize = options.historySize ?? 1000;
  if (!Number.isInteger(historySize) || historySize < 1) {
    throw new TypeError(`createMemoryAdapter: historySize must be a positive integer (got ${String(historySize)}).`);
  }
  const ring: HubEvent[] = [];
  let start = 0; // index of the oldest event once the ring is full
  let counter = 0;
  const listeners = new Set<(event: HubEvent) => void>();

  return {
    async append(event: NewHubEvent) {
      const stored: HubEvent = { ...event, id: String(++counter) };
      if (ring.length < historySize) ring.push(stored);
      else {
        ring[start] = stored;
        start = (start + 1) % historySize;
      }
      for (const listener of [...listeners]) listener(stored);
      return stored;
    },
    async since(lastEventId: string) {
      if (!/^\d{1,15}$/.test(lastEventId)) return [];
      const last = Number(lastEventId);
      const result: HubEvent[] = [];
      for (let i = 0; i < ring.length; i++) {
        const event = ring[(start + i) % ring.length]!;
        if (Number(event.id) > last) result.push(event);
      }
      return result;
    },
    // The counter, not the ring: '0' before the first event, which since() reads as the start.
    lastId: async () => String(counter),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      listeners.clear();
      ring.length = 0;
    },
  };
}
