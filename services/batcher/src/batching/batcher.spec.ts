import { systemClock, systemTimers, type Clock, type Timers } from '@switchyard/service-kit/clock';
import { Cancelled, DeadlineExpired, InvalidArgument, Unavailable } from '@switchyard/service-kit/errors';
import { batchKey } from './batch-key';
import { Batcher, type BatchEvent, type DispatchBatch } from './batcher';
import type { BatcherOptions } from './batcher-options';
import { failed, succeeded, type ItemOutcome } from './item-outcome';

const START = Date.UTC(2025, 0, 1);
const EMB = batchKey({ kind: 'embedding', model: 'text-embedding-3-small', userRegion: 'eu-west' });
const CHAT = batchKey({ kind: 'completion', model: 'gpt-4o-mini', userRegion: 'eu-west' });
const NORMAL = { priority: 3 };

interface Dispatched {
  key: string;
  items: string[];
  at: number;
}

function setup(options: Partial<BatcherOptions> = {}, dispatchImpl?: DispatchBatch<string, string>) {
  const dispatched: Dispatched[] = [];
  const events: BatchEvent[] = [];
  const dispatch = jest.fn<Promise<ItemOutcome<string>[]>, [string, string[]]>(async (key, items) => {
    dispatched.push({ key, items: [...items], at: Date.now() });
    return dispatchImpl ? dispatchImpl(key, items) : items.map((item) => succeeded(`done:${item}`));
  });
  const batcher = new Batcher<string, string>(
    { maxBatchSize: 4, maxWaitMs: 100, minSlackMs: 50, ...options },
    { clock: systemClock, timers: systemTimers, dispatch, onBatch: (e) => events.push(e) },
  );
  return { batcher, dispatch, dispatched, events };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A clock and timers moved by hand, so a test can let time pass without the timer firing. */
function manualTime(start: number) {
  let now = start;
  const scheduled = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const clock: Clock = { now: () => now };
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      scheduled.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void scheduled.delete(id as number),
  };
  return {
    clock,
    timers,
    setNow: (t: number) => (now = t),
    fireAll: () => {
      for (const [id, t] of [...scheduled]) {
        scheduled.delete(id);
        t.fn();
      }
    },
    scheduledCount: () => scheduled.size,
  };
}

/** A batcher with maxWaitMs 0 whose event-loop turn ends when the test says so (`endTurn`). */
function zeroWaitBatcher(maxBatchSize = 4) {
  const time = manualTime(START);
  const turnEnd: (() => void)[] = [];
  const dispatched: string[][] = [];
  const batcher = new Batcher<string, string>(
    { maxBatchSize, maxWaitMs: 0, minSlackMs: 50 },
    {
      ...time,
      nextTurn: (callback) => void turnEnd.push(callback),
      dispatch: async (_key, items) => (dispatched.push([...items]), items.map((i) => succeeded(i))),
    },
  );
  return { batcher, dispatched, time, endTurn: () => turnEnd.splice(0).forEach((end) => end()) };
}

