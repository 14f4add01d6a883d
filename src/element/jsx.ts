import type { Position } from '../ui/toaster';

type Numeric = number | `${number}`;

/**
 * The `<sse-notify>` attributes as JSX sees them (kebab-case, SPEC §3), so a
 * misspelt value such as `position="middle"` fails to compile.
 */
export interface SSENotifyAttributes {
  src?: string;
  channels?: string;
  'channel-param'?: string;
  'subscribe-url'?: string;
  'unsubscribe-url'?: string;
  events?: string;
  transport?: 'fetch' | 'eventsource';
  token?: string;
  'token-param'?: string;
  'with-credentials'?: boolean | '';
  'last-event-id-param'?: string;
  'max-retries'?: Numeric | 'infinite';
  'retry-delay'?: Numeric;
  'max-retry-delay'?: Numeric;
  'heartbeat-timeout'?: Numeric;
  position?: Position;
  'max-toasts'?: Numeric;
  duration?: Numeric;
  'browser-notifications'?: 'off' | 'hidden' | 'always';
  theme?: 'auto' | 'light' | 'dark';
  share?: 'tabs' | 'off';
}
