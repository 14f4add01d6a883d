/** @jsxRuntime classic */
/** @jsx h */
// Classic `h` calls and a class instead of hooks: the classic script then
// bundles neither preact/hooks nor the JSX runtime (about 1 KB gzip).
import { Component, h } from 'preact';
import type { Toast } from '../store/notifications';
import type { Strings } from './strings';

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

interface ToastState {
  s: 'entering' | 'visible' | 'leaving';
  /** What holds the countdown: 1 hovered, 2 focused. */
  h: number;
}

const GLYPHS = { info: 'i', success: '✓', warning: '!', error: '×' };

/**
 * One toast: text only (Preact sets `textContent`, never HTML), an auto-close
 * countdown that pauses while hovered, focused or the tab is hidden, Escape
 * and a close button to dismiss. The enter animation is CSS alone (a class
 * component mounts before the first paint); `data-state` drives the exit.
 */
export class ToastView extends Component<ToastProps, ToastState> {
  state: ToastState = { s: 'entering', h: 0 };
  /** ms left on the countdown, when it was last armed (0: not running), its timer, the animation frame, the version and duration counted for. */
  l = 0;
  a = 0;
  t: ReturnType<typeof setTimeout> | 0 = 0;
  f = 0;
  v = '';

  leave = () => this.props.onDismiss && this.setState({ s: 'leaving' });
  hold = (bit: number, on: boolean) => () => this.setState(({ h }) => ({ h: on ? h | bit : h & ~bit }));

  componentDidMount() {
    this.f = requestAnimationFrame(() => this.setState(({ s }) => (s == 'entering' ? { s: 'visible' } : null)));
    this.componentDidUpdate();
  }

  componentWillUnmount() {
    cancelAnimationFrame(this.f);
    clearTimeout(this.t);
  }

  // Runs after every render: banks the time that ran, then re-arms or pauses.
  componentDidUpdate() {
    const { toast, duration, hidden, onDismiss } = this.props;
    const total = toast.duration ?? duration;
    if (this.a) clearTimeout(this.t), (this.l -= Date.now() - this.a), (this.a = this.t = 0);
    // An in-place update, or a new duration, restarts the countdown.
    if (this.v != toast.version + ' ' + total) (this.v = toast.version + ' ' + total), (this.l = total);
    // 200 ms: the exit animation. With reduced motion the toast is already invisible meanwhile.
    if (this.state.s == 'leaving') this.t ||= setTimeout(() => onDismiss!(toast.id), 200);
    else if (total && !this.state.h && !hidden) (this.a = Date.now()), (this.t = setTimeout(this.leave, this.l));
  }

  render({ toast, strings, onDismiss, action }: ToastProps, { s }: ToastState) {
    const { id, title, body, level, url, icon, progress, taskId, status } = toast;
    return (
      <div
        part="toast"
        data-id={id}
        data-level={level}
        data-state={s}
        tabIndex={0}
        role="group"
        aria-label={title || body}
        onMouseEnter={this.hold(1, true)}
        onMouseLeave={this.hold(1, false)}
        onFocusIn={this.hold(2, true)}
        onFocusOut={this.hold(2, false)}
        onKeyDown={(e) => e.key == 'Escape' && onDismiss && (e.stopPropagation(), this.leave())}
      >
        {icon ? <img src={icon} alt="" /> : <i aria-hidden="true">{GLYPHS[level]}</i>}
        <div>
          {title && <b part="title">{title}</b>}
          {body && <div part="body">{body}</div>}
          {taskId && status != 'completed' && status != 'failed' && (
            <progress part="progress" max={100} value={progress} aria-label={title || body || taskId} />
          )}
          {url && (
            <a part="action" href={url} target="_blank" rel="noopener">
              {strings.open}
            </a>
          )}
          {action && (
            <button part="action" type="button" onClick={action[1]}>
              {action[0]}
            </button>
          )}
        </div>
        {onDismiss && (
          <button part="close" type="button" aria-label={strings.close} onClick={this.leave}>
            ×
          </button>
        )}
      </div>
    );
  }
}
