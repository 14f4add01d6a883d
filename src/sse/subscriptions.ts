import type { Connection } from './connection';

/** Options of {@link createSubscriptions}. */
export interface SubscriptionOptions {
  /** Where `{ clientId, channel }` is POSTed to join a channel. */
  subscribeUrl: string;
  /** Where it is POSTed to leave one. Default: `subscribeUrl` with its last segment `subscribe` → `unsubscribe`. */
  unsubscribeUrl?: string;
  /** Channels to join. */
  channels: string[];
  /** Extra headers for the POSTs (such as `Authorization`). */
  headers?: () => Record<string, string>;
  /** Send cookies cross-origin. Default `false`. */
  withCredentials?: boolean;
  /** The `fetch` to use. Default the global one. */
  fetch?: typeof fetch;
}

/** The subscribe protocol's handle: change channels live, or stop. */
export interface Subscriptions {
  /** Joins added channels and leaves removed ones, without reconnecting. */
  setChannels(channels: string[]): void;
  /** Stops listening to the connection. */
  close(): void;
}

/** `…/events/subscribe` → `…/events/unsubscribe` (SPEC §5): only a last path segment that is exactly `subscribe`. */
export const unsubscribeUrlFor = (url: string) => url.replace(/(^|\/)subscribe(?=\/?(?:[?#].*)?$)/, '$1unsubscribe');

/**
 * The subscribe protocol of SPEC §5 on top of a connection: the server's
 * first `message` carries `{ type: 'connected', clientId }`; then each channel
 * is POSTed as `{ clientId, channel }`, again after every reconnect (a new
 * client id). A 404 means the server forgot the client (it restarted): the
 * connection is reopened so it hands out a new id.
 */
export function createSubscriptions(connection: Connection, options: SubscriptionOptions): Subscriptions {
  let channels = [...new Set(options.channels)];
  let clientId = '';
  let closed = false;
  const unsubscribeUrl = options.unsubscribeUrl || unsubscribeUrlFor(options.subscribeUrl);

  const post = async (url: string, channel: string, id: string) => {
    try {
      const response = await (options.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers?.() },
        credentials: options.withCredentials ? 'include' : 'same-origin',
        body: JSON.stringify({ clientId: id, channel }),
      });
      if (response.status === 404 && !closed && id === clientId) {
        clientId = '';
        connection.close();
        connection.connect();
      }
    } catch {
      // A failed POST is retried by the next reconnect's fresh subscription.
    }
  };

  const off = connection.on('message', (event) => {
    let data: { type?: unknown; clientId?: unknown };
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data?.type !== 'connected' || typeof data.clientId !== 'string') return;
    clientId = data.clientId;
    for (const channel of channels) void post(options.subscribeUrl, channel, clientId);
  });

  return {
    setChannels(next) {
      const wanted = [...new Set(next)];
      const added = wanted.filter((c) => !channels.includes(c));
      const removed = channels.filter((c) => !wanted.includes(c));
      channels = wanted;
      if (!clientId) return;
      for (const channel of added) void post(options.subscribeUrl, channel, clientId);
      for (const channel of removed) void post(unsubscribeUrl, channel, clientId);
    },
    close() {
      closed = true;
      off();
    },
  };
}
