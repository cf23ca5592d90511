import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchyard/service-kit';
import { MAX_TIMER_DELAY_MS, systemClock, unrefTimers, type Clock, type TimerHandle, type Timers } from '@switchyard/service-kit/clock';
import { Cancelled, DeadlineExpired, ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import {
  PRIORITIES,
  checkLeaseId,
  checkPoolName,
  resolvePoolLimits,
  resolveRetryHint,
  validateAcquire,
  validateAdmissionConfig,
  type AcquireRequest,
  type AdmissionConfig,
  type AdmissionController,
  type AdmissionEvent,
  type AdmissionEventType,
  type Grant,
  type PoolStats,
  type Priority,
  type ResolvedPoolLimits,
} from '../../admission';
import { channelPrefix, poolKey, poolsKey } from './keys';
import { AdmissionScripts, type LapsedLease, type ScriptReply } from './redis-scripts';
import { RedisLink, describe } from './redis-link';

/** What happens to admission while Redis is unreachable (QUEUE_REDIS_FAILURE_MODE). */
export type RedisFailureMode = 'fail-closed' | 'local';

export interface RedisAdmissionOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly config: AdmissionConfig;
  readonly failureMode: RedisFailureMode;
  /** Admits while Redis is down when failureMode is 'local'; its lease ids must start with LOCAL_LEASE_PREFIX. */
  readonly fallback?: AdmissionController;
  /** A replica that has not refreshed its presence for this long is presumed dead and its waiters are dropped. */
  readonly replicaTtlMs: number;
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Default: timers that do not keep the process alive, since waiting requests and leases must not; the server does. */
  readonly timers?: Timers;
  readonly onEvent?: (event: AdmissionEvent) => void;
  readonly replicaId?: string;
}

/** Lease ids handed out by the local fallback; release and renew route on it. */
export const LOCAL_LEASE_PREFIX = 'local-';

/** Hint sent with UNAVAILABLE while failing closed. */
const OUTAGE_RETRY_AFTER_MS = 1_000;
/** Ids per LEAVE call when purging after an outage, so one script never runs long. */
const PURGE_CHUNK = 200;

interface PoolState {
  readonly name: string;
  readonly key: string;
  readonly limits: ResolvedPoolLimits;
  readonly settings: string;
  readonly waiters: Map<string, Waiter>;
  expiryTimer?: TimerHandle;
  registered: boolean;
}

interface Waiter {
  readonly id: string;
  readonly pool: PoolState;
  readonly request: AcquireRequest;
  readonly tenant: string;
  readonly priority: Priority;
  readonly requestId: string;
  readonly deadlineMs: number | undefined;
  readonly enqueuedAtMs: number;
  readonly resolve: (grant: Grant) => void;
  readonly reject: (error: Error) => void;
  /** The enqueue script answered "queued": the waiter is Redis's to grant from now on. */
  queued: boolean;
  /** Consecutive ticks that found no trace of this waiter in Redis. */
  missing: number;
  settled: boolean;
  deadlineTimer?: TimerHandle;
  detachAbort?: () => void;
}

/**
 * Priority admission shared by every queue replica through Redis (ADR 0010).
 *
 * Redis holds the truth: leases, waiters in order, counters. This replica holds the callers: each Acquire call
 * it serves is a local Waiter whose record sits in Redis. Whoever frees a slot (a release on any replica, a
 * lapse, a cancel) runs the grant inside the same script and PUBLISHes the result to the waiter's replica,
 * which answers the call. Nothing polls: a per-pool timer fires at the earliest lease expiry, and a heartbeat
 * (replicaTtlMs / 5) refreshes presence and double-checks this replica's waiters in case a message was lost.
 */
export class RedisAdmissionController implements AdmissionController {
  readonly replicaId: string;
  private readonly link: RedisLink;
  private readonly scripts: AdmissionScripts;
  private readonly config: AdmissionConfig;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly pools = new Map<string, PoolState>();
  /** Waiters this replica gave up on while Redis was unreachable; their records are removed on reconnect. */
  private readonly orphans = new Map<string, Set<string>>();
  private heartbeat?: ReturnType<typeof setInterval>;
  private closed = false;
  private outage = { since: 0, refused: 0, fallback: 0 };

