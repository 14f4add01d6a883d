import { useEffect, useState } from 'preact/hooks';
import type { NotificationStore, Toast } from '../store/notifications';
import type { ConnectionState } from '../sse/types';
import type { Strings } from './strings';
import { ToastView } from './toast';

export type Position = 'top-left' | 'top-center' | 'top-right' | 'bottom-left' | 'bottom-center' | 'bottom-right';

/** Props of the toaster, which the element and `<Notifications>` both render. */
export interface ToasterProps {
  store: NotificationStore;
  position: Position;
  /** Toasts visible at once; the rest wait in order behind a "+N more" line. */
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

/** Failed attempts before the quiet "Reconnecting…" line shows: one blip is not worth a word. */
const QUIET_ATTEMPTS = 2;

const assertive = (t: Toast) => t.level === 'error' || t.level === 'warning';
const announcement = (t: Toast) => [t.title, t.body].filter(Boolean).join('. ');

/** Visible toasts: when more wait than fit, the last slot becomes the "+N more" summary. */
export function visibleToasts(toasts: Toast[], maxToasts: number): { shown: Toast[]; more: number } {
  if (toasts.length <= maxToasts) return { shown: toasts, more: 0 };
  const shown = toasts.slice(0, Math.max(1, maxToasts - 1));
  return { shown, more: toasts.length - shown.length };
}

const useTabHidden = () => {
  const doc = globalThis.document;
  const [hidden, setHidden] = useState(doc?.visibilityState === 'hidden');
  useEffect(() => {
    if (!doc) return;
    const update = () => setHidden(doc.visibilityState === 'hidden');
    doc.addEventListener('visibilitychange', update);
    return () => doc.removeEventListener('visibilitychange', update);
  }, []);
  return hidden;
};

/**
 * The toast stack. Two live regions (polite for info/success, assertive for
 * warning/error) exist from the first render, since screen readers miss
 * regions inserted together with their content; each visible toast adds one
 * node to one region while it is shown, so it is announced once.
 */
export function Toaster(props: ToasterProps) {
  const { store, position, maxToasts, duration, strings, connection, onRetry, onEnable } = props;
  const hidden = useTabHidden();
  const [toasts, setToasts] = useState(store.getSnapshot);
  useEffect(() => store.subscribe(setToasts), [store]);
  const { shown, more } = visibleToasts(toasts, maxToasts);
  const dismiss = (id: string) => store.dismiss(id);
  const state = connection?.state;
  const region = (loud: boolean) =>
    shown
      .filter((t) => assertive(t) === loud)
      .slice(-3)
      .map((t) => <p key={t.id}>{announcement(t)}</p>);

  return (
    <section part="stack" data-position={position} aria-label={strings.region}>
      <div class="sr" role="status" aria-live="polite">
        {region(false)}
      </div>
      <div class="sr" role="alert" aria-live="assertive">
        {region(true)}
        {state === 'failed' && <p>{strings.failed}</p>}
      </div>
      {onEnable && (
        <button class="enable" type="button" onClick={onEnable}>
          {strings.enable}
        </button>
      )}
      {state === 'reconnecting' && (connection?.attempt ?? 0) >= QUIET_ATTEMPTS && <div class="line">{strings.reconnecting}</div>}
      {state === 'failed' && (
        <div part="toast" data-level="error" data-state="visible" data-id="sse-notify-failed" role="group" aria-label={strings.failed}>
          <span class="glyph" aria-hidden="true">
            ×
          </span>
          <div class="text">
            <span part="body">{strings.failed}</span>
            {onRetry && (
              <button part="action" type="button" onClick={onRetry}>
                {strings.retry}
              </button>
            )}
          </div>
        </div>
      )}
      {shown.map((t) => (
        <ToastView key={t.id} toast={t} duration={duration} hidden={hidden} strings={strings} onDismiss={dismiss} />
      ))}
      {more > 0 && (
        <div part="toast" class="more" data-level="info" data-state="visible" data-id="sse-notify-more">
          <div class="text">
            <span part="body">{strings.more.replace('{n}', String(more))}</span>
            <button type="button" onClick={() => store.clear()}>
              {strings.dismissAll}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
