/** @jsxImportSource react */
// React users: one type import makes <sse-notify> known to TSX.
import type {} from '../../src/react';

export const ok = <sse-notify src="/api/events" channels="a" max-toasts={3} />;
// @ts-expect-error: not a theme
export const bad = <sse-notify theme="blue" />;