  constructor(private readonly options: RedisAdmissionOptions) {
    validateAdmissionConfig(options.config);
    if (options.failureMode === 'local' && !options.fallback) throw new Error('failure mode "local" needs a fallback controller');
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? unrefTimers;
    this.replicaId = options.replicaId ?? randomUUID();
    this.link = new RedisLink({
      url: options.url,
      channel: channelPrefix(options.keyPrefix) + this.replicaId,
      commandTimeoutMs: options.commandTimeoutMs,
      connectionName: `switchyard-queue:${this.replicaId}`,
      logger: options.logger,
      onMessage: (message) => this.onNotification(message),
      onDown: (reason) => this.onDown(reason),
      onUp: () => this.onUp(),
    });
    this.scripts = new AdmissionScripts(this.link.command, (command) => this.link.timed(command));
  }

  /** Connects and starts the heartbeat; resolves once Redis answers, or after `waitMs` (admission then follows the failure mode). */
  async start(waitMs = 5_000): Promise<boolean> {
    const heartbeatMs = Math.max(50, Math.floor(this.options.replicaTtlMs / 5));
    this.heartbeat = setInterval(() => this.tickAll(), heartbeatMs);
    this.heartbeat.unref();
    const up = await this.link.start(waitMs);
    if (!up) {
      this.options.logger.error(
        { failureMode: this.options.failureMode },
        `queue: Redis is unreachable at start-up; admission ${this.modeSentence()} until it answers`,
      );
      this.outage = { since: this.clock.now(), refused: 0, fallback: 0 };
    }
    return up;
  }

  get connected(): boolean {
    return this.link.up;
  }

