// sse-notify with nothing but node:http: serves a page with the widget, the SSE hub and a
// small endpoint that publishes notifications.
//
//   npm run build && node examples/node-http/server.js   → http://localhost:3000
//
// In your own app, serve node_modules/sse-notify/dist/sse-notify.iife.js (or a CDN copy) instead
// of the path below, which points into this repository's build output.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createHub } from 'sse-notify/server';

const PORT = Number(process.env.PORT ?? 3000);
const WIDGET = new URL('../../dist/sse-notify.iife.js', import.meta.url);

const hub = createHub({
  // Replayed on reconnect by Last-Event-ID (or ?lastEventId=): keep enough for your longest outage.
  historySize: 1000,
  heartbeatInterval: 15_000,
});

const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>sse-notify on node:http</title>
<script src="/sse-notify.iife.js"></script>
<h1>sse-notify on node:http</h1>
<form method="post" action="/notify">
  <input name="title" value="Hello" aria-label="Title">
  <input name="body" value="From node:http" aria-label="Body">
  <select name="channel" aria-label="Channel"><option value="">everyone</option><option>orders</option></select>
  <button>Send</button>
</form>
<sse-notify src="/api/events" channels="orders" subscribe-url="/api/events/subscribe"></sse-notify>
<script>
  // Send without leaving the page.
  document.querySelector('form').addEventListener('submit', (event) => {
    event.preventDefault();
    fetch('/notify', { method: 'POST', body: new URLSearchParams(new FormData(event.target)) });
  });
</script>
</html>`;

async function readForm(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 16_384) throw new Error('form too large');
  }
  return Object.fromEntries(new URLSearchParams(text));
}

const server = createServer(async (req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  try {
    // GET /api/events, POST /api/events/subscribe, POST /api/events/unsubscribe
    if (pathname === '/api/events' || pathname.startsWith('/api/events/')) return hub.handler(req, res);

    if (pathname === '/notify' && req.method === 'POST') {
      const { title, body, channel } = await readForm(req);
      const notification = { id: crypto.randomUUID(), title, body, level: 'info' };
      const id = channel ? await hub.sendToChannel(channel, notification) : await hub.broadcast(notification);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
      return;
    }
    if (pathname === '/sse-notify.iife.js') {
      const script = await readFile(WIDGET);
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
      return;
    }
    if (pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    res.writeHead(404).end();
  } catch (error) {
    console.error(error);
    if (!res.headersSent) res.writeHead(500).end();
  }
});

server.listen(PORT, () => console.log(`http://localhost:${PORT}`));

// End the streams first (clients reconnect elsewhere), then stop accepting connections.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await hub.close();
    server.close();
  });
}
