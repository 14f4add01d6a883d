/**
 * The control panel: sends notifications and flips the mock server's switches
 * through its HTTP API (as a real back office would), edits the widget's
 * attributes (as a host page would), and mirrors the server's state.
 *
 * @module
 */
import type { Backend, FaultState } from './mocks/backend';
import type { SSENotifyElement } from '../src/index';
import type { DemoLog } from './log';
import { $, listen } from './dom';

/** What the panel drives. */
export interface PanelOptions {
  element: SSENotifyElement;
  backend: Backend;
  log: DemoLog;
}

const OUTAGE_MS = 10_000;
const TOKEN = 'demo-token';
const SUBSCRIBE_URL = '/api/events/subscribe';

/** Attributes the snippet leaves out: `state` is the element's output, not something to paste. */
const OUTPUT_ATTRIBUTES = new Set(['state']);

/** Wires the panel in the page to the element and the backend; returns the function that releases everything. */
export function initPanel({ element, backend, log }: PanelOptions): () => void {
  const offs: (() => void)[] = [];
  const on: typeof listen = (target, type, listener) => {
    const off = listen(target, type, listener);
    offs.push(off);
    return off;
  };

  const post = async (path: string, body: Record<string, unknown>): Promise<void> => {
    log.add('action', `POST ${path}  ${JSON.stringify(body)}`);
    try {
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as Record<string, unknown>;
      log.add('action', `${res.status}  ${describe(json)}`, JSON.stringify(json));
    } catch (error) {
      log.add('failed', `POST ${path} failed: ${String(error)}`);
    }
  };

  // --- send ---------------------------------------------------------------------------------
  const form = $('#send', HTMLFormElement);
  on(form, 'submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const [kind, name = ''] = String(data.get('target')).split(':');
    const path = kind === 'channel' ? `/api/channel/${name}` : kind === 'user' ? `/api/notify/${name}` : '/api/broadcast';
    void post(path, { title: data.get('title'), body: data.get('body'), level: data.get('level') });
  });

  // --- server scenarios ---------------------------------------------------------------------
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('button[data-action]')];
  const actions: Record<string, () => Promise<void>> = {
    outage: () => post('/api/faults', { outageMs: backend.outageRemaining() > 0 ? 0 : OUTAGE_MS }),
    unauthorized: () => post('/api/faults', { unauthorized: !backend.faults.unauthorized }),
    drop: () => post('/api/faults', { drop: true }),
    heartbeatOnly: () => post('/api/faults', { heartbeatOnly: !backend.faults.heartbeatOnly }),
    slow: () => post('/api/faults', { slow: backend.faults.slowMs === 0 }),
    malformed: () => post('/api/faults', { malformed: true }),
    burst: () => post('/api/faults', { burst: 100 }),
    task: () => post('/api/process', { title: 'Generating report' }),
    failingTask: () => post('/api/process', { title: 'Importing contacts', fail: true }),
  };
  for (const button of buttons) on(button, 'click', () => void actions[button.dataset.action ?? '']?.());

  // --- server state -------------------------------------------------------------------------
  const outageButton = buttons.find((b) => b.dataset.action === 'outage');
  const server = $('#server', HTMLElement);
  let countdown: ReturnType<typeof setInterval> | undefined;
  let scheduled = false;
  const renderServer = (): void => {
    scheduled = false;
    const faults = backend.faults;
    const remaining = backend.outageRemaining();
    const pressed: Record<string, boolean> = {
      outage: remaining > 0,
      unauthorized: faults.unauthorized,
      heartbeatOnly: faults.heartbeatOnly,
      slow: faults.slowMs > 0,
    };
    for (const button of buttons) {
      const action = button.dataset.action ?? '';
      if (action in pressed) button.setAttribute('aria-pressed', String(pressed[action]));
    }
    if (outageButton) outageButton.textContent = remaining > 0 ? `Outage: ${Math.ceil(remaining / 1000)} s left` : 'Outage 10 s';
    // The countdown timer lives exactly as long as the outage.
    if (remaining > 0 && countdown === undefined) countdown = setInterval(renderServer, 250);
    if (remaining === 0 && countdown !== undefined) {
      clearInterval(countdown);
      countdown = undefined;
    }
    const clients = backend.clients().length;
    const state = remaining > 0 ? 'down (503)' : faults.unauthorized ? 'refusing streams (401)' : 'up';
    server.textContent = `Mock server ${state} · ${clients} open stream${clients === 1 ? '' : 's'} · last event id ${backend.lastId() || 'none'}`;
  };
  // A burst publishes 100 events in one go: render once after it.
  offs.push(
    backend.onChange(() => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(renderServer);
    }),
  );
  offs.push(() => clearInterval(countdown));
  renderServer();

  // --- widget attributes --------------------------------------------------------------------
  const channelBoxes = [...document.querySelectorAll<HTMLInputElement>('input[name="channel"]')];
  const selected = new Set(element.getAttribute('channels')?.split(/[\s,]+/));
  for (const box of channelBoxes) {
    box.checked = selected.has(box.value);
    on(box, 'change', () => {
      element.setAttribute('channels', channelBoxes.filter((b) => b.checked).map((b) => b.value).join(' '));
    });
  }

  for (const select of document.querySelectorAll<HTMLSelectElement>('select[data-attr]')) {
    const name = select.dataset.attr!;
    const current = element.getAttribute(name);
    if (current) select.value = current;
    on(select, 'change', () => {
      element.setAttribute(name, select.value);
      if (name === 'theme') document.documentElement.dataset.theme = select.value;
    });
  }

  const user = $('#user', HTMLSelectElement);
  const src = new URL(element.getAttribute('src') ?? '/api/events', location.href);
  user.value = src.searchParams.get('userId') ?? '';
  on(user, 'change', () => element.setAttribute('src', `/api/events${user.value ? `?userId=${encodeURIComponent(user.value)}` : ''}`));

  const subscribe = $('#subscribe', HTMLInputElement);
  subscribe.checked = element.hasAttribute('subscribe-url');
  on(subscribe, 'change', () =>
    subscribe.checked ? element.setAttribute('subscribe-url', SUBSCRIBE_URL) : element.removeAttribute('subscribe-url'),
  );

  const token = $('#token', HTMLInputElement);
  token.checked = element.getAttribute('token') === TOKEN;
  on(token, 'change', () => (token.checked ? element.setAttribute('token', TOKEN) : element.removeAttribute('token')));

  const connectButton = $('#connect', HTMLButtonElement);
  const conn = $('#conn', HTMLOutputElement);
  const live = () => ['connecting', 'open', 'reconnecting'].includes(element.getAttribute('state') ?? '');
  on(connectButton, 'click', () => (live() ? element.disconnect() : element.connect()));
  on(element, 'sse-state', (event) => {
    conn.textContent = event.detail.state;
    conn.dataset.state = event.detail.state;
    connectButton.textContent = live() ? 'Disconnect' : 'Connect';
  });
  on($('#clear', HTMLButtonElement), 'click', () => element.clear());

  // --- the element's markup, live -------------------------------------------------------------
  const snippet = $('#snippet', HTMLElement);
  const renderSnippet = (): void => {
    const attributes = [...element.attributes].filter((a) => !OUTPUT_ATTRIBUTES.has(a.name)).map((a) => `${a.name}="${a.value}"`);
    const inline = `<sse-notify ${attributes.join(' ')}></sse-notify>`;
    snippet.textContent = inline.length <= 64 ? inline : `<sse-notify\n  ${attributes.join('\n  ')}\n></sse-notify>`;
  };
  const observer = new MutationObserver(renderSnippet);
  observer.observe(element, { attributes: true });
  offs.push(() => observer.disconnect());
  renderSnippet();

  // --- log controls ---------------------------------------------------------------------------
  const list = $('#log', HTMLOListElement);
  const frames = $('#frames', HTMLInputElement);
  on(frames, 'change', () => list.classList.toggle('no-frames', !frames.checked));
  on($('#log-clear', HTMLButtonElement), 'click', () => log.clear());

  return () => offs.forEach((off) => off());
}

