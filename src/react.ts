// Types only: `import type {} from 'sse-notify/react'` once in a React
// project makes `<sse-notify channels="a" />` type-check in TSX.
import type { HTMLAttributes } from 'react';
import type { SSENotifyAttributes } from './element/jsx';

type SSENotifyJSX = Omit<HTMLAttributes<HTMLElement>, keyof SSENotifyAttributes> & SSENotifyAttributes & { ref?: unknown; key?: string | number };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'sse-notify': SSENotifyJSX;
    }
  }
}

export type { SSENotifyAttributes, SSENotifyJSX };
