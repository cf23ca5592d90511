import type { Clock, Timers } from '@switchyard/service-kit/clock';
import {
  Cancelled,
  DeadlineExpired,
  InvalidArgument,
  ResourceExhausted,
  Unavailable,
} from '@switchyard/service-kit/errors';
import type { AcquireRequest, AdmissionEvent, Grant, PoolStats } from './admission-controller';
import type { AdmissionConfig, PoolLimits } from './pool-config';
import { Priority } from './priority';
import { PriorityRequestQueue } from './priority-request-queue';

const START = 1_700_000_000_000;
const POOL = 'gpt-4o';

interface Tracked {
  status: 'pending' | 'granted' | 'failed';
  grant?: Grant;
  error?: unknown;
}

function track(promise: Promise<Grant>): Tracked {
  const tracked: Tracked = { status: 'pending' };
  promise.then(
    (grant) => Object.assign(tracked, { status: 'granted', grant }),
    (error: unknown) => Object.assign(tracked, { status: 'failed', error }),
  );
  return tracked;
}

/** Lets promise callbacks run without moving the fake clock. */
const settle = () => jest.advanceTimersByTimeAsync(0);

function setup(limits: Partial<PoolLimits> = {}, extra: Partial<AdmissionConfig> = {}) {
  const events: AdmissionEvent[] = [];
  let nextLease = 0;
  const queue = new PriorityRequestQueue({
    config: { defaults: { maxConcurrent: 1, maxQueueSize: 100, leaseTtlMs: 60_000, ...limits }, ...extra },
    newLeaseId: () => `lease-${++nextLease}`,
    onEvent: (event) => events.push(event),
  });
  const acquire = (tenant: string, priority: Priority, requestId: string, more: Partial<AcquireRequest> = {}) =>
    track(queue.acquire({ pool: POOL, tenant, priority, requestId, ...more }));
  const stats = async (pool = POOL): Promise<PoolStats> => (await queue.stats(pool))[0] as PoolStats;
  /** Releases the lease `holder` was granted; resolves to what release() answered. */
  const releaseOf = async (holder: Tracked) => {
    expect(holder.status).toBe('granted');
    return queue.release(POOL, holder.grant?.leaseId as string);
  };
  return { queue, events, acquire, stats, releaseOf };
}

