import { useEffect, useState } from 'preact/hooks';
import { createNotificationStore, type NotificationStore, type Toast } from '../store/notifications';
import { normalize, type ToastInput } from '../store/normalize';

let defaultStore: NotificationStore | undefined;

/** The store `<Notifications>` and `useNotifications()` share unless given another. */
export const getDefaultStore = () => (defaultStore ??= createNotificationStore());

/** What {@link useNotifications} returns. */
export interface UseNotificationsResult {
  /** Live toasts, oldest first. */
  notifications: Toast[];
  /** Shows a toast (text only); returns its id, or `undefined` for a repeated id. */
  toast(input: ToastInput | string): string | undefined;
  dismiss(id: string): void;
  clear(): void;
}

/** Reads and drives a notification store (by default the one `<Notifications>` renders). */
export function useNotifications(store: NotificationStore = getDefaultStore()): UseNotificationsResult {
  const [notifications, setNotifications] = useState(store.getSnapshot);
  useEffect(() => store.subscribe(setNotifications), [store]);
  return {
    notifications,
    toast: (input) => store.add(normalize(input)),
    dismiss: store.dismiss,
    clear: store.clear,
  };
}
