import type { Priority } from './priority';

/** Pool used when the caller names none (the proto's empty `pool`). */
export const DEFAULT_POOL = 'default';

export interface AcquireRequest {
  /** Concurrency pool, usually the model; '' means DEFAULT_POOL. */
  readonly pool: string;
  readonly tenant: string;
  /** 1 CRITICAL .. 5 BULK; the server maps the proto's UNSPECIFIED to NORMAL (3). */
  readonly priority: Priority;
  readonly requestId: string;
  /** Absolute deadline, epoch ms. The request is never granted at or after it. */
  readonly deadlineMs?: number;
  /** Aborting removes the waiter at once (Cancelled). Has no effect once the lease is granted. */
  readonly signal?: AbortSignal;
}

export interface Grant {
  readonly leaseId: string;
  readonly queueWaitMs: number;
  /** The lease lapses after this long unless released or renewed. */
  readonly leaseTtlMs: number;
}

export interface PoolCounters {
  granted: number;
  released: number;
  /** Waiters pushed out by a more urgent arrival while the queue was full. */
  shed: number;
  /** Arrivals refused because the queue was full of equally or more urgent waiters. */
  rejected: number;
  expired: number;
  cancelled: number;
  lapsed: number;
}

/** Where a pool's state lives: this process only, Redis (fleet-wide), or this process while Redis is unreachable. */
export type AdmissionBackend = 'memory' | 'redis' | 'local-fallback';

export interface PoolStats {
  readonly pool: string;
  readonly backend: AdmissionBackend;
  /** Queue replicas currently holding waiters of this pool (1 for the in-memory queue). */
  readonly replicas: number;
  readonly activeLeases: number;
  readonly maxConcurrent: number;
  readonly maxQueueSize: number;
  readonly leaseTtlMs: number;
  readonly minSharePercent: number;
  readonly waiting: number;
  /** One entry per priority, CRITICAL first, zeros included. */
  readonly depthByPriority: readonly { readonly priority: Priority; readonly depth: number }[];
  /** Tenants with at least one waiter, deepest first. */
  readonly depthByTenant: readonly { readonly tenant: string; readonly depth: number }[];
  /** How long the oldest waiter has waited; 0 when nobody waits. */
  readonly oldestWaitMs: number;
  readonly averageHoldMs: number;
  readonly counters: Readonly<PoolCounters>;
}

export type AdmissionEventType = 'granted' | 'released' | 'lapsed' | 'shed' | 'rejected' | 'expired' | 'cancelled';

/** One admission outcome, for the server to turn into metrics and span events. Carries no payload text. */
export interface AdmissionEvent {
  readonly type: AdmissionEventType;
  readonly pool: string;
  readonly tenant: string;
  readonly priority: Priority;
  readonly requestId: string;
  /** Time the request spent queued: 0 when decided on arrival; for 'released' and 'lapsed', its wait before the grant. */
  readonly waitMs: number;
  /** For 'released' and 'lapsed': how long the lease was held. */
  readonly holdMs?: number;
  /** For 'shed' and 'rejected': the hint given to the caller. */
  readonly retryAfterMs?: number;
}

/**
 * Priority admission with deadlines and per-tenant fairness. The in-memory PriorityRequestQueue implements
 * it for one replica; a Redis-backed implementation can share limits across replicas behind the same
 * (promise-typed) shape, so the server does not care which one it holds.
 */
export interface AdmissionController {
  /**
   * Resolves when a lease is granted; rejects with InvalidArgument, DeadlineExpired, ResourceExhausted,
   * Cancelled or Unavailable.
   */
  acquire(request: AcquireRequest): Promise<Grant>;
  /** False when the lease is unknown, already released or lapsed. */
  release(pool: string, leaseId: string): Promise<boolean>;
  /** Restarts the lease's TTL from now; false when the lease is unknown, released or lapsed. */
  renew(pool: string, leaseId: string): Promise<boolean>;
  /** Every known pool, or just `pool` (with its configured limits even if never used). */
  stats(pool?: string): Promise<PoolStats[]>;
  /** Rejects every waiter with Unavailable, refuses new acquires and stops all timers. */
  close(): Promise<void>;
}
