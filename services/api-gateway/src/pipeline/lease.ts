import { randomUUID } from 'node:crypto';
import type { gatewayV1 } from '@switchyard/contracts';
import { runInCallScope } from '@switchyard/service-kit';
import type { GatewayPorts, PipelineObserver } from './ports';

/** The timer API lease renewal needs; injected so tests can drive it. */
export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemIntervals: IntervalTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export interface HeldLease {
  readonly queueWaitMs: number;
  /** Stops renewing and gives the slot back with the usage; idempotent, never throws. */
  release(usage: gatewayV1.Usage | undefined): void;
}

/** Release and the last renewals must reach the queue even when the request's own call was cancelled. */
const CLEANUP_DEADLINE_MS = 5_000;

/**
 * Waits for a queue slot and holds it: renewed every third of its TTL while the request runs (a long stream
 * outlives any fixed TTL), released when the request ends however it ends. The release runs outside the
 * request's call scope, because a cancelled request would otherwise cancel its own release and leak the slot
 * until the TTL lapses.
 */
export async function holdLease(
  queue: GatewayPorts['queue'],
  request: { pool: string; tenant: string; priority: number },
  observer: PipelineObserver,
  timers: IntervalTimers = systemIntervals,
): Promise<HeldLease> {
  const lease = await queue.acquire({ ...request, requestId: randomUUID() });
  const renewEveryMs = lease.leaseTtlMs > 0 ? Math.max(100, Math.floor(lease.leaseTtlMs / 3)) : 0;
  const timer =
    renewEveryMs > 0
      ? timers.setInterval(() => {
          queue.renew({ pool: request.pool, leaseId: lease.leaseId }).then(
            (answer) => {
              if (!answer.renewed) observer.degraded('lease-renew-failed', new Error('the queue no longer knows this lease (it lapsed)'));
            },
            (err: unknown) => observer.degraded('lease-renew-failed', err),
          );
        }, renewEveryMs)
      : undefined;
  let released = false;
  return {
    queueWaitMs: lease.queueWaitMs,
    release: (usage) => {
      if (released) return;
      released = true;
      if (timer !== undefined) timers.clearInterval(timer);
      void detached(() => queue.release({ pool: request.pool, leaseId: lease.leaseId, usage })).catch((err: unknown) =>
        observer.degraded('release-failed', err),
      );
    },
  };
}

/** Runs `fn` in a call scope of its own: not cancelled with the request, bounded by its own deadline. */
export function detached<T>(fn: () => Promise<T>, deadlineMs = CLEANUP_DEADLINE_MS): Promise<T> {
  return runInCallScope({ deadline: new Date(Date.now() + deadlineMs), signal: new AbortController().signal }, fn);
}