/** A one-line summary of an API answer for the log. */
function describe(json: Record<string, unknown>): string {
  if (typeof json.delivered === 'number') {
    return `event id ${String(json.id)}, delivered to ${json.delivered} open stream${json.delivered === 1 ? '' : 's'}`;
  }
  if (typeof json.taskId === 'string') return `task ${json.taskId} started`;
  if (Array.isArray(json.published) && json.published.length > 0) return `published ${json.published.length} event(s)`;
  if (typeof json.dropped === 'number' && json.dropped > 0) return `dropped ${json.dropped} stream(s)`;
  if (json.faults && typeof json.faults === 'object') {
    const f = json.faults as FaultState;
    const on = [
      typeof json.outageRemainingMs === 'number' && json.outageRemainingMs > 0 ? `outage ${Math.ceil(json.outageRemainingMs / 1000)} s` : '',
      f.unauthorized ? '401 for streams without the token' : '',
      f.heartbeatOnly ? 'heartbeats only' : '',
      f.slowMs > 0 ? `${f.slowMs} ms before each frame` : '',
    ].filter(Boolean);
    return on.length > 0 ? `faults on: ${on.join(', ')}` : 'no faults: serving normally';
  }
  if (typeof json.error === 'string') return `${json.error}${typeof json.message === 'string' ? `: ${json.message}` : ''}`;
  return 'ok';
}
