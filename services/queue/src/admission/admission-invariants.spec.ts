import { seededRandom } from '@switchyard/service-kit/seeded-random';
import type { AdmissionEvent, Grant, PoolStats } from './admission-controller';
import type { Priority } from './priority';
import { PriorityRequestQueue } from './priority-request-queue';

const START = 1_700_000_000_000;

interface Request {
  readonly id: string;
  readonly pool: string;
  readonly deadlineMs: number | undefined;
  readonly abort: AbortController;
  status: 'pending' | 'granted' | 'failed';
  grant?: Grant;
}

beforeEach(() => jest.useFakeTimers({ now: START }));
afterEach(() => jest.useRealTimers());

describe('PriorityRequestQueue invariants under random load', () => {
  it.each([1, 2, 3, 42, 2024])('never exceeds maxConcurrent and never grants past a deadline (seed %i)', async (seed) => {
    // Seeded so a failing sequence can be replayed from its seed.
    const rand = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    const requests = new Map<string, Request>();
    const violations: string[] = [];
    const events: AdmissionEvent[] = [];
    const queue = new PriorityRequestQueue({
      config: {
        defaults: { maxConcurrent: 3, maxQueueSize: 6, leaseTtlMs: 700 },
        pools: { narrow: { maxConcurrent: 1, maxQueueSize: 2, leaseTtlMs: 300 } },
      },
      onEvent: (event) => {
        events.push(event);
        const deadline = requests.get(event.requestId)?.deadlineMs;
        if (event.type === 'granted' && deadline !== undefined && Date.now() >= deadline) {
          violations.push(`${event.requestId} granted at ${Date.now()} with deadline ${deadline}`);
        }
      },
    });
    const pools = ['wide', 'narrow'];
    const acquiresPerPool = new Map(pools.map((p) => [p, 0]));

    for (let step = 0; step < 400; step++) {
      const roll = rand();
      if (roll < 0.45) {
        const id = `r${step}`;
        const pool = pick(pools);
        const deadlineKind = rand();
        const deadlineMs =
          deadlineKind < 0.4 ? undefined : deadlineKind < 0.45 ? Date.now() : Date.now() + Math.floor(rand() * 400);
        const request: Request = { id, pool, deadlineMs, abort: new AbortController(), status: 'pending' };
        requests.set(id, request);
        acquiresPerPool.set(pool, (acquiresPerPool.get(pool) ?? 0) + 1);
        queue
          .acquire({
            pool,
            tenant: pick(['t1', 't2', 't3']),
            priority: (1 + Math.floor(rand() * 5)) as Priority,
            requestId: id,
            deadlineMs,
            signal: request.abort.signal,
          })
          .then(
            (grant) => Object.assign(request, { status: 'granted', grant }),
            () => Object.assign(request, { status: 'failed' }),
          );
      } else if (roll < 0.7) {
        const held = [...requests.values()].filter((r) => r.status === 'granted');
        if (held.length > 0) {
          const r = pick(held);
          await queue.release(r.pool, r.grant?.leaseId as string);
        }
      } else if (roll < 0.75) {
        const held = [...requests.values()].filter((r) => r.status === 'granted');
        if (held.length > 0) {
          const r = pick(held);
          await queue.renew(r.pool, r.grant?.leaseId as string);
        }
      } else if (roll < 0.82) {
        const waiting = [...requests.values()].filter((r) => r.status === 'pending');
        if (waiting.length > 0) pick(waiting).abort.abort();
      } else {
        await jest.advanceTimersByTimeAsync(Math.floor(rand() * 120));
      }
      await jest.advanceTimersByTimeAsync(0);

      for (const stats of await queue.stats()) {
        checkPool(stats, acquiresPerPool.get(stats.pool) ?? 0, step);
      }
      // The model of who holds a lease must agree with the queue's own count.
      for (const pool of pools) {
        const [stats] = await queue.stats(pool);
        const lapsedOrReleased = new Set(
          events.filter((e) => e.pool === pool && (e.type === 'released' || e.type === 'lapsed')).map((e) => e.requestId),
        );
        const heldByModel = [...requests.values()].filter(
          (r) => r.pool === pool && r.status === 'granted' && !lapsedOrReleased.has(r.id),
        ).length;
        expect(stats?.activeLeases).toBe(heldByModel);
      }
    }

    expect(violations).toEqual([]);
    expect(events.some((e) => e.type === 'granted')).toBe(true);
    expect(events.some((e) => e.type === 'expired')).toBe(true);
    await queue.close();
    await jest.advanceTimersByTimeAsync(0);
    expect([...requests.values()].filter((r) => r.status === 'pending')).toEqual([]);
  });
});

function checkPool(stats: PoolStats, acquires: number, step: number): void {
  const where = `pool ${stats.pool} after step ${step}`;
  expect({ where, ok: stats.activeLeases <= stats.maxConcurrent }).toEqual({ where, ok: true });
  expect({ where, ok: stats.waiting <= stats.maxQueueSize }).toEqual({ where, ok: true });
  // Work-conserving: nobody waits while a slot is free.
  expect({ where, ok: stats.waiting === 0 || stats.activeLeases === stats.maxConcurrent }).toEqual({ where, ok: true });
  expect(stats.depthByPriority.reduce((sum, d) => sum + d.depth, 0)).toBe(stats.waiting);
  expect(stats.depthByTenant.reduce((sum, d) => sum + d.depth, 0)).toBe(stats.waiting);
  // Every acquire ends in exactly one outcome or is still waiting.
  const { granted, shed, rejected, expired, cancelled } = stats.counters;
  expect(granted + shed + rejected + expired + cancelled + stats.waiting).toBe(acquires);
}
