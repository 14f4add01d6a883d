import { useEffect, useRef, useState } from 'preact/hooks';
import type { Toast } from '../store/notifications';
import type { Strings } from './strings';

/** Props of one toast. */
export interface ToastProps {
  toast: Toast;
  /** Default auto-close delay in ms; `0` keeps toasts until dismissed. */
  duration: number;
  /** The tab is hidden: the countdown pauses. */
  hidden: boolean;
  strings: Strings;
  onDismiss: (id: string) => void;
}

const GLYPHS = { info: 'i', success: '✓', warning: '!', error: '×' };
/** Matches the CSS transition; the toast leaves the DOM after it. */
const EXIT_MS = 200;

/**
 * One toast: text only (Preact sets `textContent`, never HTML), an auto-close
 * countdown that pauses while hovered, focused or the tab is hidden, Escape
 * and a close button to dismiss, and an enter/exit transition by `data-state`.
 */
export function ToastView({ toast, duration, hidden, strings, onDismiss }: ToastProps) {
  const [state, setState] = useState<'entering' | 'visible' | 'leaving'>('entering');
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const total = toast.duration ?? duration;
  const remaining = useRef(total);
  const leave = () => setState('leaving');

  useEffect(() => {
    const frame = requestAnimationFrame(() => setState((s) => (s === 'entering' ? 'visible' : s)));
    return () => cancelAnimationFrame(frame);
  }, []);

  // An in-place update restarts the countdown.
  useEffect(() => {
    remaining.current = total;
  }, [toast.version, total]);

  useEffect(() => {
    if (!total || hovered || focused || hidden || state === 'leaving') return;
    const started = Date.now();
    const timer = setTimeout(leave, remaining.current);
    return () => {
      clearTimeout(timer);
      remaining.current -= Date.now() - started;
    };
  }, [total, hovered, focused, hidden, state, toast.version]);

  useEffect(() => {
    if (state !== 'leaving') return;
    const reduced = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    const timer = setTimeout(() => onDismiss(toast.id), reduced ? 0 : EXIT_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const { title, body, level, url, icon, progress, taskId, status } = toast;
  return (
    <div
      part="toast"
      data-id={toast.id}
      data-level={level}
      data-state={state}
      tabIndex={0}
      role="group"
      aria-label={title || body}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocusIn={() => setFocused(true)}
      onFocusOut={() => setFocused(false)}
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), leave())}
    >
      {icon ? <img class="img" src={icon} alt="" /> : <span class="glyph" aria-hidden="true">{GLYPHS[level]}</span>}
      <div class="text">
        {title && <strong part="title">{title}</strong>}
        {body && <span part="body">{body}</span>}
        {taskId && status !== 'completed' && status !== 'failed' && (
          <progress part="progress" max={100} value={progress ?? 0} aria-label={title || body || taskId}>
            {progress ?? 0}%
          </progress>
        )}
        {url && (
          <a part="action" href={url} target="_blank" rel="noopener noreferrer">
            {strings.open}
          </a>
        )}
      </div>
      <button part="close" type="button" aria-label={strings.close} onClick={leave}>
        ×
      </button>
    </div>
  );
}
