/** When OS notifications are shown: `hidden` (tab hidden), `always`, `off`. */
export type BrowserNotificationMode = 'off' | 'hidden' | 'always';

/** What an OS notification shows. */
export interface OsNotificationInput {
  id: string;
  title?: string;
  body?: string;
  icon?: string;
  url?: string;
}

const api = () => (globalThis as { Notification?: typeof Notification }).Notification;

/** The current permission, or `denied` where the browser has no Notification API. */
export function notificationPermission(): NotificationPermission {
  return api()?.permission ?? 'denied';
}

/**
 * Asks for permission. Call it from a user gesture: browsers ignore or
 * penalise prompts that are not. Resolves `denied` where unsupported.
 */
export async function requestNotificationPermission(): Promise<NotificationPermission> {
  const N = api();
  if (!N) return 'denied';
  try {
    return await N.requestPermission();
  } catch {
    return N.permission;
  }
}

/**
 * Shows an OS notification when the mode and the tab's visibility call for
 * one and permission is granted; degrades quietly otherwise. The `tag` is the
 * event id, so a replay or a second tab replaces rather than repeats it.
 * Clicking it focuses the tab and opens `url`. Returns the notification, if any.
 */
export function showOsNotification(input: OsNotificationInput, mode: BrowserNotificationMode): Notification | undefined {
  const N = api();
  if (mode === 'off' || !N || N.permission !== 'granted') return;
  if (mode === 'hidden' && globalThis.document?.visibilityState !== 'hidden') return;
  try {
    const n = new N(input.title || input.body || '', {
      body: input.title ? input.body : undefined,
      tag: input.id,
      icon: input.icon,
    });
    n.onclick = () => {
      globalThis.focus?.();
      if (input.url) globalThis.open?.(input.url, '_blank', 'noopener');
      n.close();
    };
    return n;
  } catch {
    // Some platforms (Android Chrome) only allow notifications from a service worker.
    return;
  }
}
