import {
  Cancelled,
  DeadlineExpired,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
  ResourceExhausted,
  Unavailable,
} from '@switchyard/service-kit/errors';
import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import type { Clock } from './clock';
import type { CompletionItem, ItemResult } from './dispatch-request';
import { Dispatcher, type AttemptEvent } from './dispatcher';
import { defaultRegions } from './region-config';
import { RegionRouter } from './region-router';
import {
  UpstreamError,
  type UpstreamCallOptions,
  type UpstreamClient,
  type UpstreamCompletion,
  type UpstreamCompletionRequest,
  type UpstreamEmbeddingRequest,
  type UpstreamEmbeddings,
} from './upstream-client';

type CompleteFn = (region: string, request: UpstreamCompletionRequest, options?: UpstreamCallOptions) => Promise<UpstreamCompletion>;
type EmbedFn = (region: string, request: UpstreamEmbeddingRequest, options?: UpstreamCallOptions) => Promise<UpstreamEmbeddings>;

class FakeUpstream implements UpstreamClient {
  readonly completeCalls: Array<{ region: string; request: UpstreamCompletionRequest; options?: UpstreamCallOptions }> = [];
  readonly embedCalls: Array<{ region: string; request: UpstreamEmbeddingRequest }> = [];
  onComplete: CompleteFn = async (region) => answer(`from ${region}`);
  onEmbed: EmbedFn = async (_region, request) => ({
    vectors: request.inputs.map((_, i) => [i]),
    inputTokens: request.inputs.length * 3,
  });

  complete(region: string, request: UpstreamCompletionRequest, options?: UpstreamCallOptions) {
    this.completeCalls.push({ region, request, options });
    return this.onComplete(region, request, options);
  }

  embed(region: string, request: UpstreamEmbeddingRequest, options?: UpstreamCallOptions) {
    this.embedCalls.push({ region, request });
    return this.onEmbed(region, request, options);
  }
}

const answer = (content: string, inputTokens = 10, outputTokens = 5): UpstreamCompletion => ({
  content,
  inputTokens,
  outputTokens,
  finishReason: 'stop',
});

const item = (content = 'hello', maxTokens = 100): CompletionItem => ({
  messages: [{ role: 'user', content }],
  temperature: 0.2,
  maxTokens,
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(clock: Clock & { advance?: (ms: number) => void } = manualClock()) {
  const router = new RegionRouter({ regions: defaultRegions((n) => `http://${n}.test/v1`), clock });
  const upstream = new FakeUpstream();
  const events: AttemptEvent[] = [];
  const dispatcher = new Dispatcher({ router, upstream, clock, onAttempt: (e) => events.push(e) });
  const complete = (userRegion: string, items: CompletionItem[], extra: { deadlineMs?: number; signal?: AbortSignal } = {}) =>
    dispatcher.dispatch({ kind: 'completion', model: 'gpt-4o-mini', userRegion, items, ...extra });
  return { router, upstream, events, dispatcher, complete };
}

function manualClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => void (clock.t += ms) };
  return clock;
}

function failure<T>(result: ItemResult<T>) {
  if (result.ok) throw new Error(`expected a failure, got a value from ${result.region}`);
  return result;
}

function success<T>(result: ItemResult<T>) {
  if (!result.ok) throw result.error;
  return result;
}

