import { waitUntil } from '@switchyard/testing';
import type { AcquireRequest, AdmissionController, AdmissionEvent, Grant, PoolStats, Priority } from '../../src/admission';

export interface Tracked {
  readonly requestId: string;
  status: 'pending' | 'granted' | 'failed';
  grant?: Grant;
  error?: unknown;
}

export function track(requestId: string, promise: Promise<Grant>): Tracked {
  const tracked: Tracked = { requestId, status: 'pending' };
  promise.then(
    (grant) => Object.assign(tracked, { status: 'granted', grant }),
    (error: unknown) => Object.assign(tracked, { status: 'failed', error }),
  );
  return tracked;
}

export const settled = (t: Tracked) => t.status !== 'pending';

/** Acquire helpers bound to one pool. */
export function poolClient(queue: AdmissionController, pool: string) {
  const acquire = (tenant: string, priority: Priority, requestId: string, more: Partial<AcquireRequest> = {}) =>
    track(requestId, queue.acquire({ pool, tenant, priority, requestId, ...more }));
  const stats = async (): Promise<PoolStats> => (await queue.stats(pool))[0] as PoolStats;
  const release = (t: Tracked) => queue.release(pool, t.grant?.leaseId as string);
  return { acquire, stats, release };
}

export async function waitForStatus(t: Tracked, status: Tracked['status'], what = t.requestId, timeoutMs = 5_000): Promise<void> {
  await waitUntil(() => t.status === status, `${what} to be ${status} (is ${t.status})`, timeoutMs, 2);
}

export async function waitForWaiting(stats: () => Promise<PoolStats>, waiting: number, timeoutMs = 5_000): Promise<void> {
  await waitUntil(async () => (await stats()).waiting === waiting, `${waiting} waiting`, timeoutMs, 5);
}

export const grantedIds = (events: readonly AdmissionEvent[]) => events.filter((e) => e.type === 'granted').map((e) => e.requestId);

/**
 * With one slot: repeatedly waits for the next grant and releases it, until `count` grants have happened
 * (including any already made). Returns request ids in grant order.
 */
export async function drainInOrder(
  events: readonly AdmissionEvent[],
  tracked: ReadonlyMap<string, Tracked>,
  release: (t: Tracked) => Promise<boolean>,
  count: number,
): Promise<string[]> {
  for (let released = 0; ; ) {
    const order = grantedIds(events);
    if (released >= count) return order;
    await waitUntil(() => grantedIds(events).length > released, `grant number ${released + 1} of ${count}`, 5_000, 1);
    const id = grantedIds(events)[released] as string;
    const t = tracked.get(id);
    if (t) {
      await waitForStatus(t, 'granted');
      await release(t);
    }
    released++;
  }
}
