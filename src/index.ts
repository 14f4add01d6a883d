// The ES module barrel: named exports only, no side effects at import, no DOM
// access until define() or the element runs (SSR-safe).
export { define } from './define';
export { createParser } from './sse/parser';
export { FetchEventSource } from './sse/transport-fetch';
export { createConnection } from './sse/connection';
export { backoffDelay } from './sse/backoff';
export { createNotificationStore } from './store/notifications';
export { normalize } from './store/normalize';
export { createSubscriptions } from './sse/subscriptions';
export { createSharedConnection } from './share/shared-connection';
export { useSSE } from './preact/use-sse';
export { useNotifications } from './preact/use-notifications';
export { Notifications } from './preact/notifications';

export type { ParsedEvent, ParserCallbacks, Parser, ConnectionState, FailureType, FailedReason } from './sse/types';
export type { FetchEventSourceInit, FetchEventSourceError } from './sse/transport-fetch';
export type { Connection, ConnectionEvent, ConnectionOptions, ConnectionEventMap, FailedDetail } from './sse/connection';
export type { NotificationStore, NotificationStoreOptions, Toast } from './store/notifications';
export type { ToastInput, Level } from './store/normalize';
export type { SSENotifyElement, SSENotifyEventMap } from './element/sse-notify-element';
export type { Strings } from './ui/strings';
export type { SSENotifyAttributes } from './element/jsx';
export type { Position } from './ui/toaster';
export type { Subscriptions, SubscriptionOptions } from './sse/subscriptions';
export type { SharedConnection, SharedConnectionOptions } from './share/shared-connection';
export type { UseSSEOptions, UseSSEResult, SSEError } from './preact/use-sse';
export type { UseNotificationsResult } from './preact/use-notifications';
export type { NotificationsProps } from './preact/notifications';
