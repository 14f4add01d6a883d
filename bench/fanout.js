// Fan-out of the reference hub (dist/server.js): 1000 SSE clients on one
// instance over loopback, events per second delivered to all of them, and
// server memory per connection; with the in-memory adapter and with Redis.
//
// The clients run in a child process (bench/lib/fanout-clients.js), so the
// hub's process holds only the hub and its sockets: its heap and RSS growth
// while the clients connect, divided by their number, is the cost of a
// connection. Throughput: `events` broadcasts of a small notification, fired
// at once; deliveries/s = clients × events / (time until the last client has
// the last event). Median of `runs` rounds, memory and Redis alternating.
//
// Usage: node bench/fanout.js [distDir]   (after `npm run build`)
import { fork, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { median, sleep, waitFor } from './lib/stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// The measuring process is started with --expose-gc; this keeps measure() usable without it.
if (typeof globalThis.gc !== 'function') setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? runInNewContext('gc');

async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** The client process, with a promise per reply type. */
function startClients() {
  const child = fork(fileURLToPath(new URL('./lib/fanout-clients.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  child.on('message', (message) => {
    waiting.get(message.type)?.resolve(message);
    waiting.delete(message.type);
  });
  child.on('exit', (code) => {
    for (const { reject } of waiting.values()) reject(new Error(`client process exited with ${code}`));
    waiting.clear();
  });
  const reply = (type, timeout) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(type);
        reject(new Error(`no '${type}' from the client process within ${timeout} ms`));
      }, timeout);
      waiting.set(type, {
        resolve: (message) => (clearTimeout(timer), resolve(message)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  return {
    async connect(url, count) {
      const connected = reply('connected', 30_000);
      child.send({ type: 'connect', url, count });
      return connected;
    },
    /** Arms the counters; `done()` resolves once each client has `perClient` events. */
    async expect(event, perClient, timeout) {
      const ready = reply('ready', 5000);
      const done = reply('done', timeout);
      done.catch(() => {});
      child.send({ type: 'expect', event, perClient });
      await ready;
      return { done: () => done };
    },
    close() {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}

/** A hub (memory, or Redis when `redisPort` is given) on its own node:http server, with its client process. */
async function startInstance({ createHub, createRedisAdapter, redisPort }) {
  let redis;
  let adapter;
  if (redisPort) {
    const { Redis } = await import('ioredis');
    redis = new Redis({ host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: 1 });
    adapter = createRedisAdapter({ redis, onError: () => {} });
  }
  const hub = createHub({ ...(adapter && { adapter }), heartbeatInterval: 0, onError: () => {} });
  const server = http.createServer((req, res) => hub.handler(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const clients = startClients();
  let sent = 0;
  const payload = (n) => ({ id: `n-${n}`, title: 'New order', body: `Order #${n} was paid`, level: 'success', url: 'https://shop.example/orders/42' });
  return {
    hub,
    async connect(count) {
      const { open } = await clients.connect(`http://127.0.0.1:${server.address().port}/events`, count);
      if (open !== count) throw new Error(`only ${open} of ${count} clients connected`);
      await waitFor(() => hub.clients === count, { timeout: 10_000, what: `${count} hub clients` });
    },
    /** Broadcasts `n` events at once; resolves with the ms until every client has all of them. */
    async round(n) {
      const armed = await clients.expect('bench', n, 60_000);
      const start = performance.now();
      const published = [];
      for (let i = 0; i < n; i++) published.push(hub.broadcast(payload(sent++), 'bench'));
      await Promise.all(published);
      await armed.done();
      return performance.now() - start;
    },
    async close() {
      await clients.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      redis?.disconnect();
    },
  };
}

/** Server heap and RSS growth per connection, for one adapter (run in a fresh process). */
async function footprint({ distDir, redisPort, clients }) {
  const instance = await startInstance({ ...(await import(pathToFileURL(join(distDir, 'server.js')).href)), redisPort });
  try {
    const before = await settledMemory();
    await instance.connect(clients);
    const after = await settledMemory();
    return { heapPerConnectionBytes: (after.heapUsed - before.heapUsed) / clients, rssPerConnectionBytes: (after.rss - before.rss) / clients };
  } finally {
    await instance.close();
  }
}

/**
 * Throughput of every instance given, in alternating rounds (so that a noisy neighbour slows
 * them alike). Returns the median ms per adapter name.
 */
async function throughput({ distDir, redisPort, clients, events, runs }) {
  const module = await import(pathToFileURL(join(distDir, 'server.js')).href);
  const instances = { memory: await startInstance(module) };
  try {
    if (redisPort) instances.redis = await startInstance({ ...module, redisPort });
    for (const instance of Object.values(instances)) await instance.connect(clients);
    for (const instance of Object.values(instances)) await instance.round(Math.min(50, events)); // warm-up: JIT, socket buffers
    const times = Object.fromEntries(Object.keys(instances).map((name) => [name, []]));
    const names = Object.keys(instances);
    for (let i = 0; i < runs; i++) {
      for (const name of i % 2 ? [...names].reverse() : names) times[name].push(await instances[name].round(events));
    }
    return Object.fromEntries(names.map((name) => [name, median(times[name])]));
  } finally {
    for (const instance of Object.values(instances)) await instance.close();
  }
}

/** Why Redis cannot be measured here, or `undefined`. */
function redisUnavailable() {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'redis-server not found on PATH (apt-get install redis-server)';
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server without persistence; `stop()` ends it. */
async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Never leave a redis-server behind, even when this process is interrupted.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  exited.then(() => process.off('exit', kill));
  try {
    await waitFor(() => output.includes('Ready to accept connections') || child.exitCode !== null, { timeout: 10_000, what: 'redis-server' });
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output.trim().split('\n').at(-1)}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const TASKS = { footprint, throughput };

/**
 * Fan-out figures for the in-memory adapter and, when `redis-server` is on PATH, the Redis
 * adapter (one throwaway redis-server for the run). Memory per connection is measured in a fresh
 * Node process per adapter (memory kept by the allocator after one measurement would hide the
 * next); throughput in one process holding both hubs, alternating rounds.
 * @param {{ distDir?: string, clients?: number, events?: number, runs?: number, log?: (line: string) => void }} [options]
 * @returns {Promise<Array<{ adapter: string, clients?: number, events?: number, runs?: number, medianMs?: number,
 *   deliveriesPerSecond?: number, eventsPerSecond?: number, heapPerConnectionBytes?: number,
 *   rssPerConnectionBytes?: number, skipped?: string, error?: string }>>}
 */
export async function benchFanout({ distDir = join(root, 'dist'), clients = 1000, events = 200, runs = 5, log = () => {} } = {}) {
  const rows = { memory: { adapter: 'memory' }, redis: { adapter: 'redis' } };
  let redisServer;
  const skipped = redisUnavailable();
  if (skipped) rows.redis.skipped = skipped;
  else {
    try {
      redisServer = await startRedis();
    } catch (error) {
      rows.redis.skipped = `redis-server did not start: ${error.message}`;
    }
  }
  try {
    for (const row of Object.values(rows)) {
      if (row.skipped) continue;
      try {
        Object.assign(row, await inChild('footprint', { distDir, clients, redisPort: row.adapter === 'redis' ? redisServer.port : undefined }));
      } catch (error) {
        row.error = `memory: ${error.message}`;
      }
    }
    try {
      const medians = await inChild('throughput', { distDir, clients, events, runs, redisPort: redisServer?.port });
      for (const [name, ms] of Object.entries(medians)) {
        Object.assign(rows[name], {
          clients,
          events,
          runs,
          medianMs: ms,
          deliveriesPerSecond: (clients * events) / (ms / 1000),
          eventsPerSecond: events / (ms / 1000),
        });
      }
    } catch (error) {
      for (const row of Object.values(rows)) if (!row.skipped) row.error = [row.error, `throughput: ${error.message}`].filter(Boolean).join('; ');
    }
  } finally {
    await redisServer?.stop();
  }
  for (const row of Object.values(rows)) {
    if (row.skipped) log(`fan-out ${row.adapter}: skipped (${row.skipped})`);
    if (row.error) log(`fan-out ${row.adapter}: failed (${row.error})`);
    if (row.skipped || row.medianMs === undefined) continue;
    log(
      `fan-out ${row.adapter}: ${row.clients} clients × ${row.events} events in ${row.medianMs.toFixed(0)} ms (median of ${row.runs}): ` +
        `${Math.round(row.deliveriesPerSecond).toLocaleString('en')} deliveries/s (${Math.round(row.eventsPerSecond)} events/s to all)` +
        (row.heapPerConnectionBytes === undefined
          ? ''
          : `; per connection ${(row.heapPerConnectionBytes / 1024).toFixed(1)} KB heap, ${(row.rssPerConnectionBytes / 1024).toFixed(1)} KB RSS`),
    );
  }
  return Object.values(rows);
}

/** Runs `TASKS[task](options)` in a fresh Node process with --expose-gc. */
function inChild(task, options) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', task, JSON.stringify(options)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    let result;
    child.on('message', (message) => (result = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result?.error) reject(new Error(result.error));
      else if (result) resolve(result.value);
      else reject(new Error(`${task} process ended (${signal ?? `exit ${code}`}) without a result`));
    });
  });
}

if (process.argv[2] === '--child') {
  process.on('disconnect', () => process.exit(1));
  let message;
  try {
    message = { value: await TASKS[process.argv[3]](JSON.parse(process.argv[4])) };
  } catch (error) {
    message = { error: error?.message ?? String(error) };
  }
  process.send(message, () => process.exit(0));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchFanout({ distDir: process.argv[2] ?? join(root, 'dist'), log: (line) => console.log(line) });
}
