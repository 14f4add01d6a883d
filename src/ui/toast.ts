import type { Toast } from '../store/notifications';
import type { Strings } from './strings';
import { attr, h, place, text } from './dom';

/** Props of one toast. */
export interface ToastProps {
  toast: Toast;
  /** Default auto-close delay in ms; `0` keeps toasts until dismissed. */
  duration: number;
  /** The tab is hidden: the countdown pauses. */
  hidden?: boolean;
  strings: Strings;
  /** Called once the toast has left; without it the toast has no close button (a sticky notice). */
  onDismiss?: (id: string) => void;
  /** A button after the text: `[label, onClick]`. */
  action?: [string, () => void];
}

/** One toast's node, kept across updates. */
export interface ToastView {
  /** The toast's root element. */
  n: HTMLElement;
  /** Re-renders with new props, in place. */
  u(props: ToastProps): void;
  /** Stops its timers and its animation frame, once the toaster has removed the node (a focusout on removal re-arms them). */
  d(): void;
}

const GLYPHS = { info: 'i', success: '✓', warning: '!', error: '×' };

/**
 * One toast: text only (every field is a text node, never HTML), an
 * auto-close countdown that pauses while hovered, focused or the tab is
 * hidden, Escape and a close button to dismiss. The enter animation is CSS
 * alone; `data-state` (`entering`, `visible`, `leaving`) drives the exit.
 *
 * Each part is created once and updated in place, so a progress update keeps
 * the same bar and a focused button keeps its focus.
 */
export function toastView(doc: Document, props: ToastProps): ToastView {
  let p = props;
  let s = 'entering';
  /** What holds the countdown: 1 hovered, 2 focused. */
  let held = 0;
  /** ms left on the countdown, when it was last armed (0: not running), its timer, and the version and duration counted for. */
  let left = 0;
  let armed = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  let counted = '';

  const glyph = h(doc, 'i', { 'aria-hidden': 'true' });
  const icon = h(doc, 'img', { alt: '' });
  const title = h(doc, 'b', { part: 'title' });
  const body = h(doc, 'div', { part: 'body' });
  const bar = h(doc, 'progress', { part: 'progress', max: 100 });
  const link = h(doc, 'a', { part: 'action', target: '_blank', rel: 'noopener' });
  const button = h(doc, 'button', { part: 'action', type: 'button' });
  const close = h(doc, 'button', { part: 'close', type: 'button' }, '×');
  const content = h(doc, 'div');
  const n = h(doc, 'div', { part: 'toast', tabindex: 0, role: 'group' });

  const leave = () => {
    if (p.onDismiss) (s = 'leaving'), arm();
  };
  const hold = (bit: number, on?: boolean) => () => {
    held = on ? held | bit : held & ~bit;
    arm();
  };
  // Banks the time that ran, then re-arms or pauses the countdown.
  const arm = () => {
    const { toast, duration, hidden, onDismiss } = p;
    const total = toast.duration ?? duration;
    attr(n, 'data-state', s);
    if (armed) clearTimeout(timer), (left -= Date.now() - armed), (armed = timer = 0);
    // An in-place update, or a new duration, restarts the countdown.
    if (counted != toast.version + ' ' + total) (counted = toast.version + ' ' + total), (left = total);
    // 200 ms: the exit animation. With reduced motion the toast is already invisible meanwhile.
    if (s == 'leaving') timer ||= setTimeout(() => onDismiss!(toast.id), 200);
    else if (total && !held && !hidden) (armed = Date.now()), (timer = setTimeout(leave, left));
  };
  const draw = () => {
    const { toast, strings, onDismiss, action } = p;
    const { id, level, url, taskId, status } = toast;
    const running = taskId && status != 'completed' && status != 'failed';
    attr(n, 'data-id', id);
    attr(n, 'data-level', level);
    attr(n, 'aria-label', toast.title || toast.body);
    attr(icon, 'src', toast.icon);
    text(glyph, GLYPHS[level]);
    text(title, toast.title || '');
    text(body, toast.body || '');
    // No value: an indeterminate bar.
    attr(bar, 'value', toast.progress);
    attr(bar, 'aria-label', toast.title || toast.body || taskId);
    attr(link, 'href', url);
    text(link, strings.open);
    text(button, action ? action[0] : '');
    attr(close, 'aria-label', strings.close);
    place(content, [toast.title && title, toast.body && body, running && bar, url && link, action && button]);
    place(n, [toast.icon ? icon : glyph, content, onDismiss && close]);
  };

  n.addEventListener('mouseenter', hold(1, true));
  n.addEventListener('mouseleave', hold(1));
  n.addEventListener('focusin', hold(2, true));
  n.addEventListener('focusout', hold(2));
  n.addEventListener('keydown', (e) => e.key == 'Escape' && p.onDismiss && (e.stopPropagation(), leave()));
  button.addEventListener('click', () => p.action?.[1]());
  close.addEventListener('click', leave);
  // The enter animation runs from `entering`; the next frame settles it.
  const frame = requestAnimationFrame(() => s == 'entering' && ((s = 'visible'), arm()));
  draw();
  arm();

  return {
    n,
    u(next) {
      p = next;
      draw();
      arm();
    },
    d() {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    },
  };
}
