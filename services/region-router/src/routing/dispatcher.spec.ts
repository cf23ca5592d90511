import type { Clock } from '@switchyard/service-kit/clock';
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
import type { CompletionItem, ItemResult } from './dispatch-request';
import { Dispatcher } from './dispatcher';
import type { AttemptEvent } from './failover';
import { defaultRegions } from './region-config';
import { RegionRouter } from './region-router';
import { Residency } from './tenant-residency';
import { UpstreamError, type UpstreamCompletion, type UpstreamEmbeddings } from './upstream-client';
import { FakeUpstream, answer, deferred, manualClock } from '../../test/fake-upstream';


const item = (content = 'hello', maxTokens = 100): CompletionItem => ({
  messages: [{ role: 'user', content }],
  temperature: 0.2,
  maxTokens,
});

function setup(clock: Clock & { advance?: (ms: number) => void } = manualClock()) {
  const router = new RegionRouter({ regions: defaultRegions((n) => `http://${n}.test/v1`), clock });
  const upstream = new FakeUpstream();
  const events: AttemptEvent[] = [];
  const dispatcher = new Dispatcher({ router, upstream, clock, onAttempt: (e) => events.push(e) });
  const complete = async (userRegion: string, items: CompletionItem[], extra: { deadlineMs?: number; signal?: AbortSignal } = {}) =>
    resultsOf(dispatcher.dispatch({ kind: 'completion', model: 'gpt-4o-mini', userRegion, items, ...extra }));
  return { router, upstream, events, dispatcher, complete };
}