  async acquire(request: AcquireRequest): Promise<Grant> {
    const valid = validateAcquire(request);
    if (this.closed) throw new Unavailable('admission queue is shutting down; retry on another replica');
    if (!this.link.up) return this.acquireDuringOutage(request);
    const pool = this.poolFor(valid.pool);
    const now = this.clock.now();
    const subject = { pool: pool.name, tenant: valid.tenant, priority: valid.priority, requestId: valid.requestId };
    if (valid.deadlineMs !== undefined && now >= valid.deadlineMs) {
      this.countOnly(pool, 'expired');
      this.emit('expired', subject, 0);
      throw new DeadlineExpired(`deadline already passed on arrival at pool "${pool.name}"`);
    }
    if (request.signal?.aborted) {
      this.countOnly(pool, 'cancelled');
      this.emit('cancelled', subject, 0);
      throw new Cancelled(`request cancelled before admission to pool "${pool.name}"`);
    }
    this.register(pool);
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = {
        id: randomUUID(),
        pool,
        request,
        tenant: valid.tenant,
        priority: valid.priority,
        requestId: valid.requestId,
        deadlineMs: valid.deadlineMs,
        enqueuedAtMs: now,
        resolve,
        reject,
        queued: false,
        missing: 0,
        settled: false,
      };
      // Registered before the script runs: another replica's grant can be published before our reply arrives.
      pool.waiters.set(waiter.id, waiter);
      this.armDeadline(waiter);
      if (request.signal) {
        // A transport aborts the call when its deadline passes, often a moment before our own timer: that is expiry.
        const onAbort = () =>
          this.leaveEarly(waiter, waiter.deadlineMs !== undefined && this.clock.now() >= waiter.deadlineMs ? 'expired' : 'cancelled');
        request.signal.addEventListener('abort', onAbort, { once: true });
        waiter.detachAbort = () => request.signal?.removeEventListener('abort', onAbort);
      }
      const deadline = valid.deadlineMs ?? 0;
      this.scripts
        .enqueue(pool.key, pool.settings, { id: waiter.id, tenant: waiter.tenant, priority: waiter.priority, deadlineMs: deadline, requestId: waiter.requestId })
        .then(
          (reply) => {
            this.afterReply(pool, reply);
            this.onEnqueued(waiter, reply.result);
          },
          (err: unknown) => this.onWaiterCommandFailed(waiter, err),
        );
    });
  }

  async release(pool: string, leaseId: string): Promise<boolean> {
    const name = checkPoolName(pool);
    const id = checkLeaseId(leaseId);
    if (id.startsWith(LOCAL_LEASE_PREFIX)) return this.options.fallback?.release(name, id) ?? false;
    const state = this.poolFor(name);
    const reply = await this.command(() => this.scripts.release(state.key, state.settings, id));
    this.afterReply(state, reply);
    const lease = reply.result;
    if (!lease) return false;
    this.emit('released', { pool: name, tenant: lease.tenant, priority: lease.priority, requestId: lease.requestId }, lease.waitMs, { holdMs: lease.holdMs });
    return true;
  }

  async renew(pool: string, leaseId: string): Promise<boolean> {
    const name = checkPoolName(pool);
    const id = checkLeaseId(leaseId);
    if (id.startsWith(LOCAL_LEASE_PREFIX)) return this.options.fallback?.renew(name, id) ?? false;
    const state = this.poolFor(name);
    const reply = await this.command(() => this.scripts.renew(state.key, state.settings, id));
    this.afterReply(state, reply);
    return reply.result;
  }

  async stats(pool?: string): Promise<PoolStats[]> {
    if (!this.link.up) {
      if (this.options.fallback) return this.options.fallback.stats(pool);
      throw this.unavailable();
    }
    const names =
      pool === undefined
        ? (await this.command(() => this.link.timed(this.link.command.smembers(poolsKey(this.options.keyPrefix))))).sort()
        : [checkPoolName(pool)];
    return Promise.all(names.map((name) => this.poolStats(name)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const leaving: Promise<unknown>[] = [];
    for (const pool of this.pools.values()) {
      this.clearTimer(pool.expiryTimer);
      const ids = [...pool.waiters.keys()];
      for (const waiter of [...pool.waiters.values()]) {
        this.settle(waiter);
        waiter.reject(new Unavailable('admission queue is shutting down; retry on another replica'));
      }
      // Best effort: take our waiters out now rather than after our presence expires, and withdraw the presence.
      if (this.link.up && ids.length > 0) leaving.push(this.scripts.leave(pool.key, pool.settings, 'cancelled', ids).catch(() => undefined));
      if (this.link.up) leaving.push(this.link.command.zrem(`${pool.key}:replicas`, this.replicaId).catch(() => undefined));
    }
    await Promise.all(leaving);
    await this.options.fallback?.close();
    await this.link.close();
  }

  // ---- waiting -------------------------------------------------------------------------------------------

  private onEnqueued(waiter: Waiter, result: { k: string; retry?: number }): void {
    // A waiter that left while the script ran is taken out (or its grant taken back) by the LEAVE queued after it.
    if (waiter.settled) return;
    switch (result.k) {
      case 'granted':
        this.settle(waiter);
        this.emit('granted', waiter, 0);
        waiter.resolve({ leaseId: waiter.id, queueWaitMs: 0, leaseTtlMs: waiter.pool.limits.leaseTtlMs });
        return;
      case 'queued':
        waiter.queued = true;
        return;
      case 'rejected': {
        const retryAfterMs = result.retry ?? 0;
        this.settle(waiter);
        this.emit('rejected', waiter, 0, { retryAfterMs });
        waiter.reject(
          new ResourceExhausted(`queue of pool "${waiter.pool.name}" is full; retry after ${retryAfterMs} ms`, retryAfterMs),
        );
        return;
      }
    }
  }

  /** A wake-up from whichever replica decided this waiter's fate: [pool, waiterId, kind, arg]. */
  private onNotification(message: string): void {
    let pool: string, id: string, kind: string, arg: number;
    try {
      [pool, id, kind, arg] = JSON.parse(message) as [string, string, string, number];
    } catch {
      this.options.logger.warn('queue: ignored a malformed notification');
      return;
    }
    const waiter = this.pools.get(pool)?.waiters.get(id);
    if (!waiter || waiter.settled) return;
    if (kind === 'g') this.deliverGrant(waiter);
    else if (kind === 's') this.shed(waiter, Number(arg));
    else if (kind === 'x') this.expire(waiter);
  }

  private deliverGrant(waiter: Waiter): void {
    const now = this.clock.now();
    // Redis granted it before the deadline by its clock; ours set the deadline, so ours has the last word.
    if (waiter.deadlineMs !== undefined && now >= waiter.deadlineMs) {
      this.leaveEarly(waiter, 'expired');
      return;
    }
    this.settle(waiter);
    const waitMs = Math.max(0, now - waiter.enqueuedAtMs);
    this.emit('granted', waiter, waitMs);
    waiter.resolve({ leaseId: waiter.id, queueWaitMs: waitMs, leaseTtlMs: waiter.pool.limits.leaseTtlMs });
  }

  private shed(waiter: Waiter, retryAfterMs: number): void {
    this.settle(waiter);
    this.emit('shed', waiter, this.clock.now() - waiter.enqueuedAtMs, { retryAfterMs });
    waiter.reject(
      new ResourceExhausted(`shed from pool "${waiter.pool.name}" to admit more urgent work; retry after ${retryAfterMs} ms`, retryAfterMs),
    );
  }

  private expire(waiter: Waiter): void {
    this.settle(waiter);
    const waitMs = this.clock.now() - waiter.enqueuedAtMs;
    this.emit('expired', waiter, waitMs);
    waiter.reject(new DeadlineExpired(`deadline passed after ${waitMs} ms waiting in pool "${waiter.pool.name}"`));
  }

  /** The caller left (cancel) or its deadline passed here: answer at once, then tell Redis. */
  private leaveEarly(waiter: Waiter, reason: 'cancelled' | 'expired'): void {
    if (waiter.settled) return;
    if (reason === 'expired') this.expire(waiter);
    else {
      this.settle(waiter);
      this.emit('cancelled', waiter, this.clock.now() - waiter.enqueuedAtMs);
      waiter.reject(new Cancelled(`request cancelled while waiting in pool "${waiter.pool.name}"`));
    }
    const { pool } = waiter;
    if (!this.link.up) {
      this.orphan(pool, waiter.id);
      return;
    }
    this.scripts.leave(pool.key, pool.settings, reason, [waiter.id]).then(
      (reply) => this.afterReply(pool, reply),
      (err: unknown) => {
        this.orphan(pool, waiter.id);
        if (!this.link.isOutage(err)) this.options.logger.error({ err: describe(err) }, 'queue: leave script failed');
      },
    );
  }

  private armDeadline(waiter: Waiter): void {
    if (waiter.deadlineMs === undefined) return;
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(1, waiter.deadlineMs - this.clock.now()));
    waiter.deadlineTimer = this.timers.setTimeout(() => {
      if (waiter.settled) return;
      if (this.clock.now() < (waiter.deadlineMs as number)) this.armDeadline(waiter);
      else this.leaveEarly(waiter, 'expired');
    }, delay);
  }

  private settle(waiter: Waiter): void {
    waiter.settled = true;
    waiter.pool.waiters.delete(waiter.id);
    this.clearTimer(waiter.deadlineTimer);
    waiter.detachAbort?.();
    if (waiter.pool.waiters.size === 0) {
      this.clearTimer(waiter.pool.expiryTimer);
      waiter.pool.expiryTimer = undefined;
    }
  }

  private onWaiterCommandFailed(waiter: Waiter, err: unknown): void {
    // The script may or may not have run: remember the id so a reconnect removes whatever it left behind.
    this.orphan(waiter.pool, waiter.id);
    const outage = this.link.isOutage(err);
    if (!outage) this.options.logger.error({ err: describe(err) }, 'queue: enqueue script failed');
    if (waiter.settled) return;
    if (outage && this.options.fallback) {
      this.handOver(waiter);
      return;
    }
    this.settle(waiter);
    waiter.reject(outage ? this.unavailable() : new Error('admission script failed'));
  }

  // ---- timers and heartbeat ------------------------------------------------------------------------------

  /** After any script on a pool: emit lapses, and if we have waiters there, wake at the next lease expiry. */
  private afterReply(pool: PoolState, reply: ScriptReply<unknown>): void {
    for (const lease of reply.lapsed) this.emitLapsed(pool, lease);
    if (pool.waiters.size === 0 || reply.nextExpiryMs <= 0 || this.closed) return;
    this.clearTimer(pool.expiryTimer);
    // Redis time on both sides of the subtraction: local clock skew does not matter.
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(1, reply.nextExpiryMs - reply.nowMs + 1));
    pool.expiryTimer = this.timers.setTimeout(() => {
      pool.expiryTimer = undefined;
      this.tick(pool);
    }, delay);
  }

  private tickAll(): void {
    if (!this.link.up || this.closed) return;
    for (const pool of this.pools.values()) if (pool.waiters.size > 0) this.tick(pool);
  }

  private tick(pool: PoolState): void {
    if (!this.link.up || this.closed) return;
    const waiters = [...pool.waiters.values()].filter((w) => w.queued && !w.settled);
    this.scripts.tick(pool.key, pool.settings, waiters.map((w) => w.id)).then(
      (reply) => {
        this.afterReply(pool, reply);
        reply.result.forEach((status, i) => {
          const waiter = waiters[i] as Waiter;
          if (waiter.settled) return;
          if (status.state === 'granted') this.deliverGrant(waiter);
          else if (status.state === 'waiting') waiter.missing = 0;
          // Gone without a word: a wake-up may still be in flight, so only the second miss in a row counts.
          else if (++waiter.missing >= 2) {
            this.settle(waiter);
            waiter.reject(new Unavailable(`lost its place in pool "${pool.name}" (replica presumed dead); retry`, 0));
          }
        });
      },
      (err: unknown) => {
        if (!this.link.isOutage(err)) this.options.logger.error({ err: describe(err) }, 'queue: tick script failed');
      },
    );
  }

  // ---- outage ---------------------------------------------------------------------------------------------

  private onDown(reason: string): void {
    this.outage = { since: this.clock.now(), refused: 0, fallback: 0 };
    let waiting = 0;
    for (const pool of this.pools.values()) {
      this.clearTimer(pool.expiryTimer);
      pool.expiryTimer = undefined;
      for (const waiter of [...pool.waiters.values()]) {
        waiting++;
        this.orphan(pool, waiter.id);
        if (this.options.fallback) this.handOver(waiter);
        else {
          this.settle(waiter);
          waiter.reject(this.unavailable());
        }
      }
    }
    this.options.logger.error(
      { reason, failureMode: this.options.failureMode, waitersAffected: waiting },
      `queue: REDIS UNREACHABLE (${reason}); admission ${this.modeSentence()} until it answers`,
    );
  }

  /** Back online: remove what we left behind in Redis before taking new work there. */
  private async onUp(): Promise<void> {
    for (const [poolName, ids] of this.orphans) {
      const pool = this.poolFor(poolName);
      const all = [...ids];
      for (let i = 0; i < all.length; i += PURGE_CHUNK) {
        await this.scripts.leave(pool.key, pool.settings, 'cancelled', all.slice(i, i + PURGE_CHUNK));
      }
      this.orphans.delete(poolName);
    }
    for (const pool of this.pools.values()) pool.registered = false;
    if (this.outage.since > 0) {
      this.options.logger.warn(
        { outageMs: this.clock.now() - this.outage.since, refused: this.outage.refused, admittedLocally: this.outage.fallback },
        'queue: Redis reachable again; admission is fleet-wide again',
      );
      this.outage = { since: 0, refused: 0, fallback: 0 };
    }
  }

  private acquireDuringOutage(request: AcquireRequest): Promise<Grant> {
    if (this.options.fallback) {
      this.outage.fallback++;
      return this.options.fallback.acquire(request);
    }
    this.outage.refused++;
    return Promise.reject(this.unavailable());
  }

  /** Moves a waiter into the local fallback, keeping its deadline, its cancellation and the time it already waited. */
  private handOver(waiter: Waiter): void {
    const fallback = this.options.fallback as AdmissionController;
    this.settle(waiter);
    this.outage.fallback++;
    const waitedMs = this.clock.now() - waiter.enqueuedAtMs;
    fallback.acquire(waiter.request).then(
      (grant) => waiter.resolve({ ...grant, queueWaitMs: grant.queueWaitMs + waitedMs }),
      (err: unknown) => waiter.reject(err as Error),
    );
  }

  private orphan(pool: PoolState, id: string): void {
    let ids = this.orphans.get(pool.name);
    if (!ids) this.orphans.set(pool.name, (ids = new Set()));
    ids.add(id);
  }

  private unavailable(): Unavailable {
    return new Unavailable(
      'admission store (Redis) is unreachable and the queue fails closed (QUEUE_REDIS_FAILURE_MODE=fail-closed); retry shortly',
      OUTAGE_RETRY_AFTER_MS,
    );
  }

  private modeSentence(): string {
    return this.options.failureMode === 'local'
      ? 'falls back to per-replica limits (QUEUE_REDIS_FAILURE_MODE=local)'
      : 'is refused with UNAVAILABLE (QUEUE_REDIS_FAILURE_MODE=fail-closed)';
  }

  /** Runs a command whose failure the caller should see as UNAVAILABLE (or, for a bug, as an internal error). */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    if (!this.link.up) throw this.unavailable();
    try {
      return await run();
    } catch (err) {
      if (this.link.isOutage(err)) throw this.unavailable();
      throw err;
    }
  }

  // ---- pools, stats, events -----------------------------------------------------------------------------

  private poolFor(name: string): PoolState {
    let pool = this.pools.get(name);
    if (!pool) {
      const limits = resolvePoolLimits(this.config, name);
      pool = {
        name,
        key: poolKey(this.options.keyPrefix, name),
        limits,
        settings: AdmissionScripts.settingsArg({
          pool: name,
          limits,
          retryHint: resolveRetryHint(this.config),
          replicaId: this.replicaId,
          replicaTtlMs: this.options.replicaTtlMs,
          channelPrefix: channelPrefix(this.options.keyPrefix),
        }),
        waiters: new Map(),
        registered: false,
      };
      this.pools.set(name, pool);
    }
    return pool;
  }

  /** Adds the pool to the set Stats lists (a separate key: it lives outside the pool's hash slot). */
  private register(pool: PoolState): void {
    if (pool.registered) return;
    pool.registered = true;
    this.link.command.sadd(poolsKey(this.options.keyPrefix), pool.name).catch(() => {
      pool.registered = false;
    });
  }

  private countOnly(pool: PoolState, field: 'expired' | 'cancelled'): void {
    this.link.command.hincrby(`${pool.key}:counters`, field, 1).catch(() => undefined);
  }

  private async poolStats(name: string): Promise<PoolStats> {
    const pool = this.poolFor(name);
    const reply = await this.command(() => this.scripts.stats(pool.key, pool.settings));
    this.afterReply(pool, reply);
    const s = reply.result;
    const c = (field: string) => s.counters[field] ?? 0;
    return {
      pool: name,
      backend: 'redis',
      replicas: s.replicas,
      activeLeases: s.active,
      maxConcurrent: pool.limits.maxConcurrent,
      maxQueueSize: pool.limits.maxQueueSize,
      leaseTtlMs: pool.limits.leaseTtlMs,
      minSharePercent: pool.limits.minSharePercent,
      waiting: s.waiting,
      depthByPriority: PRIORITIES.map((priority) => ({ priority, depth: s.depth[priority - 1] ?? 0 })),
      depthByTenant: [...s.tenants]
        .map(([tenant, depth]) => ({ tenant, depth }))
        .sort((a, b) => b.depth - a.depth || (a.tenant < b.tenant ? -1 : 1)),
      oldestWaitMs: s.oldestWaitMs,
      averageHoldMs: Math.round(s.averageHoldMs),
      counters: {
        granted: c('granted'),
        released: c('released'),
        shed: c('shed'),
        rejected: c('rejected'),
        expired: c('expired'),
        cancelled: c('cancelled'),
        lapsed: c('lapsed'),
      },
    };
  }

  private emitLapsed(pool: PoolState, lease: LapsedLease): void {
    this.emit('lapsed', { pool: pool.name, tenant: lease.tenant, priority: lease.priority, requestId: lease.requestId }, lease.waitMs, {
      holdMs: lease.holdMs,
    });
  }

  private emit(
    type: AdmissionEventType,
    subject: { pool: PoolState | string; tenant: string; priority: Priority; requestId: string },
    waitMs: number,
    extra: { holdMs?: number; retryAfterMs?: number } = {},
  ): void {
    if (!this.options.onEvent) return;
    const pool = typeof subject.pool === 'string' ? subject.pool : subject.pool.name;
    try {
      this.options.onEvent({ type, pool, tenant: subject.tenant, priority: subject.priority, requestId: subject.requestId, waitMs, ...extra });
    } catch {
      // Metrics must never break admission.
    }
  }

  private clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.clearTimeout(handle);
  }
}
