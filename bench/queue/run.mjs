// Queue benchmark (issue #3): Acquire+Release round trips per second with 1 and 2 Redis-backed replicas, next to a
// plain Redis round-trip loop measured in the same run; then overload at 2x capacity with mixed priorities and two
// tenants. Every process is started here and talks to 127.0.0.1 only; counts and durations are bounded.
//
//   npx nx run queue:build && node bench/queue/run.mjs [--seconds 5] [--overload-seconds 10] [--concurrency 32]
//
// --only throughput|overload runs one half. REDIS_URL (default redis://127.0.0.1:6379) must answer; the benchmark uses its own key prefix and deletes it.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const Redis = require(require.resolve('ioredis', { paths: [root] }));
const { queueV1 } = require(path.join(root, 'libs/contracts/dist/index.js'));
const { startServiceProcess } = require(path.join(root, 'libs/local-stack/dist/index.js'));
const { createClient } = require(path.join(root, 'libs/service-kit/dist/index.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = Math.min(arg('seconds', 5), 30);
const OVERLOAD_SECONDS = Math.min(arg('overload-seconds', 10), 30);
const CONCURRENCY = Math.min(arg('concurrency', 32), 256);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : 'all';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!/^redis:\/\/(127\.0\.0\.1|localhost)[:/]/.test(REDIS_URL)) throw new Error('the benchmark only talks to a Redis on 127.0.0.1');

// Overload scenario: 8 slots held 50 ms each = 160 grants/s of capacity; arrivals at twice that.
const SLOTS = 8;
const SERVICE_MS = 50;
const CAPACITY_PER_S = (SLOTS * 1000) / SERVICE_MS;
const ARRIVALS_PER_S = 2 * CAPACITY_PER_S;
const QUEUE_SIZE = 64;
const DEADLINE_MS = 2_000;
const MIX = [
  ['CRITICAL', 1, 0.1],
  ['HIGH', 2, 0.15],
  ['NORMAL', 3, 0.35],
  ['LOW', 4, 0.25],
  ['BULK', 5, 0.15],
];
const TENANTS = [
  ['flood', 0.8],
  ['light', 0.2],
];

const keyPrefixes = [];
const started = [];

async function startQueue(name, env) {
  const service = await startServiceProcess({
    name,
    dir: path.join(root, 'services', 'queue'),
    env: { GRPC_PORT: '0', LOG_LEVEL: 'info', OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', ...env },
  });
  started.push(service);
  const client = createClient(queueV1.QueueServiceService, service.address, { dependency: name, defaultTimeoutMs: 10_000 });
  return { service, client };
}

async function stopAll() {
  for (const s of started.splice(0)) await s.stop(3_000);
}

/** Closed loop: `concurrency` workers each repeat `op` until `seconds` pass. Returns ops per second. */
async function closedLoop(op, seconds, concurrency) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < end) {
        await op(worker);
        done++;
      }
    }),
  );
  return done / seconds;
}

async function redisFloor() {
  const redis = new Redis(REDIS_URL);
  await closedLoop(() => redis.ping(), 1, CONCURRENCY); // warm-up
  const rate = await closedLoop(() => redis.ping(), SECONDS, CONCURRENCY);
  redis.disconnect();
  return rate;
}

async function queueRoundTrips(replicas) {
  const pool = 'bench';
  const rate = await closedLoop(
    async (worker) => {
      const client = replicas[worker % replicas.length].client;
      const lease = await client.acquire({ pool, tenant: `t${worker % 4}`, priority: 3, requestId: '' });
      await replicas[(worker + 1) % replicas.length].client.release({ pool, leaseId: lease.leaseId });
    },
    SECONDS,
    CONCURRENCY,
  );
  return rate;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms) => (Number.isNaN(ms) ? '—' : ms.toFixed(0));

function pick(table, r) {
  let acc = 0;
  for (const row of table) {
    acc += row[row.length - 1];
    if (r < acc) return row;
  }
  return table[table.length - 1];
}

