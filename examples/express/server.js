// sse-notify in an Express app: JWT authentication, per-user and per-channel notifications, and,
// when REDIS_URL is set, a Redis adapter so several instances behind a load balancer share ids
// and history (a client resumes on whichever instance it reaches).
//
//   npm install express ioredis jose sse-notify
//   JWT_SECRET=… [REDIS_URL=redis://localhost:6379] node server.js
//
// An example only: this repository does not install Express.
import express from 'express';
import { Redis } from 'ioredis';
import { createHub, createMemoryAdapter, createRedisAdapter, jwtAuthenticator } from 'sse-notify/server';

const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : undefined;

const hub = createHub({
  adapter: redis ? createRedisAdapter({ redis, historySize: 5000 }) : createMemoryAdapter({ historySize: 5000 }),
  // The widget sends the token as `Authorization: Bearer` (fetch transport) or ?token= (eventsource);
  // a session cookie works too. The JWT's `sub` is the user, an optional `channels` claim the allow-list.
  authenticate: jwtAuthenticator({ secret: process.env.JWT_SECRET, cookie: 'session' }),
  // Only needed when the page is on another origin than this API.
  cors: { origins: ['https://shop.example'], credentials: true },
});

const app = express();

// GET /api/events (the stream), POST /api/events/subscribe and /api/events/unsubscribe.
// Mount it before any compression middleware, or make sure that middleware supports res.flush().
app.use('/api/events', hub.handler);

// Your application publishes wherever something happens.
app.post('/api/orders/:id/paid', express.json(), async (req, res) => {
  await hub.sendToChannel('orders', {
    id: `order-${req.params.id}-paid`,
    title: 'New order',
    body: `Order #${req.params.id} was paid`,
    level: 'success',
    url: `/orders/${req.params.id}`,
  });
  res.sendStatus(204);
});

app.post('/api/exports', express.json(), async (req, res) => {
  const userId = req.body.userId;
  const taskId = `export-${Date.now()}`;
  res.status(202).json({ taskId });
  // A long task reports progress to its user only; the widget shows one updating toast.
  for (const progress of [0, 25, 50, 75, 100]) {
    const status = progress === 0 ? 'started' : progress === 100 ? 'completed' : 'processing';
    await hub.sendToUser(userId, { taskId, progress, status }, 'progress');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
});

const server = app.listen(Number(process.env.PORT ?? 3000));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await hub.close(); // ends every stream; clients resume elsewhere by Last-Event-ID
    server.close();
    await redis?.quit(); // the adapter closes only its own subscriber connection
  });
}