/** Releases each grant as soon as it happens and records the order in which request ids were granted. */
async function drainInOrder(
  { queue, events }: ReturnType<typeof setup>,
  waiters: ReadonlyMap<string, Tracked>,
): Promise<string[]> {
  const order: string[] = [];
  for (;;) {
    await settle();
    const next = events.filter((e) => e.type === 'granted').map((e) => e.requestId)[order.length];
    if (next === undefined) return order;
    order.push(next);
    const tracked = waiters.get(next);
    if (tracked) await queue.release(POOL, tracked.grant?.leaseId as string);
  }
}

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('PriorityRequestQueue', () => {
  it('grants at once when a slot is free, with zero wait and the pool lease TTL', async () => {
    const { acquire } = setup({ leaseTtlMs: 5_000 });
    const first = acquire('acme', Priority.NORMAL, 'r1');
    await settle();
    expect(first).toEqual({ status: 'granted', grant: { leaseId: 'lease-1', queueWaitMs: 0, leaseTtlMs: 5_000 } });
  });

  describe('ordering', () => {
    it('grants CRITICAL before NORMAL even when NORMAL arrived first', async () => {
      const ctx = setup();
      const holder = ctx.acquire('acme', Priority.NORMAL, 'holder');
      await settle();
      const normal = ctx.acquire('acme', Priority.NORMAL, 'normal');
      jest.advanceTimersByTime(10);
      const critical = ctx.acquire('acme', Priority.CRITICAL, 'critical');
      await ctx.releaseOf(holder);
      await settle();
      expect(critical.status).toBe('granted');
      expect(critical.grant?.queueWaitMs).toBe(0);
      expect(normal.status).toBe('pending');
    });

    it('serves the five priorities strictly in order regardless of arrival order', async () => {
      const ctx = setup();
      const holder = ctx.acquire('acme', Priority.NORMAL, 'holder');
      await settle();
      const waiters = new Map<string, Tracked>();
      for (const p of [Priority.BULK, Priority.NORMAL, Priority.CRITICAL, Priority.LOW, Priority.HIGH]) {
        waiters.set(`p${p}`, ctx.acquire('acme', p, `p${p}`));
      }
      await ctx.releaseOf(holder);
      expect((await drainInOrder(ctx, waiters)).slice(1)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    });

    it('keeps FIFO order within one priority for one tenant', async () => {
      const ctx = setup();
      const holder = ctx.acquire('acme', Priority.HIGH, 'holder');
      await settle();
      const waiters = new Map<string, Tracked>();
      for (let i = 1; i <= 5; i++) waiters.set(`r${i}`, ctx.acquire('acme', Priority.HIGH, `r${i}`));
      await ctx.releaseOf(holder);
      expect((await drainInOrder(ctx, waiters)).slice(1)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    });

    it('alternates between a flooding tenant and a light tenant at the same priority', async () => {
      const ctx = setup();
      const holder = ctx.acquire('flood', Priority.NORMAL, 'holder');
      await settle();
      const waiters = new Map<string, Tracked>();
      for (let i = 1; i <= 20; i++) waiters.set(`flood-${i}`, ctx.acquire('flood', Priority.NORMAL, `flood-${i}`));
      for (let i = 1; i <= 3; i++) waiters.set(`light-${i}`, ctx.acquire('light', Priority.NORMAL, `light-${i}`));
      await ctx.releaseOf(holder);
      const order = (await drainInOrder(ctx, waiters)).slice(1);
      expect(order.slice(0, 6)).toEqual(['flood-1', 'light-1', 'flood-2', 'light-2', 'flood-3', 'light-3']);
      expect(order.slice(6)).toEqual(Array.from({ length: 17 }, (_, i) => `flood-${i + 4}`));
    });

    it('gives a tenant that arrives late its turn within one round of the ring', async () => {
      const ctx = setup();
      const holder = ctx.acquire('a', Priority.LOW, 'holder');
      await settle();
      const waiters = new Map<string, Tracked>();
      for (let i = 1; i <= 5; i++) {
        waiters.set(`a-${i}`, ctx.acquire('a', Priority.LOW, `a-${i}`));
        waiters.set(`b-${i}`, ctx.acquire('b', Priority.LOW, `b-${i}`));
      }
      waiters.set('c-1', ctx.acquire('c', Priority.LOW, 'c-1'));
      await ctx.releaseOf(holder);
      const order = (await drainInOrder(ctx, waiters)).slice(1);
      expect(order.indexOf('c-1')).toBeLessThan(3);
    });

    it('does not let a free slot jump the queue: arrivals wait behind existing waiters', async () => {
      const ctx = setup({ maxConcurrent: 2 });
      const a = ctx.acquire('t', Priority.NORMAL, 'a');
      const b = ctx.acquire('t', Priority.NORMAL, 'b');
      const c = ctx.acquire('t', Priority.NORMAL, 'c');
      await settle();
      expect([a.status, b.status, c.status]).toEqual(['granted', 'granted', 'pending']);
      await ctx.releaseOf(a);
      const d = ctx.acquire('t', Priority.NORMAL, 'd');
      await settle();
      expect([c.status, d.status]).toEqual(['granted', 'pending']);
    });
  });

  describe('validation', () => {
    it.each([0, 6, 2.5, Number.NaN, '3'])('rejects priority %p with InvalidArgument naming the field', async (p) => {
      const { queue } = setup();
      const attempt = queue.acquire({ pool: POOL, tenant: 't', priority: p as Priority, requestId: 'r' });
      await expect(attempt).rejects.toBeInstanceOf(InvalidArgument);
      await expect(attempt).rejects.toMatchObject({ field: 'priority' });
    });

    it('rejects a missing tenant, an oversized pool name and a non-finite deadline', async () => {
      const { queue } = setup();
      const base = { pool: POOL, tenant: 't', priority: Priority.NORMAL, requestId: 'r' };
      await expect(queue.acquire({ ...base, tenant: '' })).rejects.toMatchObject({ field: 'tenant' });
      await expect(queue.acquire({ ...base, pool: 'x'.repeat(300) })).rejects.toMatchObject({ field: 'pool' });
      await expect(queue.acquire({ ...base, deadlineMs: Number.POSITIVE_INFINITY })).rejects.toMatchObject({
        field: 'deadlineMs',
      });
      await expect(queue.release(POOL, '')).rejects.toMatchObject({ field: 'leaseId' });
    });

    it('treats an empty pool name as the default pool', async () => {
      const { queue } = setup();
      const grant = await queue.acquire({ pool: '', tenant: 't', priority: Priority.NORMAL, requestId: 'r' });
      expect((await queue.stats()).map((s) => [s.pool, s.activeLeases])).toEqual([['default', 1]]);
      expect(await queue.release('', grant.leaseId)).toBe(true);
    });
  });

  describe('deadlines', () => {
    it('expires a waiter when its deadline passes and never grants it afterwards', async () => {
      const ctx = setup();
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await settle();
      const late = ctx.acquire('t', Priority.NORMAL, 'late', { deadlineMs: START + 500 });
      const next = ctx.acquire('t', Priority.NORMAL, 'next');
      await jest.advanceTimersByTimeAsync(499);
      expect(late.status).toBe('pending');
      await jest.advanceTimersByTimeAsync(1);
      expect(late.status).toBe('failed');
      expect(late.error).toBeInstanceOf(DeadlineExpired);
      expect((await ctx.stats()).waiting).toBe(1);
      await ctx.releaseOf(holder);
      await settle();
      expect(next.status).toBe('granted');
      expect(ctx.events.filter((e) => e.requestId === 'late').map((e) => e.type)).toEqual(['expired']);
      expect((await ctx.stats()).counters.expired).toBe(1);
    });

    it('rejects at once a request whose deadline is already past or exactly now', async () => {
      const ctx = setup();
      const past = ctx.acquire('t', Priority.CRITICAL, 'past', { deadlineMs: START - 1 });
      const now = ctx.acquire('t', Priority.CRITICAL, 'now', { deadlineMs: START });
      await settle();
      expect(past.error).toBeInstanceOf(DeadlineExpired);
      expect(now.error).toBeInstanceOf(DeadlineExpired);
      expect((await ctx.stats()).activeLeases).toBe(0);
    });

    it('does not grant a waiter whose deadline passes exactly when a slot frees', async () => {
      const ctx = setup();
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await settle();
      // Registered before the waiter's deadline timer, so at START+100 the release runs first.
      setTimeout(() => void ctx.releaseOf(holder), 100);
      const doomed = ctx.acquire('t', Priority.CRITICAL, 'doomed', { deadlineMs: START + 100 });
      const patient = ctx.acquire('t', Priority.NORMAL, 'patient');
      await jest.advanceTimersByTimeAsync(100);
      expect(doomed.error).toBeInstanceOf(DeadlineExpired);
      expect(patient.status).toBe('granted');
      expect(ctx.events.filter((e) => e.type === 'granted').map((e) => e.requestId)).toEqual(['holder', 'patient']);
    });

    it('checks the deadline at grant time even when the deadline timer has not fired yet', async () => {
      let now = START;
      const clock: Clock = { now: () => now };
      const pending: (() => void)[] = [];
      const timers: Timers = { setTimeout: (fn) => pending.push(fn), clearTimeout: () => undefined };
      const queue = new PriorityRequestQueue({
        config: { defaults: { maxConcurrent: 1, maxQueueSize: 10, leaseTtlMs: 60_000 } },
        clock,
        timers,
      });
      const holder = await queue.acquire({ pool: POOL, tenant: 't', priority: 3, requestId: 'h' });
      const waiter = track(
        queue.acquire({ pool: POOL, tenant: 't', priority: 1, requestId: 'w', deadlineMs: START + 50 }),
      );
      now = START + 50;
      expect(await queue.release(POOL, holder.leaseId)).toBe(true);
      await settle();
      expect(waiter.error).toBeInstanceOf(DeadlineExpired);
      expect((await queue.stats(POOL))[0]).toMatchObject({ activeLeases: 0, counters: { granted: 1, expired: 1 } });
    });

    it('handles deadlines beyond the maximum timer delay by re-arming', async () => {
      const day = 24 * 3600_000;
      const ctx = setup({ leaseTtlMs: 20 * day });
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await settle();
      const far = ctx.acquire('t', Priority.NORMAL, 'far', { deadlineMs: START + 30 * day });
      await jest.advanceTimersByTimeAsync(19 * day);
      await ctx.queue.renew(POOL, holder.grant?.leaseId as string);
      await jest.advanceTimersByTimeAsync(6 * day);
      expect(far.status).toBe('pending');
      await jest.advanceTimersByTimeAsync(5 * day);
      expect(far.error).toBeInstanceOf(DeadlineExpired);
    });
  });

  describe('cancellation', () => {
    it('removes a waiter at once when its signal aborts', async () => {
      const ctx = setup();
      const holder = ctx.acquire('t', Priority.NORMAL, 'holder');
      await settle();
      const controller = new AbortController();
      const gone = ctx.acquire('t', Priority.HIGH, 'gone', { signal: controller.signal });
      const stays = ctx.acquire('t', Priority.NORMAL, 'stays');
      expect((await ctx.stats()).waiting).toBe(2);
      controller.abort();
      await settle();
      expect(gone.error).toBeInstanceOf(Cancelled);
      expect((await ctx.stats()).waiting).toBe(1);
      await ctx.releaseOf(holder);
      await settle();
      expect(stays.status).toBe('granted');
      expect((await ctx.stats()).counters.cancelled).toBe(1);
    });

    it('rejects a request whose signal is already aborted without touching the queue', async () => {
      const ctx = setup();
      const gone = ctx.acquire('t', Priority.NORMAL, 'gone', { signal: AbortSignal.abort() });
      await settle();
      expect(gone.error).toBeInstanceOf(Cancelled);
      expect(await ctx.stats()).toMatchObject({ activeLeases: 0, waiting: 0 });
    });

    it('ignores an abort after the lease was granted (the holder must release it)', async () => {
      const ctx = setup();
      const controller = new AbortController();
      const held = ctx.acquire('t', Priority.NORMAL, 'held', { signal: controller.signal });
      await settle();
      controller.abort();
      expect(held.status).toBe('granted');
      expect((await ctx.stats()).activeLeases).toBe(1);
      expect(await ctx.releaseOf(held)).toBe(true);
    });
  });

  describe('overload', () => {
    it('sheds the newest waiter of the lowest priority to admit a more urgent arrival', async () => {
      const ctx = setup({ maxQueueSize: 4 });
      ctx.acquire('t', Priority.NORMAL, 'holder');
      await settle();
      const normal = ctx.acquire('a', Priority.NORMAL, 'normal');
      const bulkOld = ctx.acquire('a', Priority.BULK, 'bulk-old');
      const low = ctx.acquire('a', Priority.LOW, 'low');
      const bulkNew = ctx.acquire('b', Priority.BULK, 'bulk-new');
      const high = ctx.acquire('c', Priority.HIGH, 'high');
      await settle();
      expect(bulkNew.status).toBe('failed');
      expect(bulkNew.error).toBeInstanceOf(ResourceExhausted);
      expect((bulkNew.error as ResourceExhausted).retryAfterMs).toBeGreaterThan(0);
      expect([normal, bulkOld, low, high].map((t) => t.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
      const s = await ctx.stats();
      expect(s.waiting).toBe(4);
      expect(s.counters).toMatchObject({ shed: 1, rejected: 0 });
      expect(ctx.events.find((e) => e.type === 'shed')).toMatchObject({ requestId: 'bulk-new', priority: 5 });
    });

    it('refuses the arrival when nobody waiting is less urgent than it', async () => {
      const ctx = setup({ maxQueueSize: 2 });
      ctx.acquire('t', Priority.NORMAL, 'holder');
      await settle();
      const w1 = ctx.acquire('a', Priority.HIGH, 'w1');
      const w2 = ctx.acquire('a', Priority.NORMAL, 'w2');
      const sameLevel = ctx.acquire('b', Priority.NORMAL, 'same-level');
      const lower = ctx.acquire('b', Priority.BULK, 'lower');
      await settle();
      for (const refused of [sameLevel, lower]) {
        expect(refused.error).toBeInstanceOf(ResourceExhausted);
        expect((refused.error as ResourceExhausted).retryAfterMs).toBeGreaterThan(0);
      }
      expect([w1.status, w2.status]).toEqual(['pending', 'pending']);
      expect((await ctx.stats()).counters).toMatchObject({ shed: 0, rejected: 2 });
    });

    it('with maxQueueSize 0 grants while slots are free and refuses otherwise', async () => {
      const ctx = setup({ maxQueueSize: 0 });
      const first = ctx.acquire('t', Priority.BULK, 'first');
      const second = ctx.acquire('t', Priority.CRITICAL, 'second');
      await settle();
      expect(first.status).toBe('granted');
      expect(second.error).toBeInstanceOf(ResourceExhausted);
    });

    it('derives the retry hint from the average lease hold time and the backlog', async () => {
      const ctx = setup(
        { maxConcurrent: 2, maxQueueSize: 3 },
        { retryHint: { minMs: 10, maxMs: 60_000, initialHoldMs: 1_000 } },
      );
      // Five leases each held 2 s pull the moving average from 1000 toward 2000 ms: 1000 + (1 - 0.8^5) * 1000.
      for (let i = 0; i < 5; i++) {
        const held = ctx.acquire('t', Priority.NORMAL, `warm-${i}`);
        await settle();
        await jest.advanceTimersByTimeAsync(2_000);
        await ctx.releaseOf(held);
      }
      const average = 1_000 + (1 - 0.8 ** 5) * 1_000;
      ctx.acquire('t', Priority.NORMAL, 'h1');
      ctx.acquire('t', Priority.NORMAL, 'h2');
      for (let i = 0; i < 3; i++) ctx.acquire('t', Priority.NORMAL, `w${i}`);
      const refused = ctx.acquire('t', Priority.NORMAL, 'refused');
      await settle();
      // Three waiting plus the caller, served two at a time.
      expect((refused.error as ResourceExhausted).retryAfterMs).toBe(Math.ceil((average * 4) / 2));
    });
  });

  describe('leases', () => {
    it('lapses a lease that is not released within its TTL and gives the slot to the next waiter', async () => {
      const ctx = setup({ leaseTtlMs: 1_000 });
      const crashed = ctx.acquire('t', Priority.NORMAL, 'crashed');
      await settle();
      const next = ctx.acquire('t', Priority.NORMAL, 'next');
      await jest.advanceTimersByTimeAsync(999);
      expect(next.status).toBe('pending');
      await jest.advanceTimersByTimeAsync(1);
      expect(next.status).toBe('granted');
      expect(next.grant?.queueWaitMs).toBe(1_000);
      expect(await ctx.releaseOf(crashed)).toBe(false);
      const s = await ctx.stats();
      expect(s).toMatchObject({ activeLeases: 1, counters: { lapsed: 1, released: 0, granted: 2 } });
      expect(ctx.events.find((e) => e.type === 'lapsed')).toMatchObject({ requestId: 'crashed', holdMs: 1_000 });
    });

    it('extends a lease on renew so it lapses a full TTL after the renewal', async () => {
      const ctx = setup({ leaseTtlMs: 1_000 });
      const held = ctx.acquire('t', Priority.NORMAL, 'held');
      await settle();
      await jest.advanceTimersByTimeAsync(800);
      expect(await ctx.queue.renew(POOL, held.grant?.leaseId as string)).toBe(true);
      await jest.advanceTimersByTimeAsync(999);
      expect((await ctx.stats()).activeLeases).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect((await ctx.stats()).activeLeases).toBe(0);
      expect(await ctx.queue.renew(POOL, held.grant?.leaseId as string)).toBe(false);
    });

    it('returns false when releasing an unknown lease, a lease twice, or a lease of another pool', async () => {
      const ctx = setup();
      const held = ctx.acquire('t', Priority.NORMAL, 'held');
      await settle();
      const leaseId = held.grant?.leaseId as string;
      expect(await ctx.queue.release(POOL, 'no-such-lease')).toBe(false);
      expect(await ctx.queue.release('other-pool', leaseId)).toBe(false);
      expect(await ctx.queue.release(POOL, leaseId)).toBe(true);
      expect(await ctx.queue.release(POOL, leaseId)).toBe(false);
      expect((await ctx.stats()).counters.released).toBe(1);
    });
  });

  describe('pools', () => {
    it('applies per-pool overrides and creates unknown pools with the defaults', async () => {
      const { queue } = setup({}, { pools: { small: { maxConcurrent: 2 } } });
      const base = { tenant: 't', priority: Priority.NORMAL, requestId: 'r' };
      await queue.acquire({ ...base, pool: 'small' });
      await queue.acquire({ ...base, pool: 'small' });
      const third = track(queue.acquire({ ...base, pool: 'small' }));
      await queue.acquire({ ...base, pool: 'fresh' });
      await settle();
      expect(third.status).toBe('pending');
      const all = await queue.stats();
      expect(all.map((s) => [s.pool, s.maxConcurrent, s.activeLeases, s.waiting])).toEqual([
        ['fresh', 1, 1, 0],
        ['small', 2, 2, 1],
      ]);
    });

    it('reports an unused pool with its configured limits without creating it', async () => {
      const { queue } = setup({ maxQueueSize: 7 }, { pools: { big: { maxConcurrent: 50 } } });
      expect(await queue.stats('big')).toEqual([
        expect.objectContaining({ pool: 'big', maxConcurrent: 50, maxQueueSize: 7, activeLeases: 0, waiting: 0 }),
      ]);
      expect(await queue.stats()).toEqual([]);
    });
  });

  it('reports depth per priority and tenant, oldest wait and counters', async () => {
    const ctx = setup({ maxConcurrent: 2, maxQueueSize: 5 });
    const h1 = ctx.acquire('a', Priority.NORMAL, 'h1');
    ctx.acquire('a', Priority.NORMAL, 'h2');
    await settle();
    ctx.acquire('a', Priority.LOW, 'w1');
    await jest.advanceTimersByTimeAsync(100);
    ctx.acquire('b', Priority.LOW, 'w2');
    ctx.acquire('b', Priority.HIGH, 'w3');
    ctx.acquire('a', Priority.BULK, 'w4', { signal: AbortSignal.abort() });
    const expiring = ctx.acquire('c', Priority.BULK, 'w5', { deadlineMs: START + 150 });
    await jest.advanceTimersByTimeAsync(100);
    expect(expiring.status).toBe('failed');
    await ctx.releaseOf(h1);
    await settle();

    expect(await ctx.stats()).toEqual({
      pool: POOL,
      backend: 'memory',
      replicas: 1,
      activeLeases: 2,
      maxConcurrent: 2,
      maxQueueSize: 5,
      leaseTtlMs: 60_000,
      minSharePercent: 0,
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
      oldestWaitMs: 200,
      averageHoldMs: expect.any(Number),
      counters: { granted: 3, released: 1, shed: 0, rejected: 0, expired: 1, cancelled: 1, lapsed: 0 },
    });
  });

  it('emits one event per outcome with wait and hold times', async () => {
    const ctx = setup();
    const held = ctx.acquire('t', Priority.NORMAL, 'held');
    await settle();
    const waiter = ctx.acquire('u', Priority.HIGH, 'waiter');
    await jest.advanceTimersByTimeAsync(250);
    await ctx.releaseOf(held);
    await settle();
    await ctx.releaseOf(waiter);
    expect(ctx.events).toEqual([
      { type: 'granted', pool: POOL, tenant: 't', priority: 3, requestId: 'held', waitMs: 0 },
      { type: 'released', pool: POOL, tenant: 't', priority: 3, requestId: 'held', waitMs: 0, holdMs: 250 },
      { type: 'granted', pool: POOL, tenant: 'u', priority: 2, requestId: 'waiter', waitMs: 250 },
      { type: 'released', pool: POOL, tenant: 'u', priority: 2, requestId: 'waiter', waitMs: 250, holdMs: 0 },
    ]);
  });

  it('keeps admitting when the event observer throws', async () => {
    const queue = new PriorityRequestQueue({
      config: { defaults: { maxConcurrent: 1, maxQueueSize: 10, leaseTtlMs: 1_000 } },
      onEvent: () => {
        throw new Error('metrics exporter broke');
      },
    });
    const first = await queue.acquire({ pool: POOL, tenant: 't', priority: 3, requestId: 'a' });
    const second = track(queue.acquire({ pool: POOL, tenant: 't', priority: 3, requestId: 'b' }));
    expect(await queue.release(POOL, first.leaseId)).toBe(true);
    await settle();
    expect(second.status).toBe('granted');
  });

  it('close() rejects every waiter with Unavailable, refuses new work and clears all timers', async () => {
    const ctx = setup({ leaseTtlMs: 1_000 });
    const held = ctx.acquire('t', Priority.NORMAL, 'held');
    await settle();
    const waiting = [
      ctx.acquire('t', Priority.HIGH, 'w1', { deadlineMs: START + 10_000 }),
      ctx.acquire('u', Priority.BULK, 'w2', { signal: new AbortController().signal }),
    ];
    await ctx.queue.close();
    await settle();
    for (const w of waiting) expect(w.error).toBeInstanceOf(Unavailable);
    expect(jest.getTimerCount()).toBe(0);
    const late = ctx.acquire('t', Priority.CRITICAL, 'late');
    await settle();
    expect(late.error).toBeInstanceOf(Unavailable);
    // In-flight work may still hand its lease back while the process drains.
    expect(await ctx.releaseOf(held)).toBe(true);
    expect(await ctx.stats()).toMatchObject({ activeLeases: 0, waiting: 0 });
  });
});
