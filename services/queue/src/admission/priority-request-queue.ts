import { randomUUID } from 'node:crypto';
import { MAX_TIMER_DELAY_MS, systemClock, unrefTimers, type Clock, type TimerHandle, type Timers } from '@switchyard/service-kit/clock';
import { Cancelled, DeadlineExpired, ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import {
  type AcquireRequest,
  type AdmissionBackend,
  type AdmissionController,
  type AdmissionEvent,
  type AdmissionEventType,
  type Grant,
  type PoolCounters,
  type PoolStats,
} from './admission-controller';
import { FairWaitQueue, type QueueTicket } from './fair-wait-queue';
import { MinShare } from './min-share';
import { chooseVictim } from './overload-policy';
import {
  resolvePoolLimits,
  resolveRetryHint,
  validateAdmissionConfig,
  type AdmissionConfig,
  type ResolvedPoolLimits,
  type RetryHintConfig,
} from './pool-config';
import { PRIORITIES, type Priority } from './priority';
import { RetryHint } from './retry-hint';
import { checkLeaseId, checkPoolName, validateAcquire } from './validate-request';

export interface PriorityRequestQueueOptions {
  readonly config: AdmissionConfig;
  readonly clock?: Clock;
  /** Default: timers that do not keep the process alive, since waiting requests and leases must not; the server does. */
  readonly timers?: Timers;
  readonly newLeaseId?: () => string;
  /** Called synchronously for every outcome; it must be cheap. A throwing observer is ignored, never fatal. */
  readonly onEvent?: (event: AdmissionEvent) => void;
  /** Reported in stats; the Redis store's local fallback says 'local-fallback'. */
  readonly backend?: AdmissionBackend;
}

interface Pool {
  readonly name: string;
  readonly limits: ResolvedPoolLimits;
  readonly waiting: FairWaitQueue<Waiter>;
  readonly minShare: MinShare;
  readonly leases: Map<string, Lease>;
  readonly counters: PoolCounters;
  readonly retryHint: RetryHint;
}

interface Subject {
  readonly pool: Pool;
  readonly tenant: string;
  readonly priority: Priority;
  readonly requestId: string;
}

interface Waiter extends Subject {
  readonly enqueuedAtMs: number;
  readonly deadlineMs: number | undefined;
  readonly resolve: (grant: Grant) => void;
  readonly reject: (error: Error) => void;
  ticket?: QueueTicket<Waiter>;
  deadlineTimer?: TimerHandle;
  detachAbort?: () => void;
  settled: boolean;
}

interface Lease extends Subject {
  readonly id: string;
  readonly grantedAtMs: number;
  readonly waitMs: number;
  timer?: TimerHandle;
}

/**
 * In-memory priority admission for one replica (the seed's PriorityRequestQueue).
 *
 * Invariants, restored after every operation: a pool never has more than `maxConcurrent` leases; nobody waits
 * while a slot is free; nobody is granted at or after their deadline; no pool holds more than `maxQueueSize`
 * waiters. Grant order is strict priority, then round-robin across tenants, then FIFO per tenant.
 */
export class PriorityRequestQueue implements AdmissionController {
  private readonly config: AdmissionConfig;
  private readonly retryHintConfig: RetryHintConfig;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly newLeaseId: () => string;
  private readonly onEvent: ((event: AdmissionEvent) => void) | undefined;
  private readonly backend: AdmissionBackend;
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(options: PriorityRequestQueueOptions) {
    validateAdmissionConfig(options.config);
    this.config = options.config;
    this.retryHintConfig = resolveRetryHint(options.config);
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? unrefTimers;
    this.newLeaseId = options.newLeaseId ?? randomUUID;
    this.onEvent = options.onEvent;
    this.backend = options.backend ?? 'memory';
  }

  async acquire(request: AcquireRequest): Promise<Grant> {
    const { pool: poolName, tenant, priority, requestId, deadlineMs } = validateAcquire(request);
    const { signal } = request;
    if (this.closed) throw new Unavailable('admission queue is shutting down; retry on another replica');

    const pool = this.poolFor(poolName);
    const subject: Subject = { pool, tenant, priority, requestId };
    const now = this.clock.now();
    if (deadlineMs !== undefined && now >= deadlineMs) {
      pool.counters.expired++;
      this.emit('expired', subject, 0);
      throw new DeadlineExpired(`deadline already passed on arrival at pool "${pool.name}"`);
    }
    if (signal?.aborted) {
      pool.counters.cancelled++;
      this.emit('cancelled', subject, 0);
      throw new Cancelled(`request cancelled before admission to pool "${pool.name}"`);
    }
    if (pool.waiting.size === 0 && pool.leases.size < pool.limits.maxConcurrent) {
      return this.grant(subject, now, 0);
    }
    if (pool.waiting.size >= pool.limits.maxQueueSize) this.makeRoomFor(subject);

    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = { ...subject, enqueuedAtMs: now, deadlineMs, resolve, reject, settled: false };
      waiter.ticket = pool.waiting.enqueue(waiter);
      this.armDeadline(waiter);
      if (signal) {
        const onAbort = () => this.cancel(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detachAbort = () => signal.removeEventListener('abort', onAbort);
      }
      this.pump(pool);
    });
  }

  async release(pool: string, leaseId: string): Promise<boolean> {
    const lease = this.findLease(pool, leaseId);
    if (!lease) return false;
    this.endLease(lease, 'released');
    return true;
  }

  async renew(pool: string, leaseId: string): Promise<boolean> {
    const lease = this.findLease(pool, leaseId);
    if (!lease) return false;
    this.armLease(lease);
    return true;
  }

  async stats(pool?: string): Promise<PoolStats[]> {
    if (pool === undefined) {
      return [...this.pools.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => this.snapshot(p));
    }
    const name = checkPoolName(pool);
    const known = this.pools.get(name);
    // An unused pool is reported with the limits it would get, without creating it.
    return [this.snapshot(known ?? this.newPool(name))];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pool of this.pools.values()) {
      for (const waiter of pool.waiting.drain()) {
        this.leaveQueue(waiter);
        waiter.reject(new Unavailable('admission queue is shutting down; retry on another replica'));
      }
      // Leases stay releasable during shutdown, but no longer lapse.
      for (const lease of pool.leases.values()) this.clearTimer(lease.timer);
    }
  }

  /** Grants free slots to waiters in order, skipping (and expiring) anyone whose deadline has passed. */
  private pump(pool: Pool): void {
    while (!this.closed && pool.leases.size < pool.limits.maxConcurrent) {
      const waiter = this.nextWaiter(pool);
      if (!waiter) return;
      this.leaveQueue(waiter);
      const now = this.clock.now();
      // Checked again here because a slot can free up in the same instant the deadline timer is due.
      if (waiter.deadlineMs !== undefined && now >= waiter.deadlineMs) {
        this.expire(waiter, now);
        continue;
      }
      waiter.resolve(this.grant(waiter, now, now - waiter.enqueuedAtMs));
    }
  }

  /** Strict priority, except the grants a minimum share owes to less urgent levels (min-share.ts). */
  private nextWaiter(pool: Pool): Waiter | undefined {
    const top = pool.waiting.mostUrgentPriority();
    if (top === undefined) return undefined;
    const lower = pool.minShare.percent > 0 ? pool.waiting.levelWithOldestBelow(top) : undefined;
    return pool.waiting.shiftAt(lower !== undefined && pool.minShare.owedToLessUrgent() ? lower : top);
  }

  private grant(subject: Subject, now: number, waitMs: number): Grant {
    const { pool } = subject;
    const lease: Lease = { ...subject, id: this.newLeaseId(), grantedAtMs: now, waitMs };
    pool.leases.set(lease.id, lease);
    this.armLease(lease);
    pool.counters.granted++;
    this.emit('granted', subject, waitMs);
    return { leaseId: lease.id, queueWaitMs: waitMs, leaseTtlMs: pool.limits.leaseTtlMs };
  }

  /** Called with a full queue: sheds a waiter for `arrival` (overload-policy.ts) or refuses it. */
  private makeRoomFor(arrival: Subject): void {
    const { pool } = arrival;
    const retryAfterMs = pool.retryHint.retryAfterMs(pool.waiting.size, pool.limits.maxConcurrent);
    const victim = chooseVictim(pool.waiting, arrival)?.item;
    if (!victim) {
      pool.counters.rejected++;
      this.emit('rejected', arrival, 0, { retryAfterMs });
      throw new ResourceExhausted(
        `queue of pool "${pool.name}" is full (${pool.waiting.size} waiting); retry after ${retryAfterMs} ms`,
        retryAfterMs,
      );
    }
    this.leaveQueue(victim);
    pool.counters.shed++;
    this.emit('shed', victim, this.clock.now() - victim.enqueuedAtMs, { retryAfterMs });
    victim.reject(
      new ResourceExhausted(
        `shed from pool "${pool.name}" to admit more urgent work; retry after ${retryAfterMs} ms`,
        retryAfterMs,
      ),
    );
  }

  private cancel(waiter: Waiter): void {
    if (waiter.settled) return;
    this.leaveQueue(waiter);
    // A transport aborts the call when its deadline passes, often a moment before our own timer: that is expiry.
    const now = this.clock.now();
    if (waiter.deadlineMs !== undefined && now >= waiter.deadlineMs) {
      this.expire(waiter, now);
      return;
    }
    waiter.pool.counters.cancelled++;
    this.emit('cancelled', waiter, this.clock.now() - waiter.enqueuedAtMs);
    waiter.reject(new Cancelled(`request cancelled while waiting in pool "${waiter.pool.name}"`));
  }

  private expire(waiter: Waiter, now: number): void {
    const waitMs = now - waiter.enqueuedAtMs;
    waiter.pool.counters.expired++;
    this.emit('expired', waiter, waitMs);
    waiter.reject(new DeadlineExpired(`deadline passed after ${waitMs} ms waiting in pool "${waiter.pool.name}"`));
  }

  private armDeadline(waiter: Waiter): void {
    if (waiter.deadlineMs === undefined) return;
    const remaining = waiter.deadlineMs - this.clock.now();
    // At least 1 ms so a clock that lags its timers cannot spin; capped because longer delays overflow.
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(1, remaining));
    waiter.deadlineTimer = this.timers.setTimeout(() => this.onDeadline(waiter), delay);
  }

  private onDeadline(waiter: Waiter): void {
    if (waiter.settled || waiter.deadlineMs === undefined) return;
    const now = this.clock.now();
    if (now < waiter.deadlineMs) {
      this.armDeadline(waiter);
      return;
    }
    this.leaveQueue(waiter);
    this.expire(waiter, now);
  }

  /** Takes a waiter out of the queue and drops its timer and abort listener; safe to call twice. */
  private leaveQueue(waiter: Waiter): void {
    if (waiter.settled) return;
    waiter.settled = true;
    if (waiter.ticket) waiter.pool.waiting.remove(waiter.ticket);
    waiter.ticket = undefined;
    this.clearTimer(waiter.deadlineTimer);
    waiter.detachAbort?.();
  }

  private armLease(lease: Lease): void {
    this.clearTimer(lease.timer);
    lease.timer = this.closed
      ? undefined
      : this.timers.setTimeout(() => this.endLease(lease, 'lapsed'), lease.pool.limits.leaseTtlMs);
  }

  private endLease(lease: Lease, how: 'released' | 'lapsed'): void {
    const { pool } = lease;
    if (pool.leases.get(lease.id) !== lease) return;
    pool.leases.delete(lease.id);
    this.clearTimer(lease.timer);
    const holdMs = this.clock.now() - lease.grantedAtMs;
    pool.retryHint.recordHold(holdMs);
    pool.counters[how]++;
    this.emit(how, lease, lease.waitMs, { holdMs });
    this.pump(pool);
  }

  private findLease(poolName: string, leaseId: string): Lease | undefined {
    const name = checkPoolName(poolName);
    const id = checkLeaseId(leaseId);
    return this.pools.get(name)?.leases.get(id);
  }

  private clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.clearTimeout(handle);
  }

  private poolFor(name: string): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = this.newPool(name);
      this.pools.set(name, pool);
    }
    return pool;
  }

  private newPool(name: string): Pool {
    const limits = resolvePoolLimits(this.config, name);
    return {
      name,
      limits,
      waiting: new FairWaitQueue<Waiter>(),
      minShare: new MinShare(limits.minSharePercent),
      leases: new Map(),
      counters: { granted: 0, released: 0, shed: 0, rejected: 0, expired: 0, cancelled: 0, lapsed: 0 },
      retryHint: new RetryHint(this.retryHintConfig),
    };
  }

  private snapshot(pool: Pool): PoolStats {
    const oldest = pool.waiting.oldestEnqueuedAtMs();
    return {
      pool: pool.name,
      backend: this.backend,
      replicas: 1,
      activeLeases: pool.leases.size,
      maxConcurrent: pool.limits.maxConcurrent,
      maxQueueSize: pool.limits.maxQueueSize,
      leaseTtlMs: pool.limits.leaseTtlMs,
      minSharePercent: pool.limits.minSharePercent,
      waiting: pool.waiting.size,
      depthByPriority: PRIORITIES.map((priority) => ({ priority, depth: pool.waiting.depthOf(priority) })),
      depthByTenant: [...pool.waiting.depthByTenant()]
        .map(([tenant, depth]) => ({ tenant, depth }))
        .sort((a, b) => b.depth - a.depth || (a.tenant < b.tenant ? -1 : 1)),
      oldestWaitMs: oldest === undefined ? 0 : Math.max(0, this.clock.now() - oldest),
      averageHoldMs: Math.round(pool.retryHint.averageHold),
      counters: { ...pool.counters },
    };
  }

  private emit(
    type: AdmissionEventType,
    subject: Subject,
    waitMs: number,
    extra: { holdMs?: number; retryAfterMs?: number } = {},
  ): void {
    if (!this.onEvent) return;
    const { pool, tenant, priority, requestId } = subject;
    try {
      this.onEvent({ type, pool: pool.name, tenant, priority, requestId, waitMs, ...extra });
    } catch {
      // Metrics must never break admission: a throw here would strand a waiter mid-grant.
    }
  }
}
