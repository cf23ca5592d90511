import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BucketCharge, RateLimitStore } from '../limits';
import { FallbackRateLimitStore } from './fallback-rate-limit-store';
import { MemoryRateLimitStore } from './memory-rate-limit-store';
import { RedisRateLimitStore } from './redis-rate-limit-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:api-gateway:${randomUUID()}:`;
const MINUTE = 60_000;

let redis: Redis;

beforeAll(async () => {
  // A missing Redis fails this suite: the fleet-wide limits are what it proves.
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: () => null });
  await redis.ping();
});

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const rpm = (limit: number, key = 'rpm'): BucketCharge => ({ key, limit, periodMs: MINUTE, cost: 1 });
const tpm = (limit: number, cost: number, key = 'tpm'): BucketCharge => ({ key, limit, periodMs: MINUTE, cost });

// One behaviour suite for both stores: the Redis script must mean exactly what the in-memory arithmetic means.
describe.each([
  ['memory', () => new MemoryRateLimitStore() as RateLimitStore],
  ['redis', () => new RedisRateLimitStore(redis, `${PREFIX}${randomUUID()}:`) as RateLimitStore],
])('%s rate-limit store', (_name, makeStore) => {
  const t0 = 1_700_000_000_000;

  it('allows a burst of the whole limit, then refuses with the wait until one more fits', async () => {
    const store = makeStore();
    for (let i = 0; i < 4; i++) expect((await store.take([rpm(4)], t0))[0]).toMatchObject({ allowed: true, remaining: 3 - i });
    expect((await store.take([rpm(4)], t0))[0]).toEqual({ allowed: false, remaining: 0, retryAfterMs: 15_000 });
    expect((await store.take([rpm(4)], t0 + 5_000))[0]).toEqual({ allowed: false, remaining: 0, retryAfterMs: 10_000 });
  });

  it('refills one unit per period / limit', async () => {
    const store = makeStore();
    for (let i = 0; i < 4; i++) await store.take([rpm(4)], t0);
    expect((await store.take([rpm(4)], t0 + 15_000))[0]!.allowed).toBe(true);
    expect((await store.take([rpm(4)], t0 + 15_000))[0]!.allowed).toBe(false);
    expect((await store.take([rpm(4)], t0 + 2 * MINUTE))[0]).toMatchObject({ allowed: true, remaining: 3 });
  });

  it('charges every bucket or none: a refused token bucket leaves the request bucket untouched', async () => {
    const store = makeStore();
    expect((await store.take([rpm(10), tpm(1000, 900)], t0)).map((o) => o.allowed)).toEqual([true, true]);
    const refused = await store.take([rpm(10), tpm(1000, 200)], t0);
    expect(refused.map((o) => o.allowed)).toEqual([false, false]);
    expect(refused[1]!.retryAfterMs).toBe(6_000);
    expect(refused[0]!.remaining).toBe(9);
    expect((await store.take([rpm(10), tpm(1000, 100)], t0)).map((o) => o.remaining)).toEqual([8, 0]);
  });

  it('carries usage reported afterwards as debt, and credits what was over-estimated', async () => {
    const store = makeStore();
    await store.take([tpm(1000, 100)], t0);
    await store.adjust(tpm(1000, 900), t0);
    expect((await store.take([tpm(1000, 1)], t0))[0]).toMatchObject({ allowed: false, retryAfterMs: 60 });
    await store.adjust(tpm(1000, -500), t0);
    expect((await store.take([tpm(1000, 400)], t0))[0]).toMatchObject({ allowed: true, remaining: 100 });
  });

  it('never credits a bucket beyond empty', async () => {
    const store = makeStore();
    await store.adjust(tpm(1000, -5000), t0);
    expect((await store.take([tpm(1000, 1000)], t0))[0]!.allowed).toBe(true);
    expect((await store.take([tpm(1000, 1)], t0))[0]!.allowed).toBe(false);
  });

  it('keeps tenants apart', async () => {
    const store = makeStore();
    await store.take([rpm(1, '{a}:rpm')], t0);
    expect((await store.take([rpm(1, '{a}:rpm')], t0))[0]!.allowed).toBe(false);
    expect((await store.take([rpm(1, '{b}:rpm')], t0))[0]!.allowed).toBe(true);
  });
});

describe('RedisRateLimitStore', () => {
  it('lets a key expire when its bucket would be full again', async () => {
    const prefix = `${PREFIX}${randomUUID()}:`;
    const store = new RedisRateLimitStore(redis, prefix);
    await store.take([rpm(4)], Date.now());
    const ttl = await redis.pttl(`${prefix}limits:rpm`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(15_000);
  });

  it('admits exactly the limit when many callers race on one bucket', async () => {
    const store = new RedisRateLimitStore(redis, `${PREFIX}${randomUUID()}:`);
    const now = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.take([rpm(7)], now)));
    expect(outcomes.filter(([o]) => o!.allowed)).toHaveLength(7);
  });
});

describe('FallbackRateLimitStore', () => {
  it('counts locally while the shared store fails and reports only the transitions', async () => {
    let healthy = false;
    const shared = new MemoryRateLimitStore();
    const flaky: RateLimitStore = {
      take: (charges, now) => (healthy ? shared.take(charges, now) : Promise.reject(new Error('connection refused'))),
      adjust: (charge, now) => (healthy ? shared.adjust(charge, now) : Promise.reject(new Error('connection refused'))),
    };
    const events: string[] = [];
    const store = new FallbackRateLimitStore(flaky, new MemoryRateLimitStore(), {
      fellBack: () => events.push('fell back'),
      recovered: () => events.push('recovered'),
    });
    expect((await store.take([rpm(1)], 0))[0]!.allowed).toBe(true);
    expect((await store.take([rpm(1)], 0))[0]!.allowed).toBe(false);
    healthy = true;
    expect((await store.take([rpm(1)], 0))[0]!.allowed).toBe(true);
    expect(events).toEqual(['fell back', 'recovered']);
  });
});
