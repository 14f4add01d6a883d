// The classic-script entry (dist/sse-notify.iife.js): defines <sse-notify> on
// load unless a copy already did, and exposes the ES exports as window.SSENotify.
import * as api from './index';

api.define();
const w = globalThis as { SSENotify?: typeof api };
w.SSENotify ??= api;
