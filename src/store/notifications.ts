import type { Level, ToastInput } from './normalize';

/** A live toast in the store. */
export interface Toast extends ToastInput {
  id: string;
  level: Level;
  /** `Date.now()` when first shown. */
  createdAt: number;
  /** Bumped on every in-place update, so views restart the auto-close timer. */
  version: number;
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
   * when the id was already shown (a replay, a second tab) or there is
   * nothing to show (no title, body or task).
   */
  add(input: ToastInput): string | undefined;
  /** Whether this id is shown now or was shown within the history (a repeat would not show). */
  has(id: string): boolean;
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
export function createNotificationStore({ historySize = 1000 }: NotificationStoreOptions = {}): NotificationStore {
  let toasts: Toast[] = [];
  const listeners = new Set<(toasts: Toast[]) => void>();
  const set = (next: Toast[]) => {
    toasts = next;
    for (const listener of [...listeners]) listener(next);
  };
  // Ids shown before, oldest first, so the oldest is forgotten first. Live ids
  // are also checked in the list, so a visible toast is never shown twice.
  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > historySize) seen.delete(seen.values().next().value!);
  };

  return {
    add(input) {
      const { taskId, status } = input;
      // Nothing to say (toast({}), toast(null), an empty event): nothing to show.
      if (!input.title && !input.body && !taskId && !input.update) return;
      const id = taskId ? 'task:' + taskId : input.id || 'toast-' + ++counter;
      // A task's outcome is remembered apart: a user who closed a running task
      // is not pestered by its progress, but still learns once how it ended.
      const end = taskId && (status === 'completed' || status === 'failed') ? id + '\n' + status : '';
      const ended = seen.has(end);
      const index = toasts.findIndex((t) => t.id === id);
      // Fields an update leaves out keep their value.
      const patch: Record<string, unknown> = {};
      for (const key in input) if (input[key as keyof ToastInput] !== undefined) patch[key] = input[key as keyof ToastInput];
      if (taskId) {
        // A running task stays until it ends; `completed` closes itself, `failed` stays.
        patch.duration = status === 'completed' ? input.duration : status === 'failed' ? input.duration ?? 0 : 0;
        if (status === 'completed') (patch.level = 'success'), (patch.progress = 100);
        if (status === 'failed') patch.level = 'error';
      }
      if (end) remember(end);
      if (index >= 0) {
        if (!taskId && !input.update) return;
        const next = toasts.slice();
        const old = next[index];
        next[index] = { ...old, ...patch, id, version: old.version + 1 };
        set(next);
        return id;
      }
      // An update with nothing to say has no toast to update.
      if ((seen.has(id) && (!end || ended)) || !(input.title || input.body || taskId)) return;
      remember(id);
      set([...toasts, { level: 'info', ...patch, id, createdAt: Date.now(), version: 0 }]);
      return id;
    },
    has: (id) => seen.has(id) || toasts.some((t) => t.id === id),
    dismiss(id) {
      const next = toasts.filter((t) => t.id !== id);
      if (next.length < toasts.length) set(next);
    },
    clear() {
      if (toasts.length) set([]);
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(toasts);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => toasts,
  };
}