async function resultsOf<T>(outcome: Promise<{ results: ItemResult<T>[] }>): Promise<ItemResult<T>[]> {
  return (await outcome).results;
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
      expect(success(first).tried).toEqual([
        { region: 'eastus', outcome: 'throttled', httpStatus: 429, durationMs: 0, note: 'cooling down 2000 ms (retry-after)' },
        { region: 'westus', outcome: 'ok', httpStatus: undefined, durationMs: 0, note: '' },
      ]);
      expect(events.map((e) => [e.region, e.outcome, e.attempt])).toEqual([
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
      const { upstream, router, complete } = setup();
      upstream.onComplete = async (region) => {
        if (region === 'eastus') throw new UpstreamError('503 overloaded', { status: 503 });
        return answer(`from ${region}`);
      };
      const [result] = await complete('eastus', [item()]);
      expect(success(result)).toMatchObject({ region: 'westus', attempts: 2 });
      expect(router.stats().find((s) => s.region === 'eastus')).toMatchObject({ errors: 1, requests: 1 });
    });

    it('treats a network failure (no status) like a 5xx', async () => {
      const { upstream, events, complete } = setup();
      upstream.onComplete = async (region) => {
        if (region === 'eastus') throw new UpstreamError('cannot reach upstream: ECONNREFUSED');
        return answer('ok');
      };
      const [result] = await complete('eastus', [item()]);
      expect(success(result).region).toBe('westus');
      expect(events[0]).toMatchObject({ region: 'eastus', outcome: 'network', description: 'network' });
      expect(events[0]!.httpStatus).toBeUndefined();
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

  describe('residency', () => {
    const residency = new Residency({ 'acme-eu': ['westeurope'], 'acme-us': ['eastus', 'westus'] });

    it('never sends an EU-only tenant outside its regions, even when they fail: Unavailable instead', async () => {
      const { upstream, router } = setup();
      const dispatcher = new Dispatcher({ router, upstream, clock: manualClock(), residency });
      upstream.onComplete = async (region) => {
        if (region === 'westeurope') throw new UpstreamError('503', { status: 503 });
        return answer(`from ${region}`);
      };
      const [eu, other] = await resultsOf(
        dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'westeurope', items: [{ ...item('eu'), tenant: 'acme-eu' }, { ...item('other'), tenant: 'someone' }] }),
      );
      expect(failure(eu)).toMatchObject({ attempts: 1, tried: [{ region: 'westeurope', outcome: 'server_error', httpStatus: 503 }] });
      expect(failure(eu).error).toBeInstanceOf(Unavailable);
      // The unrestricted tenant in the same batch fails over as usual.
      expect(success(other).region).not.toBe('westeurope');
      expect(upstream.completeCalls.filter((c) => c.request.messages[0]!.content === 'eu').map((c) => c.region)).toEqual(['westeurope']);
    });

    it('sends one embedding call per allowed-region set and keeps each inside its set', async () => {
      const { upstream, router } = setup();
      const dispatcher = new Dispatcher({ router, upstream, clock: manualClock(), residency });
      const outcome = await dispatcher.dispatch({
        kind: 'embedding',
        model: 'e',
        userRegion: 'eastasia',
        items: [
          { inputs: ['eu-1'], tenant: 'acme-eu' },
          { inputs: ['any-1'], tenant: 'free' },
          { inputs: ['eu-2'], tenant: 'acme-eu' },
          { inputs: ['us-1'], tenant: 'acme-us' },
          { inputs: ['any-2'], tenant: '' },
        ],
      });
      const calls = Object.fromEntries(upstream.embedCalls.map((c) => [c.request.inputs.join(','), c.region]));
      expect(calls).toEqual({ 'eu-1,eu-2': 'westeurope', 'any-1,any-2': 'eastasia', 'us-1': expect.stringMatching(/^(eastus|westus)$/) });
      expect(outcome.upstreamCallsSaved).toBe(2);
      expect(outcome.results.map((r) => success(r).region)).toEqual(['westeurope', 'eastasia', 'westeurope', calls['us-1'], 'eastasia']);
    });

    it('uses the "*" entry for tenants not listed', async () => {
      const { upstream, router } = setup();
      const dispatcher = new Dispatcher({ router, upstream, clock: manualClock(), residency: new Residency({ '*': ['eastasia'] }) });
      const [result] = await resultsOf(dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'eastus', items: [{ ...item(), tenant: 'x' }] }));
      expect(success(result).region).toBe('eastasia');
    });
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

      it('gives a hanging region only its share of the time left, aborts it and fails over in time', async () => {
        const { upstream, complete } = setup({ now: () => Date.now() });
        upstream.onComplete = async (region) => (region === 'eastus' ? new Promise<UpstreamCompletion>(() => undefined) : answer(`from ${region}`));
        const started = Date.now();
        const pending = complete('eastus', [item()], { deadlineMs: started + 1_000 });
        await jest.advanceTimersByTimeAsync(500);
        const [result] = await pending;
        expect(success(result)).toMatchObject({ region: 'westus', attempts: 2, tried: [{ region: 'eastus', outcome: 'timeout' }, { region: 'westus', outcome: 'ok' }] });
        expect(Date.now() - started).toBe(500);
        expect(upstream.completeCalls[0]!.options?.timeoutMs).toBe(500);
        expect(upstream.completeCalls[0]!.options?.signal?.aborted).toBe(true);
      });

      it('lets the last allowed region use all the time left and answers DeadlineExpired at the deadline, never after', async () => {
        const { upstream, complete } = setup({ now: () => Date.now() });
        upstream.onComplete = () => new Promise<UpstreamCompletion>(() => undefined);
        const started = Date.now();
        const pending = complete('eastus', [item()], { deadlineMs: started + 800 });
        await jest.advanceTimersByTimeAsync(800);
        const [result] = await pending;
        expect(failure(result).error).toBeInstanceOf(DeadlineExpired);
        expect(Date.now() - started).toBe(800);
        expect(failure(result).tried.map((t) => [t.outcome, t.durationMs])).toEqual([
          ['timeout', 400],
          ['timeout', 200],
          ['timeout', 100],
          ['deadline', 100],
        ]);
        expect(upstream.completeCalls.map((c) => c.options?.timeoutMs)).toEqual([400, 200, 100, 100]);
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
        expect(events[0]).toMatchObject({ outcome: 'cancelled', durationMs: 100 });
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
      const results = await resultsOf(dispatcher.dispatch({
        kind: 'embedding',
        model: 'text-embedding-3-small',
        userRegion: 'westeurope',
        items: [{ inputs: ['alpha'] }, { inputs: ['beta gamma', 'delta'] }, { inputs: [''] }, { inputs: ['epsilon'] }],
      }));
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
      const results = await resultsOf(dispatcher.dispatch({
        kind: 'embedding',
        model: 'text-embedding-3-small',
        userRegion: 'eastus',
        items: [{ inputs: ['a'] }, { inputs: ['b'] }],
      }));
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
      const [result] = await resultsOf(dispatcher.dispatch({ kind: 'embedding', model: 'e', userRegion: 'eastus', items: [{ inputs: ['a'] }] }));
      expect(success(result)).toMatchObject({ region: 'westus', attempts: 2 });
    });

    it('reports the upstream calls a batch saved: embeddings N items in one call, completions none', async () => {
      const { dispatcher } = setup();
      const embeddings = await dispatcher.dispatch({ kind: 'embedding', model: 'e', userRegion: 'eastus', items: [{ inputs: ['a'] }, { inputs: ['b'] }, { inputs: ['c'] }] });
      expect(embeddings.upstreamCallsSaved).toBe(2);
      const completions = await dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'eastus', items: [item(), item()] });
      expect(completions.upstreamCallsSaved).toBe(0);
    });

    it("holds each completion to its own deadline: one already past is never sent, its neighbours are", async () => {
      const clock = manualClock();
      const { upstream, complete } = setup(clock);
      const [late, onTime] = await complete('eastus', [{ ...item('late'), deadlineMs: clock.now() - 1 }, { ...item('on time'), deadlineMs: clock.now() + 5_000 }], {
        deadlineMs: clock.now() + 10_000,
      });
      expect(failure(late).error).toBeInstanceOf(DeadlineExpired);
      expect(success(onTime).region).toBe('eastus');
      expect(upstream.completeCalls.map((c) => c.request.messages[0]!.content)).toEqual(['on time']);
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
      const { upstream, events, router, complete } = setup(clock);
      const durations = [100, 300];
      upstream.onComplete = async () => {
        clock.advance(durations.shift()!);
        return answer('x', 20, 10);
      };
      await complete('eastasia', [item()]);
      await complete('eastasia', [item()]);
      expect(events).toEqual([
        expect.objectContaining({ region: 'eastasia', kind: 'completion', model: 'gpt-4o-mini', outcome: 'ok', durationMs: 100, inputTokens: 20, outputTokens: 10, itemIndexes: [0] }),
        expect.objectContaining({ outcome: 'ok', durationMs: 300 }),
      ]);
      const stats = router.stats().find((s) => s.region === 'eastasia')!;
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
      const [result] = await resultsOf(dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'eastus', items: [item()] }));
      expect(result.ok).toBe(true);
    });

    it('still runs the attempt once and finishes it when aroundAttempt throws', async () => {
      const router = new RegionRouter({ regions: defaultRegions(() => 'http://x.test'), clock: manualClock() });
      const upstream = new FakeUpstream();
      const dispatcher = new Dispatcher({
        router,
        upstream,
        clock: manualClock(),
        aroundAttempt: async () => {
          throw new Error('tracer broke');
        },
      });
      const [result] = await resultsOf(dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'westus', items: [item()] }));
      expect(success(result).region).toBe('westus');
      expect(upstream.completeCalls).toHaveLength(1);
      expect(router.status().find((s) => s.region === 'westus')!.inFlight).toBe(0);
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
      await resultsOf(dispatcher.dispatch({ kind: 'completion', model: 'm', userRegion: 'westus', items: [item()] }));
      expect(seen).toEqual(['westus#1']);
    });
  });
});