/** Open loop at ARRIVALS_PER_S for OVERLOAD_SECONDS; each grant is held SERVICE_MS then released. */
async function overload(replicas) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const total = Math.round(ARRIVALS_PER_S * OVERLOAD_SECONDS);
  const results = [];
  const inflight = [];
  const holds = [];
  // Samples the pool every 100 ms: how full the slots really were while work waited.
  const samples = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = (await replicas[0].client.stats({ pool: 'overload' })).pools[0];
      if (s) samples.push([s.activeLeases, s.waiting]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ARRIVALS_PER_S;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const [priorityName, priority] = pick(MIX, rand());
    const [tenant] = pick(TENANTS, rand());
    const replica = replicas[i % replicas.length];
    const sentAt = performance.now();
    inflight.push(
      replica.client
        .acquire({ pool: 'overload', tenant, priority, requestId: `o${i}` }, { deadline: new Date(Date.now() + DEADLINE_MS) })
        .then(
          async (lease) => {
            results.push({ priorityName, tenant, outcome: 'granted', waitMs: performance.now() - sentAt, serverWaitMs: lease.queueWaitMs });
            const heldFrom = performance.now();
            await new Promise((resolve) => setTimeout(resolve, SERVICE_MS));
            holds.push(performance.now() - heldFrom);
            await replica.client.release({ pool: 'overload', leaseId: lease.leaseId });
          },
          (err) => results.push({ priorityName, tenant, outcome: err?.constructor?.name ?? 'error', waitMs: performance.now() - sentAt }),
        ),
    );
  }
  await Promise.all(inflight);
  sampling = false;
  await sampler;
  const elapsed = (performance.now() - start) / 1000;
  holds.sort((x, y) => x - y);
  const busy = samples.filter(([, waiting]) => waiting > 0);
  const meanActive = busy.reduce((sum, [active]) => sum + active, 0) / Math.max(1, busy.length);
  return { results, elapsed, total, holdP50: quantile(holds, 0.5), holdP99: quantile(holds, 0.99), meanActive, samples };
}

