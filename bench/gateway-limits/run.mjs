// Cost of a tenant-limit admission on the gateway's hot path: in memory vs the fleet-wide Redis script, with a
// plain Redis PING loop from the same client as the floor. Bounded: a fixed number of admissions per line.
// Run after `npx nx run api-gateway:build`; Redis at REDIS_URL (default redis://127.0.0.1:6379), own key prefix, deleted after.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const gateway = (path) => require(`../../services/api-gateway/dist/${path}`);
const { TenantRateLimiter, tenantLimitLookup } = gateway('limits');
const { MemoryRateLimitStore } = gateway('store/memory-rate-limit-store');
const { RedisRateLimitStore } = gateway('store/redis-rate-limit-store');
const { Redis } = require('ioredis');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const OPS = arg('ops', 20_000);
const CONCURRENCY = arg('concurrency', 32);
const TENANTS = 100;
const prefix = `bench:gateway-limits:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });

// Limits high enough that every admission is allowed: the cost measured is the check-and-charge itself.
const limiterOn = (store) =>
  new TenantRateLimiter({ limitFor: tenantLimitLookup({}, { rpm: 1_000_000_000, tpm: 1_000_000_000 }), store, clock: Date.now });

async function measure(label, op) {
  const latencies = [];
  for (let i = 0; i < Math.min(2_000, OPS); i++) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(3);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < OPS) await op(next++);
  }));
  const perSecond = OPS / ((performance.now() - started) / 1000);
  return { label, p50: pct(0.5), p99: pct(0.99), perSecond: Math.round(perSecond) };
}

const rows = [];
rows.push(await measure('Redis PING (floor)', () => redis.ping()));
const memory = limiterOn(new MemoryRateLimitStore());
rows.push(await measure('admit, in memory', (i) => memory.admit(`tenant-${i % TENANTS}`, 250)));
const shared = limiterOn(new RedisRateLimitStore(redis, prefix));
rows.push(await measure('admit, Redis (RPM + TPM, one Lua script)', (i) => shared.admit(`tenant-${i % TENANTS}`, 250)));
rows.push(await measure('admit + settle, Redis (two scripts)', async (i) => (await shared.admit(`tenant-${i % TENANTS}`, 250)).settle(400)));
rows.push(await measure('Redis PING (floor, again)', () => redis.ping()));

console.log(`ops ${OPS}, concurrency ${CONCURRENCY}, ${TENANTS} tenants, node ${process.version}`);
console.log('| operation | p50 ms (sequential) | p99 ms (sequential) | ops/s (concurrency ' + CONCURRENCY + ') |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.label} | ${r.p50} | ${r.p99} | ${r.perSecond.toLocaleString('en-US')} |`);

const keys = await redis.keys(`${prefix}*`);
if (keys.length > 0) await redis.del(...keys);
redis.disconnect();
