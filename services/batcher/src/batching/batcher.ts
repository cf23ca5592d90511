import type { Clock, Timers } from '@switchyard/service-kit/clock';
import { Cancelled, DeadlineExpired, InvalidArgument, Unavailable } from '@switchyard/service-kit/errors';
import type { BatchKey } from './batch-key';
import { validateBatcherOptions, type BatcherOptions } from './batcher-options';
import type { ItemOutcome } from './item-outcome';

/** Priorities as in switchyard.gateway.v1.Priority; the server maps UNSPECIFIED (0) to NORMAL before submitting. */
export const PRIORITY_CRITICAL = 1;
export const PRIORITY_BULK = 5;

/** Why a batch left: it was full, its wait ran out, a CRITICAL or deadline-tight item joined, or close(). */
export type FlushReason = 'full' | 'wait' | 'critical' | 'deadline' | 'close';

export interface BatchEvent {
  key: BatchKey;
  /** Items dispatched together. */
  size: number;
  /** How long the oldest item of the batch waited. */
  waitMs: number;
  reason: FlushReason;
}

export interface SubmitOptions {
  /** 1 CRITICAL .. 5 BULK. */
  priority: number;
  /** Absolute deadline, ms since the epoch (same clock as the batcher's). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface BatchedResult<Result> {
  value: Result;
  batchSize: number;
  batchWaitMs: number;
}

/**
 * Sends one batch upstream and returns one outcome per item, in the order of `items`. A rejected
 * promise (or a throw) fails every item of the batch with that error.
 */
export type DispatchBatch<Item, Result> = (key: BatchKey, items: Item[]) => Promise<ItemOutcome<Result>[]>;

export interface BatcherDeps<Item, Result> {
  clock: Clock;
  timers: Timers;
  dispatch: DispatchBatch<Item, Result>;
  /** Weight of an item against options.maxBatchWeight (e.g. its number of embedding inputs). Default 1. */
  weigh?: (item: Item) => number;
  /** Runs a callback at the end of the current event-loop turn (maxWaitMs 0). Default: setImmediate. */
  nextTurn?: (callback: () => void) => void;
  /** Called as each batch is dispatched; the server turns it into metrics. Must not throw. */
  onBatch?: (event: BatchEvent) => void;
}

export interface BatcherStats {
  pendingBatches: number;
  pendingItems: number;
  inFlightBatches: number;
  batchesDispatched: number;
  itemsDispatched: number;
  /** Sizes of the most recent batches, oldest first (at most RECENT_BATCH_SIZES). */
  recentBatchSizes: number[];
  flushes: Record<FlushReason, number>;
}

const RECENT_BATCH_SIZES = 100;

interface PendingBatch<Item, Result> {
  readonly key: BatchKey;
  readonly firstAt: number;
  waiters: Waiter<Item, Result>[];
  weight: number;
  timer: unknown;
  /** Set when the batch leaves at the end of this event-loop turn (maxWaitMs 0). */
  leavesThisTurn?: boolean;
  /** When the batch must leave: maxWaitMs after its first item, earlier if a member's deadline needs it. */
  dueAt: number;
}

interface Waiter<Item, Result> {
  readonly item: Item;
  readonly enqueuedAt: number;
  readonly deadlineMs: number | undefined;
  readonly weight: number;
  readonly resolve: (result: BatchedResult<Result>) => void;
  readonly reject: (error: Error) => void;
  /** The batch it waits in; undefined once dispatched. */
  batch: PendingBatch<Item, Result> | undefined;
  settled: boolean;
  detach: () => void;
}

/**
 * Collects items with the same key into batches and hands each batch to `dispatch` once it is full, or at
 * its due time: maxWaitMs after its first item, or earlier when a member's deadline would otherwise be left
 * with less than minSlackMs (so no item waits beyond the slack its deadline leaves). An item with no slack
 * at all flushes its batch at once.
 *
 * A CRITICAL item flushes the pending batch of its key at once, taking along the items already waiting:
 * they only leave earlier than planned, and one upstream call costs the CRITICAL item no more than a
 * lone one would, while dispatching it alone would spend an extra upstream call.
 */
export class Batcher<Item, Result> {
  private readonly options: Required<BatcherOptions>;
  private readonly pending = new Map<BatchKey, PendingBatch<Item, Result>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recentSizes: number[] = [];
  private readonly flushes: Record<FlushReason, number> = { full: 0, wait: 0, critical: 0, deadline: 0, close: 0 };
  private batchesDispatched = 0;
  private itemsDispatched = 0;
  private closing: Promise<void> | undefined;