function overloadTable(label, { results, elapsed, total, holdP50, holdP99, meanActive }) {
  const lines = [];
  lines.push(`\n#### ${label}: ${total} arrivals in ${elapsed.toFixed(1)} s (${ARRIVALS_PER_S}/s = 2x capacity)\n`);
  lines.push(`service time as the caller held it: p50 ${holdP50.toFixed(1)} ms, p99 ${holdP99.toFixed(1)} ms (timer lag on a busy machine); mean active leases while work waited: ${meanActive.toFixed(2)} of ${SLOTS}\n`);
  lines.push('| priority | arrivals | granted | p50 / p99 wait, caller ms | p50 / p99 wait, queue ms | shed / refused | expired | other |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name] of MIX) {
    const mine = results.filter((r) => r.priorityName === name);
    const granted = mine.filter((r) => r.outcome === 'granted');
    const waits = granted.map((r) => r.waitMs).sort((x, y) => x - y);
    const serverWaits = granted.map((r) => r.serverWaitMs).sort((x, y) => x - y);
    const count = (o) => mine.filter((r) => r.outcome === o).length;
    const other = mine.length - granted.length - count('ResourceExhausted') - count('DeadlineExpired');
    lines.push(
      `| ${name} | ${mine.length} | ${granted.length} | ${fmt(quantile(waits, 0.5))} / ${fmt(quantile(waits, 0.99))} | ${fmt(quantile(serverWaits, 0.5))} / ${fmt(quantile(serverWaits, 0.99))} | ${count('ResourceExhausted')} | ${count('DeadlineExpired')} | ${other} |`,
    );
  }
  lines.push('\n| tenant | share of arrivals | share of grants | NORMAL arrivals | NORMAL granted (served) | refused or shed, all levels |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  const grants = results.filter((r) => r.outcome === 'granted');
  for (const [tenant] of TENANTS) {
    const arrivals = results.filter((r) => r.tenant === tenant).length;
    const g = grants.filter((r) => r.tenant === tenant).length;
    const normalArrivals = results.filter((r) => r.tenant === tenant && r.priorityName === 'NORMAL').length;
    const normal = grants.filter((r) => r.tenant === tenant && r.priorityName === 'NORMAL').length;
    const refused = results.filter((r) => r.tenant === tenant && r.outcome === 'ResourceExhausted').length;
    lines.push(
      `| ${tenant} | ${((100 * arrivals) / results.length).toFixed(0)}% | ${((100 * g) / grants.length).toFixed(0)}% | ${normalArrivals} | ${normal} (${((100 * normal) / normalArrivals).toFixed(0)}%) | ${refused} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`# queue benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`closed loop: ${CONCURRENCY} concurrent callers, ${SECONDS} s per line; Redis at ${REDIS_URL}; load average at start ${os.loadavg()[0].toFixed(1)}\n`);

  const prefix = `switchyard-bench:queue:${randomUUID()}`;
  keyPrefixes.push(prefix);

  if (ONLY !== 'overload') await throughput(prefix);
  if (ONLY !== 'throughput') await overloadRuns();
}

async function throughput(prefix) {
  const redisEnv = { REDIS_URL, QUEUE_REDIS_KEY_PREFIX: prefix, QUEUE_MAX_CONCURRENT: '100000' };
  const floor = await redisFloor();
  const memory = await startQueue('queue-memory', { QUEUE_MAX_CONCURRENT: '100000', REDIS_URL: '' });
  await queueRoundTrips([memory]); // warm-up
  const memoryRate = await queueRoundTrips([memory]);
  await stopAll();
  const one = [await startQueue('queue-r1', redisEnv)];
  await queueRoundTrips(one);
  const oneRate = await queueRoundTrips(one);
  const two = [one[0], await startQueue('queue-r2', redisEnv)];
  await queueRoundTrips(two);
  const twoRate = await queueRoundTrips(two);
  const floorAgain = await redisFloor();
  await stopAll();

  console.log('| setup | round trips/s | ratio to Redis PING/s | ratio to PING/s ÷ 2 (an Acquire+Release needs two Redis round trips) |');
  console.log('| --- | ---: | ---: | ---: |');
  const meanFloor = (floor + floorAgain) / 2;
  console.log(`| plain Redis PING loop (same concurrency; before / after) | ${floor.toFixed(0)} / ${floorAgain.toFixed(0)} | 1 | — |`);
  for (const [label, rate] of [
    ['queue, in memory, 1 replica (no Redis)', memoryRate],
    ['queue, Redis, 1 replica', oneRate],
    ['queue, Redis, 2 replicas', twoRate],
  ]) {
    console.log(`| ${label} | ${rate.toFixed(0)} | ${(rate / meanFloor).toFixed(3)} | ${(rate / (meanFloor / 2)).toFixed(3)} |`);
  }
}

async function overloadRuns() {
  console.log(`\n### overload: ${SLOTS} slots x ${SERVICE_MS} ms service = ${CAPACITY_PER_S} grants/s; queue size ${QUEUE_SIZE}; deadline ${DEADLINE_MS} ms`);
  console.log(`priority mix ${MIX.map(([n, , w]) => `${n} ${w * 100}%`).join(', ')}; tenants ${TENANTS.map(([t, w]) => `${t} ${w * 100}%`).join(', ')}`);
  const overloadEnv = { QUEUE_MAX_CONCURRENT: String(SLOTS), QUEUE_MAX_QUEUE_SIZE: String(QUEUE_SIZE) };
  const overloadPrefix = `switchyard-bench:queue:${randomUUID()}`;
  keyPrefixes.push(overloadPrefix);
  const pair = [
    await startQueue('queue-o1', { ...overloadEnv, REDIS_URL, QUEUE_REDIS_KEY_PREFIX: overloadPrefix }),
    await startQueue('queue-o2', { ...overloadEnv, REDIS_URL, QUEUE_REDIS_KEY_PREFIX: overloadPrefix }),
  ];
  console.log(overloadTable('Redis, 2 replicas', await overload(pair)));
  const stats = (await pair[0].client.stats({ pool: 'overload' })).pools[0];
  console.log(`\nserver counters: average hold ${stats.averageHoldMs} ms, granted ${stats.grantedTotal}, shed ${stats.shedTotal}, refused ${stats.rejectedTotal}, expired ${stats.expiredTotal}, cancelled ${stats.cancelledTotal}, lapsed ${stats.lapsedTotal}`);
  await stopAll();
  const single = [await startQueue('queue-om', { ...overloadEnv, REDIS_URL: '' })];
  console.log(overloadTable('in memory, 1 replica (reference)', await overload(single)));
  await stopAll();
}

async function cleanup() {
  await stopAll();
  const admin = new Redis(REDIS_URL);
  for (const prefix of keyPrefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await admin.del(...keys);
    } while (cursor !== '0');
  }
  admin.disconnect();
}

main()
  .then(() => console.log(`\nload average at end ${os.loadavg()[0].toFixed(1)}`))
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