beforeEach(() => {
  jest.useFakeTimers();
  jest.setSystemTime(START);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('Batcher', () => {
  it('dispatches a batch as soon as it reaches maxBatchSize, without waiting', async () => {
    const { batcher, dispatched, events } = setup({ maxBatchSize: 3 });
    const results = ['a', 'b', 'c'].map((i) => batcher.submit(EMB, i, NORMAL));

    expect(dispatched).toEqual([{ key: EMB, items: ['a', 'b', 'c'], at: START }]);
    await expect(Promise.all(results)).resolves.toEqual([
      { value: 'done:a', batchSize: 3, batchWaitMs: 0 },
      { value: 'done:b', batchSize: 3, batchWaitMs: 0 },
      { value: 'done:c', batchSize: 3, batchWaitMs: 0 },
    ]);
    expect(events).toEqual([{ key: EMB, size: 3, waitMs: 0, reason: 'full' }]);
  });

  it('starts a new batch for items beyond maxBatchSize', async () => {
    const { batcher, dispatched } = setup({ maxBatchSize: 2 });
    const results = ['a', 'b', 'c'].map((i) => batcher.submit(EMB, i, NORMAL));
    expect(dispatched.map((d) => d.items)).toEqual([['a', 'b']]);

    await jest.advanceTimersByTimeAsync(100);
    expect(dispatched.map((d) => d.items)).toEqual([['a', 'b'], ['c']]);
    await expect(results[2]).resolves.toMatchObject({ batchSize: 1 });
  });

  it('dispatches a smaller batch maxWaitMs after its first item, not earlier', async () => {
    const { batcher, dispatch, dispatched, events } = setup();
    const a = batcher.submit(EMB, 'a', NORMAL);
    await jest.advanceTimersByTimeAsync(60);
    const b = batcher.submit(EMB, 'b', NORMAL);

    await jest.advanceTimersByTimeAsync(39);
    expect(dispatch).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(dispatched).toEqual([{ key: EMB, items: ['a', 'b'], at: START + 100 }]);
    await expect(a).resolves.toMatchObject({ value: 'done:a', batchSize: 2 });
    await expect(b).resolves.toMatchObject({ value: 'done:b', batchSize: 2 });
    expect(events).toEqual([{ key: EMB, size: 2, waitMs: 100, reason: 'wait' }]);
  });

  it('with maxWaitMs 0 arms no timer: what arrived in one event-loop turn leaves together at its end', () => {
    const { batcher, dispatched, endTurn, time } = zeroWaitBatcher();
    void batcher.submit(EMB, 'a', NORMAL);
    void batcher.submit(EMB, 'b', NORMAL);
    void batcher.submit(CHAT, 'c', NORMAL);
    expect(dispatched).toEqual([]);
    expect(time.scheduledCount()).toBe(0);
    endTurn();
    expect(dispatched).toEqual([['a', 'b'], ['c']]);

    void batcher.submit(EMB, 'd', NORMAL);
    endTurn();
    expect(dispatched).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('with maxWaitMs 0 still sends at once, not at the end of the turn, an item with no slack left', () => {
    const { batcher, dispatched, endTurn } = zeroWaitBatcher();
    void batcher.submit(EMB, 'roomy', NORMAL);
    void batcher.submit(EMB, 'no slack', { priority: 3, deadlineMs: START + 50 });
    expect(dispatched).toEqual([['roomy', 'no slack']]);
    endTurn();
    expect(dispatched).toEqual([['roomy', 'no slack']]);
  });

  it('with maxWaitMs 0 a batch that filled up before the turn ended is not sent twice', () => {
    const { batcher, dispatched, endTurn } = zeroWaitBatcher(2);
    ['a', 'b', 'c'].forEach((item) => void batcher.submit(EMB, item, NORMAL));
    expect(dispatched).toEqual([['a', 'b']]);
    endTurn();
    expect(dispatched).toEqual([['a', 'b'], ['c']]);
  });

  it('reports a wait of exactly 0 for an item that flushes its batch on arrival, even if the clock ticks meanwhile', async () => {
    let now = START;
    // Every reading of this clock is a millisecond later than the one before.
    const ticking = { now: () => now++ };
    const batcher = new Batcher<string, string>(
      { maxBatchSize: 4, maxWaitMs: 100, minSlackMs: 50 },
      { clock: ticking, timers: manualTime(START).timers, dispatch: async (_key, items) => items.map((i) => succeeded(i)) },
    );
    await expect(batcher.submit(EMB, 'critical', { priority: 1 })).resolves.toMatchObject({ batchWaitMs: 0 });
  });

  it('reports each item its own batch wait, measured from its own arrival', async () => {
    const { batcher } = setup();
    const a = batcher.submit(EMB, 'a', NORMAL);
    await jest.advanceTimersByTimeAsync(30);
    const b = batcher.submit(EMB, 'b', NORMAL);
    await jest.advanceTimersByTimeAsync(45);
    const c = batcher.submit(EMB, 'c', NORMAL);
    await jest.advanceTimersByTimeAsync(25);

    expect((await a).batchWaitMs).toBe(100);
    expect((await b).batchWaitMs).toBe(70);
    expect((await c).batchWaitMs).toBe(25);
  });

  it('dispatches a CRITICAL item at once, taking along the items already waiting for its key', async () => {
    const { batcher, dispatched, events } = setup();
    const bulk = batcher.submit(EMB, 'bulk', { priority: 5 });
    const other = batcher.submit(CHAT, 'other', NORMAL);
    await jest.advanceTimersByTimeAsync(20);
    const critical = batcher.submit(EMB, 'critical', { priority: 1 });

    expect(dispatched).toEqual([{ key: EMB, items: ['bulk', 'critical'], at: START + 20 }]);
    await expect(critical).resolves.toEqual({ value: 'done:critical', batchSize: 2, batchWaitMs: 0 });
    await expect(bulk).resolves.toMatchObject({ batchWaitMs: 20 });
    expect(events).toEqual([{ key: EMB, size: 2, waitMs: 20, reason: 'critical' }]);
    expect(batcher.stats()).toMatchObject({ pendingBatches: 1, pendingItems: 1 });

    await jest.advanceTimersByTimeAsync(80);
    await expect(other).resolves.toMatchObject({ batchSize: 1 });
  });

  it('dispatches a batch early when a member needs it: no later than that member\'s deadline minus minSlackMs', async () => {
    const { batcher, dispatch, dispatched, events } = setup({ maxWaitMs: 100, minSlackMs: 50 });
    const waiting = batcher.submit(EMB, 'waiting', NORMAL);
    const tight = batcher.submit(EMB, 'tight', { priority: 3, deadlineMs: START + 149 });

    await jest.advanceTimersByTimeAsync(98);
    expect(dispatch).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(dispatched).toEqual([{ key: EMB, items: ['waiting', 'tight'], at: START + 99 }]);
    await expect(tight).resolves.toMatchObject({ value: 'done:tight', batchWaitMs: 99 });
    await expect(waiting).resolves.toMatchObject({ batchSize: 2 });
    expect(events[0]?.reason).toBe('deadline');
  });

  it('dispatches at once, with no wait, an item whose deadline leaves no more than minSlackMs', async () => {
    const { batcher, dispatched, events } = setup({ maxWaitMs: 100, minSlackMs: 50 });
    const waiting = batcher.submit(EMB, 'waiting', NORMAL);
    const noSlack = batcher.submit(EMB, 'no slack', { priority: 4, deadlineMs: START + 50 });

    expect(dispatched).toEqual([{ key: EMB, items: ['waiting', 'no slack'], at: START }]);
    await expect(noSlack).resolves.toMatchObject({ batchWaitMs: 0 });
    await expect(waiting).resolves.toMatchObject({ batchSize: 2 });
    expect(events).toEqual([{ key: EMB, size: 2, waitMs: 0, reason: 'deadline' }]);
  });

  it('keeps the earlier due time when a later member has more slack', async () => {
    const { batcher, dispatched } = setup({ maxWaitMs: 100, minSlackMs: 10 });
    void batcher.submit(EMB, 'tight', { priority: 3, deadlineMs: START + 40 });
    await jest.advanceTimersByTimeAsync(5);
    void batcher.submit(EMB, 'roomy', { priority: 5, deadlineMs: START + 10_000 });
    await jest.advanceTimersByTimeAsync(25);
    expect(dispatched).toEqual([{ key: EMB, items: ['tight', 'roomy'], at: START + 30 }]);
  });

  it('lets an item whose deadline leaves exactly maxWaitMs + minSlackMs wait for its batch', async () => {
    const { batcher, dispatch, dispatched } = setup({ maxWaitMs: 100, minSlackMs: 50 });
    const roomy = batcher.submit(EMB, 'roomy', { priority: 3, deadlineMs: START + 150 });

    expect(dispatch).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(100);
    expect(dispatched).toEqual([{ key: EMB, items: ['roomy'], at: START + 100 }]);
    await expect(roomy).resolves.toMatchObject({ batchWaitMs: 100 });
  });

  it('never dispatches a member later than its deadline minus minSlackMs', async () => {
    const minSlackMs = 50;
    const deadlines = new Map<string, number>();
    const { batcher, dispatched } = setup({ maxBatchSize: 50, maxWaitMs: 100, minSlackMs });
    // Deterministic arrivals every 7 ms with deadlines 120..260 ms out, some tight, most roomy.
    const results: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i += 1) {
      const deadlineMs = Date.now() + 120 + ((i * 37) % 140);
      deadlines.set(`i${i}`, deadlineMs);
      results.push(batcher.submit(EMB, `i${i}`, { priority: 3, deadlineMs }));
      await jest.advanceTimersByTimeAsync(7);
    }
    await jest.advanceTimersByTimeAsync(200);
    await Promise.all(results);

    expect(dispatched.flatMap((d) => d.items)).toHaveLength(40);
    for (const d of dispatched) {
      for (const item of d.items) expect(deadlines.get(item)! - d.at).toBeGreaterThanOrEqual(minSlackMs);
    }
  });

  it('rejects an item whose deadline has already passed with DeadlineExpired and never dispatches it', async () => {
    const { batcher, dispatch } = setup();
    await expect(batcher.submit(EMB, 'late', { priority: 1, deadlineMs: START })).rejects.toBeInstanceOf(DeadlineExpired);
    await expect(batcher.submit(EMB, 'later', { priority: 3, deadlineMs: START - 5 })).rejects.toBeInstanceOf(DeadlineExpired);

    await jest.advanceTimersByTimeAsync(1000);
    expect(dispatch).not.toHaveBeenCalled();
    expect(batcher.stats()).toMatchObject({ pendingItems: 0, batchesDispatched: 0 });
  });

  it('drops an item whose deadline passed while its batch waited (late timer) and dispatches the rest', async () => {
    const time = manualTime(START);
    const dispatch = jest.fn(async (_key: string, items: string[]) => items.map((i) => succeeded(i)));
    const batcher = new Batcher<string, string>({ maxBatchSize: 4, maxWaitMs: 100, minSlackMs: 50 }, { clock: time.clock, timers: time.timers, dispatch });
    const expiring = batcher.submit(EMB, 'expiring', { priority: 3, deadlineMs: START + 150 });
    const open = batcher.submit(EMB, 'open', NORMAL);

    time.setNow(START + 400); // the event loop stalled; the timer fires long after it was due
    time.fireAll();

    await expect(expiring).rejects.toBeInstanceOf(DeadlineExpired);
    await expect(open).resolves.toMatchObject({ value: 'open', batchSize: 1, batchWaitMs: 400 });
    expect(dispatch).toHaveBeenCalledWith(EMB, ['open']);
  });

  it('never mixes items of different keys in one batch', async () => {
    const { batcher, dispatched } = setup({ maxBatchSize: 2 });
    const euEmb = batchKey({ kind: 'embedding', model: 'm', userRegion: 'eu-west' });
    const usEmb = batchKey({ kind: 'embedding', model: 'm', userRegion: 'us-east' });
    const euChat = batchKey({ kind: 'completion', model: 'm', userRegion: 'eu-west' });
    const results = [
      batcher.submit(euEmb, 'eu1', NORMAL),
      batcher.submit(usEmb, 'us1', NORMAL),
      batcher.submit(euChat, 'chat1', NORMAL),
      batcher.submit(euEmb, 'eu2', NORMAL),
      batcher.submit(usEmb, 'us2', NORMAL),
    ];
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(results);

    expect(dispatched.map((d) => [d.key, d.items])).toEqual([
      [euEmb, ['eu1', 'eu2']],
      [usEmb, ['us1', 'us2']],
      [euChat, ['chat1']],
    ]);
  });

  it('keeps arrival order inside a batch', async () => {
    const { batcher, dispatched } = setup({ maxBatchSize: 10 });
    const items = ['q', 'w', 'e', 'r', 't', 'y'];
    for (const item of items) {
      void batcher.submit(EMB, item, NORMAL);
      await jest.advanceTimersByTimeAsync(3);
    }
    await jest.advanceTimersByTimeAsync(100);
    expect(dispatched[0]?.items).toEqual(items);
  });

  it('fails only the item whose outcome failed; its batch mates succeed', async () => {
    const broken = new Unavailable('upstream refused this input');
    const { batcher } = setup({ maxBatchSize: 3 }, async (_key, items) => items.map((i) => (i === 'b' ? failed(broken) : succeeded(`ok:${i}`))));
    const [a, b, c] = ['a', 'b', 'c'].map((i) => batcher.submit(EMB, i, NORMAL));

    await expect(a).resolves.toMatchObject({ value: 'ok:a', batchSize: 3 });
    await expect(b).rejects.toBe(broken);
    await expect(c).resolves.toMatchObject({ value: 'ok:c', batchSize: 3 });
  });

  it('fails every item of the batch with the error when dispatch rejects', async () => {
    const down = new Unavailable('no region available', 2000);
    const { batcher } = setup({ maxBatchSize: 2 }, async () => {
      throw down;
    });
    const results = ['a', 'b'].map((i) => batcher.submit(EMB, i, NORMAL).catch((e: unknown) => e));
    expect(await Promise.all(results)).toEqual([down, down]);
  });

  it('fails every item of the batch when dispatch throws synchronously', async () => {
    const dispatch: DispatchBatch<string, string> = () => {
      throw new Error('boom');
    };
    const batcher = new Batcher<string, string>({ maxBatchSize: 2, maxWaitMs: 100, minSlackMs: 0 }, { clock: systemClock, timers: systemTimers, dispatch });
    const results = ['a', 'b'].map((i) => batcher.submit(EMB, i, NORMAL));
    await expect(results[0]).rejects.toThrow('boom');
    await expect(results[1]).rejects.toThrow('boom');
  });

  it('fails every item when dispatch returns a different number of outcomes than items', async () => {
    const { batcher } = setup({ maxBatchSize: 2 }, async () => [succeeded('only one')]);
    const results = ['a', 'b'].map((i) => batcher.submit(EMB, i, NORMAL));
    await expect(results[0]).rejects.toThrow('dispatch returned 1 outcomes for a batch of 2 items');
    await expect(results[1]).rejects.toThrow('dispatch returned 1 outcomes for a batch of 2 items');
  });

  it('removes an item cancelled before dispatch from its batch and rejects it with Cancelled', async () => {
    const { batcher, dispatched } = setup();
    const controller = new AbortController();
    const a = batcher.submit(EMB, 'a', NORMAL);
    const b = batcher.submit(EMB, 'b', { priority: 3, signal: controller.signal });
    const c = batcher.submit(EMB, 'c', NORMAL);

    controller.abort();
    await expect(b).rejects.toBeInstanceOf(Cancelled);
    expect(batcher.stats().pendingItems).toBe(2);

    await jest.advanceTimersByTimeAsync(100);
    expect(dispatched.map((d) => d.items)).toEqual([['a', 'c']]);
    await expect(a).resolves.toMatchObject({ batchSize: 2 });
    await expect(c).resolves.toMatchObject({ batchSize: 2 });
  });

  it('drops a batch whose only item was cancelled, without dispatching', async () => {
    const { batcher, dispatch } = setup();
    const controller = new AbortController();
    const only = batcher.submit(EMB, 'only', { priority: 3, signal: controller.signal });
    controller.abort();
    await expect(only).rejects.toBeInstanceOf(Cancelled);

    expect(batcher.stats()).toMatchObject({ pendingBatches: 0, pendingItems: 0 });
    await jest.advanceTimersByTimeAsync(1000);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('rejects an already-aborted submit with Cancelled', async () => {
    const { batcher, dispatch } = setup();
    await expect(batcher.submit(EMB, 'a', { priority: 1, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(Cancelled);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('answers an item cancelled after dispatch with Cancelled at once and drops its later result', async () => {
    const upstream = deferred<ItemOutcome<string>[]>();
    const { batcher } = setup({ maxBatchSize: 2 }, () => upstream.promise);
    const controller = new AbortController();
    const a = batcher.submit(EMB, 'a', { priority: 3, signal: controller.signal });
    const b = batcher.submit(EMB, 'b', NORMAL);

    controller.abort();
    await expect(a).rejects.toBeInstanceOf(Cancelled);
    upstream.resolve([succeeded('A'), succeeded('B')]);
    await expect(b).resolves.toMatchObject({ value: 'B', batchSize: 2 });
  });

  it('caps a batch by summed item weight and starts the next batch with the item that does not fit', async () => {
    const dispatched: string[][] = [];
    const batcher = new Batcher<string, string>(
      { maxBatchSize: 100, maxWaitMs: 100, minSlackMs: 0, maxBatchWeight: 10 },
      {
        clock: systemClock,
        timers: systemTimers,
        weigh: (item) => item.length,
        dispatch: async (_key, items) => {
          dispatched.push(items);
          return items.map((i) => succeeded(i));
        },
      },
    );
    const results = ['aaaa', 'bbbb', 'cccc', 'dddddd'].map((i) => batcher.submit(EMB, i, NORMAL));
    expect(dispatched).toEqual([['aaaa', 'bbbb'], ['cccc', 'dddddd']]);
    await Promise.all(results);
  });

  it('counts batches and items and remembers recent batch sizes', async () => {
    const { batcher } = setup({ maxBatchSize: 3 });
    const results = ['a', 'b', 'c', 'd'].map((i) => batcher.submit(EMB, i, NORMAL));
    void batcher.submit(CHAT, 'x', NORMAL);
    expect(batcher.stats()).toEqual({
      pendingBatches: 2,
      pendingItems: 2,
      inFlightBatches: 1,
      batchesDispatched: 1,
      itemsDispatched: 3,
      recentBatchSizes: [3],
      flushes: { full: 1, wait: 0, critical: 0, deadline: 0, close: 0 },
    });

    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(results);
    expect(batcher.stats()).toMatchObject({
      pendingBatches: 0,
      pendingItems: 0,
      inFlightBatches: 0,
      batchesDispatched: 3,
      itemsDispatched: 5,
      recentBatchSizes: [3, 1, 1],
      flushes: { full: 1, wait: 2 },
    });
  });

  it('keeps serving when the onBatch observer throws', async () => {
    const batcher = new Batcher<string, string>(
      { maxBatchSize: 1, maxWaitMs: 100, minSlackMs: 0 },
      {
        clock: systemClock,
        timers: systemTimers,
        dispatch: async (_key, items) => items.map((i) => succeeded(i)),
        onBatch: () => {
          throw new Error('metrics exporter broke');
        },
      },
    );
    await expect(batcher.submit(EMB, 'a', NORMAL)).resolves.toMatchObject({ value: 'a' });
  });

  it('on close dispatches everything pending at once, waits for batches in flight and refuses new submits', async () => {
    const upstream = deferred<ItemOutcome<string>[]>();
    const { batcher, dispatched, events } = setup({}, (_key, items) => (items[0] === 'chat' ? upstream.promise : Promise.resolve(items.map((i) => succeeded(i)))));
    const emb = batcher.submit(EMB, 'emb', NORMAL);
    const chat = batcher.submit(CHAT, 'chat', NORMAL);
    await jest.advanceTimersByTimeAsync(10);

    let closed = false;
    const closing = batcher.close().then(() => (closed = true));
    expect(dispatched.map((d) => [d.key, d.items, d.at])).toEqual([
      [EMB, ['emb'], START + 10],
      [CHAT, ['chat'], START + 10],
    ]);
    expect(events.map((e) => e.reason)).toEqual(['close', 'close']);
    await expect(batcher.submit(EMB, 'late', { priority: 1 })).rejects.toBeInstanceOf(Unavailable);
    await expect(emb).resolves.toMatchObject({ value: 'emb', batchWaitMs: 10 });

    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    upstream.resolve([succeeded('chat done')]);
    await closing;
    await expect(chat).resolves.toMatchObject({ value: 'chat done' });
    expect(batcher.stats()).toMatchObject({ pendingBatches: 0, inFlightBatches: 0 });
  });

  it('leaves no timer behind once every batch is flushed', async () => {
    const time = manualTime(START);
    const batcher = new Batcher<string, string>(
      { maxBatchSize: 2, maxWaitMs: 100, minSlackMs: 0 },
      { clock: time.clock, timers: time.timers, dispatch: async (_k, items) => items.map((i) => succeeded(i)) },
    );
    void batcher.submit(EMB, 'a', NORMAL);
    expect(time.scheduledCount()).toBe(1);
    void batcher.submit(EMB, 'b', NORMAL);
    expect(time.scheduledCount()).toBe(0);
    void batcher.submit(CHAT, 'c', NORMAL);
    await batcher.close();
    expect(time.scheduledCount()).toBe(0);
  });

  it.each([
    [{ maxBatchSize: 0 }, 'maxBatchSize'],
    [{ maxBatchSize: 2.5 }, 'maxBatchSize'],
    [{ maxWaitMs: -1 }, 'maxWaitMs'],
    [{ minSlackMs: Number.NaN }, 'minSlackMs'],
    [{ maxBatchWeight: 0 }, 'maxBatchWeight'],
  ])('refuses options %j with InvalidArgument naming %s', (bad, field) => {
    expect(() => setup(bad)).toThrow(expect.objectContaining({ constructor: InvalidArgument, field }));
  });

  it.each([
    ['', NORMAL, 'key'],
    [EMB, { priority: 0 }, 'priority'],
    [EMB, { priority: 6 }, 'priority'],
    [EMB, { priority: 3, deadlineMs: Number.POSITIVE_INFINITY }, 'deadlineMs'],
  ])('rejects submit(%j, %j) with InvalidArgument naming %s', async (key, opts, field) => {
    const { batcher, dispatch } = setup();
    await expect(batcher.submit(key, 'x', opts)).rejects.toMatchObject({ constructor: InvalidArgument, field });
    expect(dispatch).not.toHaveBeenCalled();
  });
});