  constructor(
    options: BatcherOptions,
    private readonly deps: BatcherDeps<Item, Result>,
  ) {
    this.options = validateBatcherOptions(options);
  }

  submit(key: BatchKey, item: Item, opts: SubmitOptions): Promise<BatchedResult<Result>> {
    if (this.closing) return Promise.reject(new Unavailable('batcher is shutting down; retry on another replica'));
    let weight: number;
    try {
      validateSubmit(key, opts);
      weight = this.deps.weigh ? this.deps.weigh(item) : 1;
      if (!Number.isFinite(weight) || weight < 0) throw new InvalidArgument('item', 'has no valid batch weight');
    } catch (err) {
      return Promise.reject(err);
    }
    const now = this.deps.clock.now();
    if (opts.deadlineMs !== undefined && opts.deadlineMs <= now) {
      return Promise.reject(new DeadlineExpired('deadline passed before the request could join a batch'));
    }
    if (opts.signal?.aborted) return Promise.reject(new Cancelled('request cancelled before it joined a batch'));

    return new Promise<BatchedResult<Result>>((resolve, reject) => {
      const waiter: Waiter<Item, Result> = {
        item,
        enqueuedAt: now,
        deadlineMs: opts.deadlineMs,
        weight,
        resolve,
        reject,
        batch: undefined,
        settled: false,
        detach: () => undefined,
      };
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => this.cancel(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.enqueue(key, waiter, opts.priority, now);
    });
  }

  stats(): BatcherStats {
    let pendingItems = 0;
    for (const batch of this.pending.values()) pendingItems += batch.waiters.length;
    return {
      pendingBatches: this.pending.size,
      pendingItems,
      inFlightBatches: this.inFlight.size,
      batchesDispatched: this.batchesDispatched,
      itemsDispatched: this.itemsDispatched,
      recentBatchSizes: [...this.recentSizes],
      flushes: { ...this.flushes },
    };
  }

  /**
   * Dispatches every pending batch now and refuses new submits with Unavailable. The promise settles when
   * every batch in flight has settled, so a graceful shutdown can await it before exiting.
   */
  close(): Promise<void> {
    if (!this.closing) {
      for (const batch of [...this.pending.values()]) this.flush(batch, 'close');
      this.closing = Promise.allSettled([...this.inFlight]).then(() => undefined);
    }
    return this.closing;
  }

  private enqueue(key: BatchKey, waiter: Waiter<Item, Result>, priority: number, now: number): void {
    const { maxBatchWeight, maxBatchSize, maxWaitMs } = this.options;
    let batch = this.pending.get(key);
    // An item that would push the batch over its weight cap starts the next batch instead.
    if (batch && batch.weight + waiter.weight > maxBatchWeight) {
      this.flush(batch, 'full', now);
      batch = undefined;
    }
    if (!batch) {
      batch = { key, firstAt: now, waiters: [], weight: 0, timer: undefined, dueAt: now + maxWaitMs };
      this.pending.set(key, batch);
    }
    batch.waiters.push(waiter);
    batch.weight += waiter.weight;
    waiter.batch = batch;

    if (batch.waiters.length >= maxBatchSize || batch.weight >= maxBatchWeight) return this.flush(batch, 'full', now);
    if (priority === PRIORITY_CRITICAL) return this.flush(batch, 'critical', now);
    const latestForMember = waiter.deadlineMs === undefined ? Infinity : waiter.deadlineMs - this.options.minSlackMs;
    if (latestForMember <= now) return this.flush(batch, 'deadline', now);
    if (batch.dueAt <= now) return this.leaveThisTurn(batch);
    if (latestForMember < batch.dueAt || batch.timer === undefined) this.schedule(batch, Math.min(batch.dueAt, latestForMember), now);
  }

  /**
   * maxWaitMs 0: the batch leaves at the end of the current event-loop turn. A zero-delay timer would add about
   * 1 ms to every request; flushing at once would send requests that arrived together one by one. At the end of
   * the turn an idle batcher adds no wait, and a busy one (longer turns) still groups what arrived together.
   */
  private leaveThisTurn(batch: PendingBatch<Item, Result>): void {
    if (batch.leavesThisTurn) return;
    batch.leavesThisTurn = true;
    const nextTurn = this.deps.nextTurn ?? ((callback) => setImmediate(callback));
    nextTurn(() => {
      if (this.pending.get(batch.key) === batch) this.flush(batch, 'wait');
    });
  }

  /** (Re)arms the batch's one timer for `dueAt`; the flush reason says whether a deadline pulled it forward. */
  private schedule(batch: PendingBatch<Item, Result>, dueAt: number, now: number): void {
    if (batch.timer !== undefined) this.deps.timers.clearTimeout(batch.timer);
    const byDeadline = dueAt < batch.firstAt + this.options.maxWaitMs;
    batch.dueAt = dueAt;
    batch.timer = this.deps.timers.setTimeout(() => this.flush(batch, byDeadline ? 'deadline' : 'wait'), dueAt - now);
  }

  /**
   * `now` is passed by the flushes that happen while an item is enqueued, so that item's wait is exactly 0 even when
   * the clock ticks between its arrival and its dispatch.
   */
  private flush(batch: PendingBatch<Item, Result>, reason: FlushReason, now = this.deps.clock.now()): void {
    if (this.pending.get(batch.key) === batch) this.pending.delete(batch.key);
    if (batch.timer !== undefined) {
      this.deps.timers.clearTimeout(batch.timer);
      batch.timer = undefined;
    }
    const live: Waiter<Item, Result>[] = [];
    for (const waiter of batch.waiters) {
      waiter.batch = undefined;
      // A late timer must not send an expired request upstream.
      if (waiter.deadlineMs !== undefined && waiter.deadlineMs <= now) {
        settle(waiter, () => waiter.reject(new DeadlineExpired('deadline passed while the request waited for its batch')));
      } else {
        live.push(waiter);
      }
    }
    batch.waiters = [];
    if (live.length === 0) return;

    this.batchesDispatched += 1;
    this.itemsDispatched += live.length;
    this.flushes[reason] += 1;
    this.recentSizes.push(live.length);
    if (this.recentSizes.length > RECENT_BATCH_SIZES) this.recentSizes.shift();
    this.notify({ key: batch.key, size: live.length, waitMs: now - live[0]!.enqueuedAt, reason });

    const run: Promise<void> = this.run(batch.key, live, now).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async run(key: BatchKey, waiters: Waiter<Item, Result>[], dispatchedAt: number): Promise<void> {
    let outcomes: ItemOutcome<Result>[];
    try {
      outcomes = await this.deps.dispatch(key, waiters.map((w) => w.item));
    } catch (err) {
      const error = asError(err);
      for (const waiter of waiters) settle(waiter, () => waiter.reject(error));
      return;
    }
    if (!Array.isArray(outcomes) || outcomes.length !== waiters.length) {
      const count = Array.isArray(outcomes) ? outcomes.length : 'no';
      const error = new Error(`dispatch returned ${count} outcomes for a batch of ${waiters.length} items`);
      for (const waiter of waiters) settle(waiter, () => waiter.reject(error));
      return;
    }
    waiters.forEach((waiter, i) => {
      const outcome = outcomes[i]!;
      settle(waiter, () =>
        outcome.ok
          ? waiter.resolve({ value: outcome.value, batchSize: waiters.length, batchWaitMs: dispatchedAt - waiter.enqueuedAt })
          : waiter.reject(asError(outcome.error)),
      );
    });
  }

  /** Before dispatch the item leaves its batch; after, the caller is answered now and the result dropped. */
  private cancel(waiter: Waiter<Item, Result>): void {
    if (waiter.settled) return;
    const batch = waiter.batch;
    if (batch) {
      batch.waiters = batch.waiters.filter((w) => w !== waiter);
      batch.weight -= waiter.weight;
      waiter.batch = undefined;
      if (batch.waiters.length === 0) {
        if (batch.timer !== undefined) this.deps.timers.clearTimeout(batch.timer);
        batch.timer = undefined;
        if (this.pending.get(batch.key) === batch) this.pending.delete(batch.key);
      }
    }
    settle(waiter, () => waiter.reject(new Cancelled(batch ? 'request cancelled while waiting for its batch' : 'request cancelled while its batch was in flight')));
  }

  private notify(event: BatchEvent): void {
    try {
      this.deps.onBatch?.(event);
    } catch {
      // Observability must never fail the requests it observes.
    }
  }
}

function validateSubmit(key: BatchKey, opts: SubmitOptions): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgument('key', 'must be a non-empty batch key');
  if (!Number.isInteger(opts.priority) || opts.priority < PRIORITY_CRITICAL || opts.priority > PRIORITY_BULK) {
    throw new InvalidArgument('priority', 'must be an integer from 1 (CRITICAL) to 5 (BULK)');
  }
  if (opts.deadlineMs !== undefined && !Number.isFinite(opts.deadlineMs)) {
    throw new InvalidArgument('deadlineMs', 'must be a finite number of ms since the epoch');
  }
}

function settle<Item, Result>(waiter: Waiter<Item, Result>, answer: () => void): void {
  if (waiter.settled) return;
  waiter.settled = true;
  waiter.detach();
  answer();
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(`dispatch failed: ${String(err)}`);
}
