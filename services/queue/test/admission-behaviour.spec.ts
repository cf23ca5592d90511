import { Cancelled, DeadlineExpired, InvalidArgument, ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import { waitUntil } from '@switchyard/testing';
import { Priority, type AdmissionConfig, type AdmissionEvent, type PoolLimits } from '../src/admission';
import { memoryBackend, redisBackend, type Backend, type Harness } from './support/admission-backends';
import { drainInOrder, grantedIds, poolClient, track, waitForStatus, waitForWaiting, type Tracked } from './support/tracking';

/**
 * One behaviour suite for every admission controller: the in-memory queue (one replica) and the Redis store
 * (any number of replicas). Real time, short durations; conditions are polled, never slept for.
 */
const POOL = 'gpt-4o';
const backends: Backend[] = [memoryBackend(), redisBackend()];

describe.each(backends.map((b) => [b.name, b] as const))('admission behaviour (%s)', (_name, backend) => {
  afterEach(() => backend.cleanup());

  async function setup(limits: Partial<PoolLimits> = {}, extra: Partial<AdmissionConfig> = {}) {
    const harness: Harness = await backend.create({
      defaults: { maxConcurrent: 1, maxQueueSize: 100, leaseTtlMs: 30_000, ...limits },
      retryHint: { minMs: 10, maxMs: 5_000, initialHoldMs: 100 },
      ...extra,
    });
    return { ...harness, ...poolClient(harness.queue, POOL) };
  }

  /** Holds the only slot, queues `ids` in order, then releases the holder and records the grant order. */
  async function orderOf(ctx: Awaited<ReturnType<typeof setup>>, waiters: [tenant: string, priority: Priority, id: string][]) {
    const holder = ctx.acquire('holder', Priority.NORMAL, 'holder');
    await waitForStatus(holder, 'granted');
    const tracked = new Map<string, Tracked>([['holder', holder]]);
    for (const [tenant, priority, id] of waiters) tracked.set(id, ctx.acquire(tenant, priority, id));
    await waitForWaiting(ctx.stats, waiters.length);
    const order = await drainInOrder(ctx.events, tracked, ctx.release, waiters.length + 1);
    return order.slice(1);
  }

  it('grants at once when a slot is free, with zero wait and the pool lease TTL', async () => {
    const ctx = await setup({ leaseTtlMs: 5_000 });
    const first = ctx.acquire('acme', Priority.NORMAL, 'r1');
    await waitForStatus(first, 'granted');
    expect(first.grant).toEqual({ leaseId: expect.any(String), queueWaitMs: 0, leaseTtlMs: 5_000 });
    expect(await ctx.stats()).toMatchObject({ activeLeases: 1, waiting: 0, counters: { granted: 1 } });
  });

  describe('ordering', () => {
    it('grants CRITICAL before NORMAL even when NORMAL arrived first', async () => {
      const ctx = await setup();
      expect(await orderOf(ctx, [['a', Priority.NORMAL, 'normal'], ['a', Priority.CRITICAL, 'critical']])).toEqual(['critical', 'normal']);
    });

    it('serves the five priorities strictly in order regardless of arrival order', async () => {
      const ctx = await setup();
      const order = await orderOf(
        ctx,
        [Priority.BULK, Priority.NORMAL, Priority.CRITICAL, Priority.LOW, Priority.HIGH].map((p) => ['acme', p, `p${p}`]),
      );
      expect(order).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    });

    it('keeps FIFO order within one priority for one tenant', async () => {
      const ctx = await setup();
      const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
      expect(await orderOf(ctx, ids.map((id) => ['acme', Priority.HIGH, id]))).toEqual(ids);
    });

    it('alternates between a flooding tenant and a light tenant at the same priority', async () => {
      const ctx = await setup();
      const flood = Array.from({ length: 8 }, (_, i) => ['flood', Priority.NORMAL, `flood-${i + 1}`] as [string, Priority, string]);
      const light = Array.from({ length: 3 }, (_, i) => ['light', Priority.NORMAL, `light-${i + 1}`] as [string, Priority, string]);
      const order = await orderOf(ctx, [...flood, ...light]);
      expect(order.slice(0, 6)).toEqual(['flood-1', 'light-1', 'flood-2', 'light-2', 'flood-3', 'light-3']);
      expect(order.slice(6)).toEqual(['flood-4', 'flood-5', 'flood-6', 'flood-7', 'flood-8']);
    });

    it('gives a tenant that arrives late its turn within one round of the ring', async () => {
      const ctx = await setup();
      const waiters: [string, Priority, string][] = [];
      for (let i = 1; i <= 4; i++) waiters.push(['a', Priority.LOW, `a-${i}`], ['b', Priority.LOW, `b-${i}`]);
      waiters.push(['c', Priority.LOW, 'c-1']);
      expect((await orderOf(ctx, waiters)).indexOf('c-1')).toBeLessThan(3);
    });

    it('does not let an arrival jump the queue when a slot frees', async () => {
      const ctx = await setup({ maxConcurrent: 2 });
      const a = ctx.acquire('t', Priority.NORMAL, 'a');
      const b = ctx.acquire('t', Priority.NORMAL, 'b');
      const c = ctx.acquire('t', Priority.NORMAL, 'c');
      await waitForStatus(b, 'granted');
      await waitForWaiting(ctx.stats, 1);
      await ctx.release(a);
      const d = ctx.acquire('t', Priority.NORMAL, 'd');
      await waitForStatus(c, 'granted');
      await waitForWaiting(ctx.stats, 1);
      expect(d.status).toBe('pending');
    });
  });

  describe('validation', () => {
    it('rejects a bad priority, a missing tenant and an oversized pool name, naming the field', async () => {
      const { queue } = await setup();
      const base = { pool: POOL, tenant: 't', priority: Priority.NORMAL, requestId: 'r' };
      await expect(queue.acquire({ ...base, priority: 7 as Priority })).rejects.toMatchObject({ field: 'priority' });
      await expect(queue.acquire({ ...base, tenant: '' })).rejects.toMatchObject({ field: 'tenant' });
      await expect(queue.acquire({ ...base, pool: 'x'.repeat(300) })).rejects.toBeInstanceOf(InvalidArgument);
      await expect(queue.release(POOL, '')).rejects.toMatchObject({ field: 'leaseId' });
    });
  });

  describe('deadlines', () => {
    it('expires a waiter when its deadline passes and never grants it afterwards', async () => {
      const ctx = await setup();
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const late = ctx.acquire('t', Priority.CRITICAL, 'late', { deadlineMs: Date.now() + 150 });
      const next = ctx.acquire('t', Priority.NORMAL, 'next');
      await waitForStatus(late, 'failed');
      expect(late.error).toBeInstanceOf(DeadlineExpired);
      await waitForWaiting(ctx.stats, 1);
      await ctx.release(holder);
      await waitForStatus(next, 'granted');
      expect(ctx.events.filter((e) => e.requestId === 'late').map((e) => e.type)).toEqual(['expired']);
      expect((await ctx.stats()).counters).toMatchObject({ expired: 1, granted: 2 });
    });

    it('refuses at once a request whose deadline has already passed', async () => {
      const ctx = await setup();
      const past = ctx.acquire('t', Priority.CRITICAL, 'past', { deadlineMs: Date.now() - 1 });
      await waitForStatus(past, 'failed');
      expect(past.error).toBeInstanceOf(DeadlineExpired);
      await waitUntil(async () => (await ctx.stats()).counters.expired === 1, 'expired counted');
      expect(await ctx.stats()).toMatchObject({ activeLeases: 0, waiting: 0 });
    });
  });

  describe('cancellation', () => {
    it('removes a waiter at once when its signal aborts, and the next one gets the slot', async () => {
      const ctx = await setup();
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const controller = new AbortController();
      const gone = ctx.acquire('t', Priority.HIGH, 'gone', { signal: controller.signal });
      const stays = ctx.acquire('t', Priority.NORMAL, 'stays');
      await waitForWaiting(ctx.stats, 2);
      controller.abort();
      // Answered in the same turn of the event loop, before anything reaches the store.
      await Promise.resolve();
      await Promise.resolve();
      expect(gone.error).toBeInstanceOf(Cancelled);
      await waitForWaiting(ctx.stats, 1);
      await ctx.release(holder);
      await waitForStatus(stays, 'granted');
      expect(grantedIds(ctx.events)).toEqual(['holder', 'stays']);
      expect((await ctx.stats()).counters.cancelled).toBe(1);
    });

    it('refuses a request whose signal is already aborted without queueing it', async () => {
      const ctx = await setup();
      const gone = ctx.acquire('t', Priority.NORMAL, 'gone', { signal: AbortSignal.abort() });
      await waitForStatus(gone, 'failed');
      expect(gone.error).toBeInstanceOf(Cancelled);
      expect(await ctx.stats()).toMatchObject({ activeLeases: 0, waiting: 0 });
    });

    it('ignores an abort after the lease was granted (the holder must release it)', async () => {
      const ctx = await setup();
      const controller = new AbortController();
      const held = ctx.acquire('t', Priority.NORMAL, 'held', { signal: controller.signal });
      await waitForStatus(held, 'granted');
      controller.abort();
      expect((await ctx.stats()).activeLeases).toBe(1);
      expect(await ctx.release(held)).toBe(true);
    });
  });

  describe('overload', () => {
    it('sheds the newest waiter of the lowest priority to admit a more urgent arrival', async () => {
      const ctx = await setup({ maxQueueSize: 4 });
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const normal = ctx.acquire('a', Priority.NORMAL, 'normal');
      const bulkOld = ctx.acquire('a', Priority.BULK, 'bulk-old');
      const low = ctx.acquire('a', Priority.LOW, 'low');
      const bulkNew = ctx.acquire('b', Priority.BULK, 'bulk-new');
      await waitForWaiting(ctx.stats, 4);
      const high = ctx.acquire('c', Priority.HIGH, 'high');
      await waitForStatus(bulkNew, 'failed');
      expect(bulkNew.error).toBeInstanceOf(ResourceExhausted);
      expect((bulkNew.error as ResourceExhausted).retryAfterMs).toBeGreaterThan(0);
      await waitForWaiting(ctx.stats, 4);
      expect([normal, bulkOld, low, high].map((t) => t.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
      expect((await ctx.stats()).counters).toMatchObject({ shed: 1, rejected: 0 });
      expect(ctx.events.find((e) => e.type === 'shed')).toMatchObject({ requestId: 'bulk-new', priority: 5 });
    });

    it('sheds from the tenant with the most waiters at the lowest level, not simply the newest waiter', async () => {
      const ctx = await setup({ maxQueueSize: 4 });
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const waiters = [
        ctx.acquire('flood', Priority.LOW, 'flood-1'),
        ctx.acquire('flood', Priority.LOW, 'flood-2'),
        ctx.acquire('flood', Priority.LOW, 'flood-3'),
        ctx.acquire('light', Priority.LOW, 'light-1'),
      ];
      await waitForWaiting(ctx.stats, 4);
      ctx.acquire('x', Priority.HIGH, 'urgent');
      await waitForStatus(waiters[2] as Tracked, 'failed', 'flood-3');
      expect(waiters.map((w) => w.status)).toEqual(['pending', 'pending', 'failed', 'pending']);
    });

    it('lets a light tenant displace a flooding tenant at the same priority, but refuses the flooder', async () => {
      const ctx = await setup({ maxQueueSize: 3 });
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const flood = [1, 2, 3].map((i) => ctx.acquire('flood', Priority.NORMAL, `flood-${i}`));
      await waitForWaiting(ctx.stats, 3);
      const moreFlood = ctx.acquire('flood', Priority.NORMAL, 'flood-4');
      await waitForStatus(moreFlood, 'failed');
      expect(moreFlood.error).toBeInstanceOf(ResourceExhausted);
      const light = ctx.acquire('light', Priority.NORMAL, 'light-1');
      await waitForStatus(flood[2] as Tracked, 'failed', 'flood-3');
      expect((flood[2] as Tracked).error).toBeInstanceOf(ResourceExhausted);
      // Now flood has 2 and light 1 waiting: a second light arrival is one short of the margin and is refused.
      await waitForWaiting(ctx.stats, 3);
      const light2 = ctx.acquire('light', Priority.NORMAL, 'light-2');
      await waitForStatus(light2, 'failed');
      expect(light.status).toBe('pending');
      expect((await ctx.stats()).counters).toMatchObject({ shed: 1, rejected: 2 });
    });

    it('refuses the arrival when nobody waiting is less urgent than it', async () => {
      const ctx = await setup({ maxQueueSize: 2 });
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const w1 = ctx.acquire('a', Priority.HIGH, 'w1');
      const w2 = ctx.acquire('a', Priority.NORMAL, 'w2');
      await waitForWaiting(ctx.stats, 2);
      const sameLevel = ctx.acquire('b', Priority.NORMAL, 'same-level');
      const lower = ctx.acquire('b', Priority.BULK, 'lower');
      await waitForStatus(sameLevel, 'failed');
      await waitForStatus(lower, 'failed');
      for (const refused of [sameLevel, lower]) {
        expect(refused.error).toBeInstanceOf(ResourceExhausted);
        expect((refused.error as ResourceExhausted).retryAfterMs).toBeGreaterThan(0);
      }
      expect([w1.status, w2.status]).toEqual(['pending', 'pending']);
      expect((await ctx.stats()).counters).toMatchObject({ shed: 0, rejected: 2 });
    });

    it('with maxQueueSize 0 grants while slots are free and refuses otherwise', async () => {
      const ctx = await setup({ maxQueueSize: 0 });
      const first = ctx.acquire('t', Priority.BULK, 'first');
      await waitForStatus(first, 'granted');
      const second = ctx.acquire('t', Priority.CRITICAL, 'second');
      await waitForStatus(second, 'failed');
      expect(second.error).toBeInstanceOf(ResourceExhausted);
    });
  });

  describe('minimum share', () => {
    it('gives every other contended grant to less urgent work at 50%, and none at 0%', async () => {
      const waiters: [string, Priority, string][] = [];
      for (let i = 1; i <= 3; i++) waiters.push(['t', Priority.CRITICAL, `c${i}`], ['t', Priority.LOW, `l${i}`]);
      const strict = await orderOf(await setup(), waiters);
      expect(strict).toEqual(['c1', 'c2', 'c3', 'l1', 'l2', 'l3']);
      await backend.cleanup();
      const shared = await orderOf(await setup({ minSharePercent: 50 }), waiters);
      expect(shared).toEqual(['c1', 'l1', 'c2', 'l2', 'c3', 'l3']);
    });
  });

  describe('leases', () => {
    it('lapses a lease that is not released within its TTL and gives the slot to the next waiter', async () => {
      const ctx = await setup({ leaseTtlMs: 300 });
      const crashed = ctx.acquire('t', Priority.NORMAL, 'crashed');
      await waitForStatus(crashed, 'granted');
      const next = ctx.acquire('t', Priority.NORMAL, 'next');
      await waitForStatus(next, 'granted', 'next', 5_000);
      expect(next.grant?.queueWaitMs).toBeGreaterThanOrEqual(250);
      expect(await ctx.release(crashed)).toBe(false);
      expect(await ctx.stats()).toMatchObject({ activeLeases: 1, counters: { lapsed: 1, released: 0, granted: 2 } });
      expect(ctx.events.find((e) => e.type === 'lapsed')).toMatchObject({ requestId: 'crashed', priority: Priority.NORMAL });
    });

    it('keeps a renewed lease past its TTL, and lets it lapse once renewals stop', async () => {
      const ctx = await setup({ leaseTtlMs: 400 });
      const held = ctx.acquire('t', Priority.NORMAL, 'held');
      await waitForStatus(held, 'granted');
      const leaseId = held.grant?.leaseId as string;
      const until = Date.now() + 1_000;
      while (Date.now() < until) {
        expect(await ctx.queue.renew(POOL, leaseId)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await ctx.stats()).activeLeases).toBe(1);
      await waitUntil(async () => (await ctx.stats()).activeLeases === 0, 'lease to lapse', 5_000, 20);
      expect(await ctx.queue.renew(POOL, leaseId)).toBe(false);
    });

    it('returns false when releasing an unknown lease, a lease twice, or a lease of another pool', async () => {
      const ctx = await setup();
      const held = ctx.acquire('t', Priority.NORMAL, 'held');
      await waitForStatus(held, 'granted');
      const leaseId = held.grant?.leaseId as string;
      expect(await ctx.queue.release(POOL, 'no-such-lease')).toBe(false);
      expect(await ctx.queue.release('other-pool', leaseId)).toBe(false);
      expect(await ctx.queue.release(POOL, leaseId)).toBe(true);
      expect(await ctx.queue.release(POOL, leaseId)).toBe(false);
      expect((await ctx.stats()).counters.released).toBe(1);
    });
  });

  describe('pools and stats', () => {
    it('applies per-pool overrides and reports an unused pool with its limits without creating it', async () => {
      const { queue } = await setup({ maxQueueSize: 7 }, { pools: { small: { maxConcurrent: 2 }, big: { maxConcurrent: 50 } } });
      const small = poolClient(queue, 'small');
      small.acquire('t', Priority.NORMAL, 'a');
      small.acquire('t', Priority.NORMAL, 'b');
      const third = small.acquire('t', Priority.NORMAL, 'c');
      await waitForWaiting(small.stats, 1);
      expect(third.status).toBe('pending');
      expect(await queue.stats('big')).toEqual([expect.objectContaining({ pool: 'big', maxConcurrent: 50, maxQueueSize: 7, activeLeases: 0, waiting: 0 })]);
      expect((await queue.stats()).map((s) => [s.pool, s.maxConcurrent, s.activeLeases, s.waiting])).toEqual([['small', 2, 2, 1]]);
    });

    it('reports depth per priority and tenant, oldest wait, active leases and counters', async () => {
      const ctx = await setup({ maxConcurrent: 2, maxQueueSize: 5 });
      const h1 = ctx.acquire('a', Priority.NORMAL, 'h1');
      const h2 = ctx.acquire('a', Priority.NORMAL, 'h2');
      await waitForStatus(h2, 'granted');
      ctx.acquire('a', Priority.LOW, 'w1');
      ctx.acquire('b', Priority.LOW, 'w2');
      ctx.acquire('b', Priority.HIGH, 'w3');
      ctx.acquire('a', Priority.BULK, 'w4', { signal: AbortSignal.abort() });
      const expiring = ctx.acquire('c', Priority.BULK, 'w5', { deadlineMs: Date.now() + 100 });
      await waitForStatus(expiring, 'failed');
      await waitForWaiting(ctx.stats, 3);
      await ctx.release(h1);
      await waitForWaiting(ctx.stats, 2);
      await waitUntil(async () => (await ctx.stats()).oldestWaitMs > 0, 'oldest wait to grow');
      const stats = await ctx.stats();
      expect(stats).toMatchObject({
        pool: POOL,
        backend: backend.name,
        activeLeases: 2,
        maxConcurrent: 2,
        maxQueueSize: 5,
        waiting: 2,
        depthByPriority: [
          { priority: 1, depth: 0 },
          { priority: 2, depth: 0 },
          { priority: 3, depth: 0 },
          { priority: 4, depth: 2 },
          { priority: 5, depth: 0 },
        ],
        depthByTenant: [
          { tenant: 'a', depth: 1 },
          { tenant: 'b', depth: 1 },
        ],
        counters: { granted: 3, released: 1, shed: 0, rejected: 0, expired: 1, cancelled: 1, lapsed: 0 },
      });
      expect(grantedIds(ctx.events)).toEqual(['h1', 'h2', 'w3']);
    });
  });

  it('emits one event per outcome with wait and hold times', async () => {
    const ctx = await setup();
    const held = ctx.acquire('t', Priority.NORMAL, 'held');
    await waitForStatus(held, 'granted');
    const waiter = ctx.acquire('u', Priority.HIGH, 'waiter');
    await waitForWaiting(ctx.stats, 1);
    await ctx.release(held);
    await waitForStatus(waiter, 'granted');
    await ctx.release(waiter);
    const shape = (e: AdmissionEvent) => [e.type, e.requestId, e.tenant, e.priority];
    expect(ctx.events.map(shape)).toEqual([
      ['granted', 'held', 't', 3],
      ['released', 'held', 't', 3],
      ['granted', 'waiter', 'u', 2],
      ['released', 'waiter', 'u', 2],
    ]);
    expect(ctx.events[1]?.holdMs).toBeGreaterThanOrEqual(0);
  });

  it('close() rejects every waiter with Unavailable and refuses new work, while leases stay releasable', async () => {
    const ctx = await setup();
    const held = ctx.acquire('t', Priority.NORMAL, 'held');
    await waitForStatus(held, 'granted');
    const waiting = [ctx.acquire('t', Priority.HIGH, 'w1', { deadlineMs: Date.now() + 10_000 }), ctx.acquire('u', Priority.BULK, 'w2')];
    await waitForWaiting(ctx.stats, 2);
    if (backend.name === 'memory') {
      await ctx.queue.close();
      for (const w of waiting) await waitForStatus(w, 'failed');
      for (const w of waiting) expect(w.error).toBeInstanceOf(Unavailable);
      expect(await ctx.release(held)).toBe(true);
    } else {
      // A Redis replica that closes takes its waiters out of the shared queue; its leases stay releasable elsewhere.
      const other = await ctx.replica();
      await ctx.queue.close();
      for (const w of waiting) await waitForStatus(w, 'failed');
      for (const w of waiting) expect(w.error).toBeInstanceOf(Unavailable);
      const [stats] = await other.stats(POOL);
      expect(stats).toMatchObject({ waiting: 0, activeLeases: 1 });
      expect(await other.release(POOL, held.grant?.leaseId as string)).toBe(true);
    }
    const late = ctx.acquire('t', Priority.CRITICAL, 'late');
    await waitForStatus(late, 'failed');
    expect(late.error).toBeInstanceOf(Unavailable);
  });

  it('never exceeds maxConcurrent and settles every request under random concurrent load', async () => {
    const ctx = await setup({ maxConcurrent: 3, maxQueueSize: 6, leaseTtlMs: 2_000 });
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let held = 0;
    let maxHeld = 0;
    const all: Promise<void>[] = [];
    for (let i = 0; i < 80; i++) {
      const controller = new AbortController();
      const roll = rand();
      const deadlineMs = roll < 0.3 ? Date.now() + 5 + Math.floor(rand() * 60) : undefined;
      if (roll > 0.9) setTimeout(() => controller.abort(), Math.floor(rand() * 20));
      const holdMs = Math.floor(rand() * 8);
      all.push(
        ctx.queue
          .acquire({ pool: POOL, tenant: `t${i % 3}`, priority: (1 + Math.floor(rand() * 5)) as Priority, requestId: `r${i}`, deadlineMs, signal: controller.signal })
          .then(
            async (grant) => {
              maxHeld = Math.max(maxHeld, ++held);
              await new Promise((resolve) => setTimeout(resolve, holdMs));
              held--;
              await ctx.queue.release(POOL, grant.leaseId);
            },
            () => undefined,
          ),
      );
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(all);
    expect(maxHeld).toBeLessThanOrEqual(3);
    expect(maxHeld).toBeGreaterThan(0);
    const stats = await ctx.stats();
    expect(stats).toMatchObject({ activeLeases: 0, waiting: 0 });
    const { granted, shed, rejected, expired, cancelled } = stats.counters;
    expect(granted + shed + rejected + expired + cancelled).toBe(80);
    expect(stats.counters.released).toBe(granted);
  });
});
