// The listener plumbing FetchEventSource, createConnection and
// createSharedConnection share: sets of listeners by type, called in order.

/** Listeners by event type: functions or `{ handleEvent }` objects. */
export type Listeners = Map<string, Set<any>>;

/**
 * Reports an exception thrown by a listener the way the platform reports one
 * from an `EventTarget` listener (`reportError`: the page's `error` event and
 * console), without unwinding our stack; Node has no `reportError`.
 */
export const report = (error: unknown) => (globalThis.reportError || console.error)(error);

/** Adds a listener for `type`; returns the unbind. */
export const listen = (listeners: Listeners, type: string, listener: unknown) => {
  let set = listeners.get(type);
  if (!set) listeners.set(type, (set = new Set()));
  set.add(listener);
  return () => void set.delete(listener);
};

/**
 * Calls a listener with `this` bound to `self`. One that throws is reported:
 * it must break neither the stream nor the other listeners.
 */
export const call = (listener: any, arg: unknown, self?: unknown) => {
  try {
    typeof listener == 'function' ? listener.call(self, arg) : listener.handleEvent(arg);
  } catch (error) {
    report(error);
  }
};

/** Calls every listener of `type`, in the order they were added (see {@link call}). */
export const emit = (listeners: Listeners, type: string, arg: unknown, self?: unknown) => {
  // A copy: a listener may add or remove listeners.
  for (const listener of [...(listeners.get(type) ?? [])]) call(listener, arg, self);
};

/** Resolves `url` against the page (as `EventSource` does); absolute URLs only in Node. */
export const resolve = (url: string | URL) => new URL(url, (globalThis as { location?: Location }).location?.href).href;
