import { useEffect, useRef, useState } from 'preact/hooks';
import { createConnection, type ConnectionOptions } from '../sse/connection';
import type { ConnectionState } from '../sse/types';
import type { NotificationStore } from '../store/notifications';
import { parseData } from '../store/normalize';
import { toNotification } from '../store/ingest';
import { createToaster, type Position, type Toaster } from '../ui/toaster';
import { stringsFor, type Strings } from '../ui/strings';
import { attachStyledShadow } from '../ui/shadow';
import { getDefaultStore } from './use-notifications';

/** Props of {@link Notifications}: the element's attributes in camelCase. */
export interface NotificationsProps extends Partial<ConnectionOptions> {
  /** SSE endpoint; without it the toaster shows only `toast()` calls. */
  url?: string;
  /** SSE types shown as toasts. Default `notification message progress`. */
  events?: string[];
  position?: Position;
  maxToasts?: number;
  duration?: number;
  theme?: 'auto' | 'light' | 'dark';
  /** Language of the widget's own words. Default: the page's `lang`. */
  lang?: string;
  strings?: Partial<Strings>;
  store?: NotificationStore;
}

/**
 * The same toaster the `<sse-notify>` element renders, as a Preact component:
 * in its own shadow root (styles never leak either way), optionally fed by an
 * SSE connection that lives exactly as long as the component.
 */
export function Notifications(props: NotificationsProps) {
  const { url, events = ['notification', 'message', 'progress'], position = 'top-right', maxToasts = 5, duration = 5000, theme = 'auto', lang, strings, store = getDefaultStore(), ...options } = props;
  const host = useRef<HTMLDivElement>(null);
  const [connection, setConnection] = useState<{ state: ConnectionState; attempt: number }>({ state: 'idle', attempt: 0 });
  const [retries, setRetries] = useState(0);
  const key = JSON.stringify([url, events, options]);
  // The latest provider, called at each connect: an inline one, new at every render, must not reconnect.
  const provider = useRef(options.tokenProvider);
  provider.current = options.tokenProvider;

  useEffect(() => {
    if (!url) return;
    const c = createConnection({ ...options, url, events, tokenProvider: options.tokenProvider && (() => provider.current?.()) });
    c.on('state', ({ state }) => setConnection((s) => ({ state, attempt: state === 'open' ? 0 : s.attempt })));
    c.on('retry', ({ attempt }) => setConnection((s) => ({ ...s, attempt })));
    c.on('*', (event) => {
      const notification = toNotification(event.type, parseData(event.data), event.id, events);
      if (notification) store.add(notification);
    });
    c.connect();
    return () => c.close();
  }, [key, store, retries, !options.tokenProvider]);

  const toaster = useRef<Toaster | undefined>(undefined);
  useEffect(() => {
    toaster.current ??= createToaster(attachStyledShadow(host.current!));
    toaster.current.u({
      store,
      position,
      maxToasts,
      duration,
      strings: stringsFor(lang ?? globalThis.document?.documentElement.lang, strings),
      connection,
      onRetry: () => setRetries((n) => n + 1),
    });
  });
  useEffect(() => () => toaster.current?.d(), []);

  return <div ref={host} data-sse-notify="" {...{ theme }} />;
}
