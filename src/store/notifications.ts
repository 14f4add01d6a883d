import type { Level, ToastInput } from './normalize';

/** A live toast in the store. */
export interface Toast extends ToastInput {
  id: string;
  level: Level;
  /** `Date.now()` when first shown. */
  createdAt: number;
  /** Bumped on every in-place update, so views restart the auto-close timer. */
  version: number;
  /** A toast the widget itself made (connection status): not counted as a notification. */
  system?: 'failed';
}

/** Options of {@link createNotificationStore}. */
export interface NotificationStoreOptions {
  /** How many ids to remember for deduplication after their toast is gone. Default 1000. */
  historySize?: number;
}

/**
 * A framework-free list of live toasts (oldest first), observable with
 * `subscribe`. Each change replaces the array, so readers compare by identity.
 */
export interface NotificationStore {
  /**
   * Adds a toast, or updates one in place: progress toasts by `taskId`, others
   * when `update` is set and the id is live. Returns the id, or `undefined`
   * when the id was already shown (a replay, a second tab).
   */
  add(input: ToastInput & { system?: 'failed' }): string | undefined;
  /** Removes one toast. */
  dismiss(id: string): void;
  /** Removes every toast. */
  clear(): void;
  /** Calls `listener` with the list now and on every change; returns the unbind. */
  subscribe(listener: (toasts: Toast[]) => void): () => void;
  /** The current list (for `useSyncExternalStore`-style readers). */
  getSnapshot(): Toast[];
}

let counter = 0;

/** Creates an empty notification store. */
export function createNotificationStore(options: NotificationStoreOptions = {}): NotificationStore {
  const historySize = options.historySize ?? 1000;
  let toasts: Toast[] = [];
  const listeners = new Set<(toasts: Toast[]) => void>();
  const set = (next: Toast[]) => {
    toasts = next;
    for (const listener of [...listeners]) listener(next);
  };
  // Insertion-ordered, so the oldest id is forgotten first.
  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > historySize) seen.delete(seen.values().next().value!);
  };

  const progressFields = (input: ToastInput): Partial<Toast> => {
    const status = input.status;
    if (status === 'completed') return { level: 'success', progress: 100, duration: input.duration };
    if (status === 'failed') return { level: 'error', duration: input.duration ?? 0 };
    // A running task stays until it ends.
    return { duration: 0 };
  };

  return {
    add(input) {
      const list = toasts;
      const id = input.taskId ? 'task:' + input.taskId : input.id || 'toast-' + ++counter;
      const index = list.findIndex((t) => t.id === id);
      const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ToastInput;
      if (input.taskId || (input.update && index >= 0)) {
        const extra = input.taskId ? progressFields(input) : {};
        if (index >= 0) {
          const old = list[index];
          const next = list.slice();
          next[index] = { ...old, ...clean, ...extra, id, level: extra.level ?? clean.level ?? old.level, version: old.version + 1 };
          set(next);
          return id;
        }
        if (!input.taskId) return undefined;
        remember(id);
        set([...list, { level: 'info', ...clean, ...extra, id, createdAt: Date.now(), version: 0 } as Toast]);
        return id;
      }
      if (seen.has(id)) return undefined;
      remember(id);
      set([...list, { level: 'info', ...clean, id, createdAt: Date.now(), version: 0 } as Toast]);
      return id;
    },
    dismiss(id) {
      const next = toasts.filter((t) => t.id !== id);
      if (next.length !== toasts.length) set(next);
    },
    clear() {
      if (toasts.length) set([]);
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(toasts);
      return () => listeners.delete(listener);
    },
    getSnapshot() {
      return toasts;
    },
  };
}
