/** @jsxRuntime classic */
/** @jsx h */
import { Component, h } from 'preact';
import type { NotificationStore, Toast } from '../store/notifications';
import type { ConnectionState } from '../sse/types';
import type { Strings } from './strings';
import { ToastView } from './toast';

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

/** A stand-in toast for the widget's own sticky notices. */
const notice = (id: string, level: Toast['level'], text: Partial<Toast>): Toast => ({ id, level, duration: 0, createdAt: 0, version: 0, ...text });

/**
 * The toast stack. The oldest `maxToasts` toasts show; when more wait, the
 * last slot summarises them ("+N more", "Dismiss all").
 *
 * Two live regions (polite for info/success, assertive for warning/error)
 * exist from the first render, since screen readers miss regions inserted
 * together with their content. A toast's line is added once, when it first
 * reaches the front `maxToasts` (which it then never leaves but to go), so it
 * is announced once.
 *
 * A class, not hooks, for the same reason as {@link ToastView}.
 */
export class Toaster extends Component<ToasterProps, { toasts?: Toast[]; hidden?: boolean }> {
  /** Unsubscribes from the store. */
  o?: () => void;
  /** Reads the tab's visibility: a hidden tab pauses every countdown. */
  v = () => this.setState({ hidden: document.visibilityState === 'hidden' });

  componentDidMount() {
    this.o = this.props.store.subscribe((toasts) => this.setState({ toasts }));
    this.v();
    document.addEventListener('visibilitychange', this.v);
  }

  componentWillUnmount() {
    this.o!();
    document.removeEventListener('visibilitychange', this.v);
  }

  componentDidUpdate(previous: ToasterProps) {
    if (previous.store !== this.props.store) this.componentWillUnmount(), this.componentDidMount();
  }

  render({ store, position, maxToasts, duration, strings, connection, onRetry, onEnable }: ToasterProps, { toasts = store.getSnapshot(), hidden }: { toasts?: Toast[]; hidden?: boolean }) {
    const front = toasts.slice(0, maxToasts);
    const shown = toasts.length > maxToasts && maxToasts > 1 ? front.slice(0, -1) : front;
    const more = toasts.length - shown.length;
    const state = connection?.state;
    // One failed attempt is a blip not worth a word.
    const reconnecting = state === 'reconnecting' && connection!.attempt >= 2;
    const region = (loud: boolean) =>
      front.filter((t) => (t.level === 'error' || t.level === 'warning') === loud).map((t) => <p key={t.id}>{[t.title, t.body].filter(Boolean).join('. ')}</p>);

    return (
      <section part="stack" data-position={position} aria-label={strings.region}>
        <div role="status" aria-live="polite">
          {region(false)}
          {reconnecting && <p>{strings.reconnecting}</p>}
        </div>
        <div role="alert" aria-live="assertive">
          {region(true)}
          {state === 'failed' && <p>{strings.failed}</p>}
        </div>
        {onEnable && (
          <button type="button" onClick={onEnable}>
            {strings.enable}
          </button>
        )}
        {reconnecting && <p>{strings.reconnecting}</p>}
        {state === 'failed' && (
          <ToastView
            key="f"
            toast={notice('sse-notify-failed', 'error', { title: strings.failed })}
            duration={0}
            strings={strings}
            action={onRetry && [strings.retry, onRetry]}
          />
        )}
        {shown.map((t) => (
          <ToastView key={t.id} toast={t} duration={duration} hidden={hidden} strings={strings} onDismiss={store.dismiss} />
        ))}
        {more > 0 && (
          <ToastView
            key="m"
            toast={notice('sse-notify-more', 'info', { body: strings.more.replace('{n}', '' + more) })}
            duration={0}
            strings={strings}
            action={[strings.dismissAll, store.clear]}
          />
        )}
      </section>
    );
  }
}
