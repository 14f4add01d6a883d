import { useEffect, useRef, useState } from 'preact/hooks';
import { createConnection, type ConnectionOptions, type FailedDetail } from '../sse/connection';
import { parseData } from '../store/normalize';
import type { ConnectionState, FailureType } from '../sse/types';

/** Options of {@link useSSE}: the connection's options, and the types whose data to keep. */
export interface UseSSEOptions extends ConnectionOptions {
  /** SSE event types whose latest data `data` holds. Default `['message']`. */
  events?: string[];
}

/** The last failure: a retry in progress, or the final one. */
export interface SSEError {
  type: FailureType;
  status?: number;
  /** Set when the connection gave up. */
  failed?: FailedDetail;
}

/** What {@link useSSE} returns. */
export interface UseSSEResult<T> {
  /** The latest event's data, parsed as JSON when it parses. */
  data: T | undefined;
  error: SSEError | undefined;
  isConnected: boolean;
  state: ConnectionState;
  lastEventId: string;
}

/**
 * Subscribes a component to an SSE endpoint. The connection opens on mount,
 * reopens when `url` or an option changes, and is closed, with every listener
 * and timer, on unmount.
 */
export function useSSE<T = unknown>(options: UseSSEOptions): UseSSEResult<T> {
  const [result, setResult] = useState<UseSSEResult<T>>({ data: undefined, error: undefined, isConnected: false, state: 'idle', lastEventId: '' });
  const key = JSON.stringify(options);
  // The latest provider, called at each connect: an inline one, new at every render, must not reconnect (a render loop).
  const provider = useRef(options.tokenProvider);
  provider.current = options.tokenProvider;
  useEffect(() => {
    const connection = createConnection({ ...options, tokenProvider: options.tokenProvider && (() => provider.current?.()) });
    const update = (patch: Partial<UseSSEResult<T>>) => setResult((r) => ({ ...r, ...patch }));
    connection.on('state', ({ state }) => update({ state, isConnected: state === 'open', ...(state === 'open' && { error: undefined }) }));
    connection.on('retry', ({ type, status }) => update({ error: { type, status: status || undefined } }));
    connection.on('failed', (failed) => update({ error: { type: failed.type, status: failed.status, failed } }));
    for (const type of options.events ?? ['message']) {
      connection.on(type, (event) => update({ data: parseData(event.data) as T, lastEventId: event.lastEventId }));
    }
    connection.connect();
    return () => connection.close();
  }, [key, !options.tokenProvider]);
  return result;
}
