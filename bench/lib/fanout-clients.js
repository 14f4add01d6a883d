// The 1000 SSE clients of bench/fanout.js, in a child process of their own so
// that the hub's process measures only the server's CPU and memory. Driven by
// IPC messages from the parent:
//   { type: 'connect', url, count }  → { type: 'connected', open }
//   { type: 'expect', event, perClient } → { type: 'ready' } at once, then { type: 'done', total }
//                                          once every client has received `perClient` events of
//                                          type `event` (counting starts from zero)
//   { type: 'close' }                → destroys every socket and exits
// The process exits by itself when the parent goes away.
import http from 'node:http';

/** @type {Array<{ req: http.ClientRequest, count: number, carry: string }>} */
const clients = [];
let needle = '';
let perClient = Infinity;
let complete = 0;

function counted(client, chunk) {
  // The needle can straddle two chunks: keep its length minus one of the previous chunk.
  const text = client.carry + chunk;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    client.count++;
    if (client.count === perClient && ++complete === clients.length) {
      process.send({ type: 'done', total: clients.reduce((sum, c) => sum + c.count, 0) });
    }
  }
  client.carry = text.slice(-(needle.length - 1));
}

function connect(url, count) {
  let open = 0;
  let settled = 0;
  const settle = () => {
    if (++settled === count) process.send({ type: 'connected', open });
  };
  for (let i = 0; i < count; i++) {
    const client = { req: undefined, count: 0, carry: '' };
    client.req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode === 200) open++;
      res.setEncoding('utf8');
      res.on('data', (chunk) => needle && counted(client, chunk));
      res.on('error', () => {});
      settle();
    });
    client.req.on('error', settle);
    clients.push(client);
  }
}

process.on('message', (message) => {
  if (message.type === 'connect') connect(message.url, message.count);
  else if (message.type === 'expect') {
    needle = `event: ${message.event}\n`;
    perClient = message.perClient;
    complete = 0;
    for (const client of clients) {
      client.count = 0;
      client.carry = '';
    }
    process.send({ type: 'ready' });
  } else if (message.type === 'close') {
    for (const client of clients) client.req.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