describe('Dispatcher', () => {
  describe('failover', () => {
    it('fails over on 429 to the next region and keeps the throttled region out until retry-after passes', async () => {
      const clock = manualClock();
      const { upstream, events, complete } = setup(clock);
      upstream.onComplete = async (region) => {
        if (region === 'eastus') throw new UpstreamError('429 slow down', { status: 429, retryAfterMs: 2_000 });
        return answer(`from ${region}`);
      };

      const [first] = await complete('eastus', [item()]);
      expect(success(first)).toMatchObject({ region: 'westus', attempts: 2, value: { content: 'from westus' } });
      expect(events.map((e) => [e.region, e.status, e.attempt])).toEqual([
        ['eastus', 'throttled', 1],
        ['westus', 'ok', 2],
      ]);

      clock.advance(1_999);
      const [second] = await complete('eastus', [item()]);
      // eastus is still cooling down; westus now carries the first request, so the idle westeurope wins.
      expect(success(second)).toMatchObject({ region: 'westeurope', attempts: 1 });

      clock.advance(1);
      upstream.onComplete = async (region) => answer(`from ${region}`);
      const [third] = await complete('eastus', [item()]);
      expect(success(third)).toMatchObject({ region: 'eastus', attempts: 1 });
      expect(upstream.completeCalls.map((c) => c.region)).toEqual(['eastus', 'westus', 'westeurope', 'eastus']);
    });

    it('fails over on a 5xx and counts the error against the region', async () => {
      const { upstream, dispatcher, complete } = setup();
      upstream.onComplete = async (region) => {
        if (region === 'eastus') throw new UpstreamError('503 overloaded', { status: 503 });
        return answer(`from ${region}`);
      };
      const [result] = await complete('eastus', [item()]);
      expect(success(result)).toMatchObject({ region: 'westus', attempts: 2 });
      expect(dispatcher.stats().find((s) => s.region === 'eastus')).toMatchObject({ errors: 1, requests: 1 });
    });

    it('treats a network failure (no status) like a 5xx', async () => {
      const { upstream, events, complete } = setup();
      upstream.onComplete = async (region) => {
        if (region === 'eastus') throw new UpstreamError('cannot reach upstream: ECONNREFUSED');
        return answer('ok');
      };
      const [result] = await complete('eastus', [item()]);
      expect(success(result).region).toBe('westus');
      expect(events[0]).toMatchObject({ region: 'eastus', status: 'error', error: 'network', httpStatus: undefined });
    });

    it('tries each region at most once, then answers Unavailable with the earliest retry-after', async () => {
      const { upstream, complete } = setup();
      upstream.onComplete = async (region) => {
        throw new UpstreamError('429', { status: 429, retryAfterMs: region === 'westeurope' ? 3_000 : 5_000 });
      };
      const [result] = await complete('eastus', [item()]);
      const { error, attempts } = failure(result);
      expect(attempts).toBe(4);
      expect(error).toBeInstanceOf(Unavailable);
      expect((error as Unavailable).retryAfterMs).toBe(3_000);
      expect(new Set(upstream.completeCalls.map((c) => c.region)).size).toBe(4);
    });

    it('does not retry a 400 and names the field', async () => {
      const { upstream, complete } = setup();
      upstream.onComplete = async () => {
        throw new UpstreamError("400 Invalid value for 'temperature'", { status: 400 });
      };
      const [result] = await complete('eastus', [item()]);
      const { error, attempts } = failure(result);
      expect(attempts).toBe(1);
      expect(error).toBeInstanceOf(InvalidArgument);
      expect((error as InvalidArgument).field).toBe('messages');
      expect(error.message).toContain("Invalid value for 'temperature'");
      expect(upstream.completeCalls).toHaveLength(1);
    });

    it('maps 401 to FailedPrecondition and 404 to NotFound without failing over', async () => {
      const { upstream, complete } = setup();
      upstream.onComplete = async () => {
        throw new UpstreamError('upstream rejected the credentials (HTTP 401)', { status: 401 });
      };
      const [unauthorised] = await complete('eastus', [item()]);
      expect(failure(unauthorised).error).toBeInstanceOf(FailedPrecondition);
      expect(failure(unauthorised).error.message).toContain('region eastus rejected our credentials');

      upstream.onComplete = async () => {
        throw new UpstreamError('404 The model does not exist', { status: 404 });
      };
      const [missing] = await complete('eastus', [item()]);
      expect(failure(missing).error).toBeInstanceOf(NotFound);
      expect(failure(missing).error.message).toBe('model "gpt-4o-mini" not found in region eastus');
      expect(upstream.completeCalls).toHaveLength(2);
    });

    it('answers ResourceExhausted without calling upstream when every region is saturated', async () => {
      const { router, upstream, complete } = setup();
      for (const s of router.stats()) router.reserve(s.region, s.capacityTpm * 0.95);
      const [result] = await complete('eastus', [item()]);
      const { error, attempts } = failure(result);
      expect(error).toBeInstanceOf(ResourceExhausted);
      expect((error as ResourceExhausted).retryAfterMs).toBeGreaterThan(0);
      expect(attempts).toBe(0);
      expect(upstream.completeCalls).toHaveLength(0);
    });
  });

  it('keeps a request inside its allowed regions and fails it clearly when none is configured', async () => {
    const { upstream, dispatcher } = setup();
    upstream.onComplete = async (region) => {
      throw new UpstreamError('503', { status: region === 'westeurope' ? 503 : 500 });
    };
    const base = { kind: 'completion' as const, model: 'm', userRegion: 'eastus', items: [item()] };
    const [eu] = await dispatcher.dispatch({ ...base, allowedRegions: ['westeurope'] });
    expect(failure(eu)).toMatchObject({ attempts: 1 });
    expect(failure(eu).error).toBeInstanceOf(Unavailable);
    expect(upstream.completeCalls.map((c) => c.region)).toEqual(['westeurope']);
    const [none] = await dispatcher.dispatch({ ...base, allowedRegions: ['mars'] });
    expect(failure(none).error).toBeInstanceOf(FailedPrecondition);
  });

  describe('deadlines and cancellation', () => {
    it('stops failing over once the deadline has passed', async () => {
      const clock = manualClock();
      const { upstream, complete } = setup(clock);
      upstream.onComplete = async () => {
        clock.advance(700);
        throw new UpstreamError('503', { status: 503 });
      };
      const [result] = await complete('eastus', [item()], { deadlineMs: clock.now() + 1_000 });
      const { error, attempts } = failure(result);
      expect(error).toBeInstanceOf(DeadlineExpired);
      expect(attempts).toBe(2);
      expect(upstream.completeCalls).toHaveLength(2);
    });

    it('never sends a request whose deadline has already passed', async () => {
      const clock = manualClock();
      const { upstream, complete } = setup(clock);
      const [result] = await complete('eastus', [item()], { deadlineMs: clock.now() });
      expect(failure(result).error).toBeInstanceOf(DeadlineExpired);
      expect(upstream.completeCalls).toHaveLength(0);
    });

    describe('with fake timers', () => {
      beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
      afterEach(() => jest.useRealTimers());

      it('cuts a hanging attempt at the deadline, aborts it and tells the upstream how long it has', async () => {
        const { upstream, complete } = setup({ now: () => Date.now() });
        upstream.onComplete = () => new Promise<UpstreamCompletion>(() => undefined);
        const pending = complete('eastus', [item()], { deadlineMs: Date.now() + 500 });
        await jest.advanceTimersByTimeAsync(500);
        const [result] = await pending;
        expect(failure(result).error).toBeInstanceOf(DeadlineExpired);
        expect(upstream.completeCalls).toHaveLength(1);
        expect(upstream.completeCalls[0].options?.timeoutMs).toBe(500);
        expect(upstream.completeCalls[0].options?.signal?.aborted).toBe(true);
      });

      it('stops at once when the caller cancels', async () => {
        const { upstream, events, complete } = setup({ now: () => Date.now() });
        upstream.onComplete = () => new Promise<UpstreamCompletion>(() => undefined);
        const controller = new AbortController();
        const pending = complete('eastus', [item()], { signal: controller.signal, deadlineMs: Date.now() + 5_000 });
        await jest.advanceTimersByTimeAsync(100);
        controller.abort();
        const [result] = await pending;
        expect(failure(result).error).toBeInstanceOf(Cancelled);
        expect(upstream.completeCalls[0].options?.signal?.aborted).toBe(true);
        expect(events[0]).toMatchObject({ status: 'error', error: 'cancelled', durationMs: 100 });
        expect(jest.getTimerCount()).toBe(0);
      });
    });
  });

  describe('batches', () => {
    it('runs the completions of a batch in parallel, one upstream call per item', async () => {
      const { upstream, complete } = setup();
      const gates = [deferred<UpstreamCompletion>(), deferred<UpstreamCompletion>(), deferred<UpstreamCompletion>()];
      upstream.onComplete = (_region, request) => gates[Number(request.messages[0].content)].promise;
      const pending = complete('westus', [item('0'), item('1'), item('2')]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(upstream.completeCalls).toHaveLength(3);
      gates[2].resolve(answer('c'));
      gates[0].resolve(answer('a'));
      gates[1].resolve(answer('b'));
      const results = await pending;
      expect(results.map((r) => success(r).value.content)).toEqual(['a', 'b', 'c']);
    });

    it('lets each item of a batch see the reservations of the items before it', async () => {
      const { upstream, complete } = setup();
      const big = (n: string) => item(n, 35_000);
      const results = await complete('eastus', [big('1'), big('2'), big('3')]);
      // 35k + prompt each: eastus takes two (load ~0.44 then ~0.88), the third overflows to westus.
      expect(results.map((r) => success(r).region)).toEqual(['eastus', 'eastus', 'westus']);
      expect(upstream.completeCalls).toHaveLength(3);
    });

    it('fails an invalid item alone and still serves the others', async () => {
      const { upstream, complete } = setup();
      const bad: CompletionItem = { messages: [{ role: 'robot', content: 'hi' }], temperature: 0, maxTokens: 0 };
      const [good, wrong, hot] = await complete('eastus', [item(), bad, { ...item(), temperature: 3 }]);
      expect(success(good).region).toBe('eastus');
      expect(failure(wrong).error).toMatchObject({ field: 'messages' });
      expect(failure(wrong).attempts).toBe(0);
      expect((failure(hot).error as InvalidArgument).field).toBe('temperature');
      expect(upstream.completeCalls).toHaveLength(1);
    });

    it('sends all inputs of all embedding items as one upstream call and splits the answer per item', async () => {
      const { upstream, dispatcher } = setup();
      upstream.onEmbed = async (_region, request) => ({ vectors: request.inputs.map((_, i) => [i, i]), inputTokens: 41 });
      const results = await dispatcher.dispatch({
        kind: 'embedding',
        model: 'text-embedding-3-small',
        userRegion: 'westeurope',
        items: [{ inputs: ['alpha'] }, { inputs: ['beta gamma', 'delta'] }, { inputs: [''] }, { inputs: ['epsilon'] }],
      });
      expect(upstream.embedCalls).toHaveLength(1);
      expect(upstream.embedCalls[0]).toMatchObject({
        region: 'westeurope',
        request: { model: 'text-embedding-3-small', inputs: ['alpha', 'beta gamma', 'delta', 'epsilon'] },
      });
      expect(success(results[0]).value.vectors).toEqual([[0, 0]]);
      expect(success(results[1]).value.vectors).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect((failure(results[2]).error as InvalidArgument).field).toBe('inputs');
      expect(success(results[3]).value.vectors).toEqual([[3, 3]]);
      const shares = [0, 1, 3].map((i) => success(results[i]).value.inputTokens);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(41);
      expect(shares[1]).toBeGreaterThan(shares[0]);
    });

    it('gives every embedding item the same error when the one batch call fails everywhere', async () => {
      const { upstream, dispatcher } = setup();
      upstream.onEmbed = async () => {
        throw new UpstreamError('500', { status: 500 });
      };
      const results = await dispatcher.dispatch({
        kind: 'embedding',
        model: 'text-embedding-3-small',
        userRegion: 'eastus',
        items: [{ inputs: ['a'] }, { inputs: ['b'] }],
      });
      expect(upstream.embedCalls).toHaveLength(4);
      for (const r of results) expect(failure(r)).toMatchObject({ attempts: 4 });
      expect(failure(results[0]).error).toBeInstanceOf(Unavailable);
    });

    it('fails over when an embeddings answer has the wrong number of vectors', async () => {
      const { upstream, dispatcher } = setup();
      upstream.onEmbed = async (region, request) => ({
        vectors: region === 'eastus' ? [] : request.inputs.map(() => [1]),
        inputTokens: 2,
      });
      const [result] = await dispatcher.dispatch({ kind: 'embedding', model: 'e', userRegion: 'eastus', items: [{ inputs: ['a'] }] });
      expect(success(result)).toMatchObject({ region: 'westus', attempts: 2 });
    });

    it('rejects a batch without model or items', async () => {
      const { dispatcher } = setup();
      await expect(dispatcher.dispatch({ kind: 'completion', model: ' ', userRegion: '', items: [item()] })).rejects.toMatchObject({
        field: 'model',
      });
      await expect(dispatcher.dispatch({ kind: 'embedding', model: 'e', userRegion: '', items: [] })).rejects.toMatchObject({
        field: 'items',
      });
    });
  });

  describe('accounting', () => {
    it('reserves prompt tokens plus max_tokens (or 256) while in flight and settles to actual usage', async () => {
      const { router, upstream, complete } = setup();
      const gate = deferred<UpstreamCompletion>();
      upstream.onComplete = () => gate.promise;
      const messages = [{ role: 'user' as const, content: 'count my tokens please' }];
      const pending = complete('eastus', [{ messages, temperature: 0, maxTokens: 0 }]);
      await new Promise((resolve) => setImmediate(resolve));
      const eastus = () => router.stats().find((s) => s.region === 'eastus')!;
      expect(eastus().windowTokens).toBe(countChatTokens(messages) + 256);
      gate.resolve(answer('done', 12, 30));
      await pending;
      expect(eastus().windowTokens).toBe(42);
    });

    it('estimates embedding reservations from the inputs and settles to the reported usage', async () => {
      const { router, upstream, dispatcher } = setup();
      const gate = deferred<UpstreamEmbeddings>();
      upstream.onEmbed = () => gate.promise;
      const pending = dispatcher.dispatch({ kind: 'embedding', model: 'e', userRegion: 'eastasia', items: [{ inputs: ['one two three'] }] });
      await new Promise((resolve) => setImmediate(resolve));
      const eastasia = () => router.stats().find((s) => s.region === 'eastasia')!;
      expect(eastasia().windowTokens).toBe(countTextTokens('one two three'));
      gate.resolve({ vectors: [[0.5]], inputTokens: 9 });
      await pending;
      expect(eastasia().windowTokens).toBe(9);
    });

    it('reports each attempt with duration and usage, and stats with latency EWMA', async () => {
      const clock = manualClock();
      const { upstream, events, dispatcher, complete } = setup(clock);
      const durations = [100, 300];
      upstream.onComplete = async () => {
        clock.advance(durations.shift()!);
        return answer('x', 20, 10);
      };
      await complete('eastasia', [item()]);
      await complete('eastasia', [item()]);
      expect(events).toEqual([
        expect.objectContaining({ region: 'eastasia', kind: 'completion', model: 'gpt-4o-mini', status: 'ok', durationMs: 100, inputTokens: 20, outputTokens: 10, itemIndexes: [0] }),
        expect.objectContaining({ status: 'ok', durationMs: 300 }),
      ]);
      const stats = dispatcher.stats().find((s) => s.region === 'eastasia')!;
      expect(stats).toMatchObject({ capacityTpm: 40_000, requests: 2, errors: 0, throttled: 0, windowTokens: 60, cooldownMsLeft: 0 });
      expect(stats.load).toBeCloseTo(60 / 40_000);
      expect(stats.latencyEwmaMs).toBeCloseTo(0.2 * 300 + 0.8 * 100);
    });

    it('ignores a failing onAttempt hook', async () => {
      const router = new RegionRouter({ regions: defaultRegions(() => 'http://x.test'), clock: manualClock() });
      const dispatcher = new Dispatcher({
        router,
        upstream: new FakeUpstream(),
        clock: manualClock(),
        onAttempt: () => {
          throw new Error('exporter down');
        },
      });
      const [result] = await dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'eastus', items: [item()] });
      expect(result.ok).toBe(true);
    });

    it('runs every attempt inside aroundAttempt', async () => {
      const router = new RegionRouter({ regions: defaultRegions(() => 'http://x.test'), clock: manualClock() });
      const seen: string[] = [];
      const dispatcher = new Dispatcher({
        router,
        upstream: new FakeUpstream(),
        clock: manualClock(),
        aroundAttempt: async (info, run) => {
          seen.push(`${info.region}#${info.attempt}`);
          return run();
        },
      });
      await dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'westus', items: [item()] });
      expect(seen).toEqual(['westus#1']);
    });
  });
});
