import type { NotificationStore, Toast } from '../store/notifications';
import type { ConnectionState } from '../sse/types';
import type { Strings } from './strings';
import { attr, h, place, text } from './dom';
import { toastView, type ToastProps, type ToastView } from './toast';

export type Position = 'top-left' | 'top-center' | 'top-right' | 'bottom-left' | 'bottom-center' | 'bottom-right';

/** Props of the toaster, which the element and `<Notifications>` both render. */
export interface ToasterProps {
  store: NotificationStore;
  position: Position;
  /** Toasts visible at once; the rest wait in order behind a "+N more" summary. */
  maxToasts: number;
  /** Default auto-close delay in ms; `0` keeps toasts. */
  duration: number;
  strings: Strings;
  /** Connection state and consecutive failed attempts, for the status line and the "stopped" toast. */
  connection?: { state: ConnectionState; attempt: number };
  onRetry?: () => void;
  /** When set, an "Enable desktop notifications" button calls it (from a user gesture). */
  onEnable?: () => void;
}

/** A toaster mounted in a root: `u` renders it with new props, `d` unmounts it (it can be rendered again). */
export interface Toaster {
  u(props: ToasterProps): void;
  d(): void;
}

/** A stand-in toast for the widget's own sticky notices. */
const notice = (id: string, level: Toast['level'], text: Partial<Toast>): Toast => ({ id, level, duration: 0, createdAt: 0, version: 0, ...text });

/**
 * The toast stack, rendered into `root` (the widget's shadow root) with plain
 * DOM: the oldest `maxToasts` toasts show; when more wait, the last slot
 * summarises them ("+N more", "Dismiss all").
 *
 * Two live regions (polite for info/success, assertive for warning/error)
 * exist from the first render, since screen readers miss regions inserted
 * together with their content. A toast's line is added once, when it first
 * reaches the front `maxToasts` (which it then never leaves but to go), so it
 * is announced once.
 *
 * Props render at once; store changes render once per microtask, so a burst
 * of a thousand events in one chunk costs one render.
 */
export function createToaster(root: ShadowRoot | Element): Toaster {
  let p: ToasterProps | undefined;
  let store: NotificationStore | undefined;
  let unsubscribe: (() => void) | undefined;
  let toasts: Toast[] = [];
  let queued = false;
  const doc = () => root.ownerDocument!;
  /** Toast views and live-region lines by key: `.` + a toast's id, or one letter for the widget's own notices. */
  const views = new Map<string, ToastView>();
  const lines = new Map<string, HTMLElement>();
  const section = h(doc(), 'section', { part: 'stack' });
  const polite = h(doc(), 'div', { role: 'status', 'aria-live': 'polite' });
  const assertive = h(doc(), 'div', { role: 'alert', 'aria-live': 'assertive' });
  const enable = h(doc(), 'button', { type: 'button' });
  const status = h(doc(), 'p');
  enable.addEventListener('click', () => p?.onEnable?.());

  const draw = () => {
    queued = false;
    if (!p) return;
    const { position, maxToasts, duration, strings, connection, onRetry, onEnable } = p;
    const front = toasts.slice(0, maxToasts);
    const shown = toasts.length > maxToasts && maxToasts > 1 ? front.slice(0, -1) : front;
    const more = toasts.length - shown.length;
    const state = connection?.state;
    // One failed attempt is a blip not worth a word.
    const reconnecting = state == 'reconnecting' && connection!.attempt >= 2;
    const hidden = document.visibilityState == 'hidden';
    const line = (key: string, words: string) => {
      let node = lines.get(key);
      if (!node) lines.set(key, (node = h(doc(), 'p')));
      text(node, words);
      return node;
    };
    const region = (loud: boolean) =>
      front.filter((t) => (t.level == 'error' || t.level == 'warning') == loud).map((t) => line('.' + t.id, [t.title, t.body].filter(Boolean).join('. ')));
    const want: Node[] = [];
    const view = (key: string, props: ToastProps) => {
      const v = views.get(key);
      if (v) v.u(props);
      else views.set(key, toastView(doc(), props));
      want.push(views.get(key)!.n);
    };

    attr(section, 'data-position', position);
    attr(section, 'aria-label', strings.region);
    place(polite, [...region(false), reconnecting && line('r', strings.reconnecting)]);
    place(assertive, [...region(true), state == 'failed' && line('f', strings.failed)]);
    for (const [key, node] of lines) if (!node.parentNode) lines.delete(key);
    text(enable, strings.enable);
    text(status, strings.reconnecting);
    if (state == 'failed') {
      view('f', { toast: notice('sse-notify-failed', 'error', { title: strings.failed }), duration: 0, strings, action: onRetry && [strings.retry, onRetry] });
    }
    for (const t of shown) view('.' + t.id, { toast: t, duration, hidden, strings, onDismiss: store!.dismiss });
    if (more > 0) {
      view('m', { toast: notice('sse-notify-more', 'info', { body: strings.more.replace('{n}', '' + more) }), duration: 0, strings, action: [strings.dismissAll, store!.clear] });
    }
    place(section, [polite, assertive, onEnable && enable, reconnecting && status, ...want]);
    for (const [key, v] of views) if (!v.n.parentNode) v.d(), views.delete(key);
  };

  return {
    u(props) {
      if (!p) root.append(section), document.addEventListener('visibilitychange', draw);
      p = props;
      if (props.store != store) {
        unsubscribe?.();
        store = props.store;
        unsubscribe = store.subscribe((list) => {
          toasts = list;
          if (!queued) (queued = true), queueMicrotask(draw);
        });
      }
      draw();
    },
    d() {
      unsubscribe?.();
      document.removeEventListener('visibilitychange', draw);
      // Nodes out first, timers off after: Chromium fires focusout at a removed focused toast, which re-arms its countdown.
      place(section, []);
      section.remove();
      for (const v of views.values()) v.d();
      views.clear();
      lines.clear();
      p = store = unsubscribe = undefined;
      toasts = [];
    },
  };
}
