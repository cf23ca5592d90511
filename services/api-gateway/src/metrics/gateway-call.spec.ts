import { Cancelled, FailedPrecondition, ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import { cacheLabelOf, measureGatewayCall, ObservedCall, outcomeOfError } from './gateway-call';

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('measureGatewayCall', () => {
  it('counts a call that never went upstream (a cache hit) entirely as overhead', () => {
    const clock = manualClock();
    const call = new ObservedCall('complete', 'grpc', clock.now);
    call.cacheAnswer = 'exact';
    clock.advance(4.5);

    expect(measureGatewayCall(call, clock.now(), 'ok')).toEqual({
      durationMs: 4.5,
      overheadMs: 4.5,
      attributes: { operation: 'complete', transport: 'grpc', outcome: 'ok', cache: 'exact' },
    });
  });

  it('takes the upstream time reported by the dispatch, so batching and routing count as overhead', async () => {
    const clock = manualClock();
    const call = new ObservedCall('complete', 'http', clock.now);
    clock.advance(3); // model router, cache, queue
    await call.timeDispatch(
      async () => {
        clock.advance(50); // 20 ms of batch wait, then 30 ms at the provider
        return { providerMs: 30 };
      },
      (response) => response.providerMs,
    );
    call.cacheAnswer = 'miss';
    clock.advance(2);

    const measured = measureGatewayCall(call, clock.now(), 'ok');
    expect(measured.durationMs).toBe(55);
    expect(measured.overheadMs).toBe(25);
    expect(measured.attributes.cache).toBe('miss');
  });

  it('counts the whole wait as upstream when the dispatch reports nothing', async () => {
    const clock = manualClock();
    const call = new ObservedCall('embed', 'grpc', clock.now);
    await call.timeDispatch(
      async () => {
        clock.advance(40);
        return {};
      },
      () => undefined,
    );
    clock.advance(1);

    expect(measureGatewayCall(call, clock.now(), 'ok')).toMatchObject({ durationMs: 41, overheadMs: 1, attributes: { cache: 'none' } });
  });

  it('counts the wait of a dispatch that failed, and still knows the cache had no answer', async () => {
    const clock = manualClock();
    const call = new ObservedCall('complete', 'grpc', clock.now);
    const failing = call.timeDispatch(
      async () => {
        clock.advance(120);
        throw new Unavailable('every region failed');
      },
      () => 5,
    );
    await expect(failing).rejects.toThrow('every region failed');
    clock.advance(2);

    expect(measureGatewayCall(call, clock.now(), 'unavailable')).toMatchObject({
      durationMs: 122,
      overheadMs: 2,
      attributes: { outcome: 'unavailable', cache: 'miss' },
    });
  });

  it('never lets a report count for more than the wait it happened in', async () => {
    const clock = manualClock();
    const call = new ObservedCall('complete', 'grpc', clock.now);
    // Attempt durations are rounded to whole milliseconds by the region router.
    await call.timeDispatch(
      async () => {
        clock.advance(0.4);
        return {};
      },
      () => 1,
    );
    expect(call.upstreamMs).toBeCloseTo(0.4, 9);
    expect(measureGatewayCall(call, clock.now(), 'ok').overheadMs).toBe(0);
  });

  it('times a stream from its opening to its end, the gaps spent forwarding deltas included', async () => {
    const clock = manualClock();
    const call = new ObservedCall('stream_complete', 'grpc', clock.now);
    clock.advance(5); // before the upstream: router, cache, queue
    async function* upstream() {
      clock.advance(20); // time to first token
      yield 'a';
      clock.advance(10);
      yield 'b';
    }
    for await (const piece of call.timeStream(upstream)) {
      expect(['a', 'b']).toContain(piece);
      clock.advance(3); // writing the delta to the caller
    }
    clock.advance(1);

    const measured = measureGatewayCall(call, clock.now(), 'ok');
    expect(call.upstreamMs).toBe(36);
    expect(measured).toMatchObject({ durationMs: 42, overheadMs: 6 });
  });

  it('stops timing an upstream stream when its consumer abandons it', async () => {
    const clock = manualClock();
    const call = new ObservedCall('stream_complete', 'http', clock.now);
    async function* upstream() {
      clock.advance(10);
      yield 1;
      clock.advance(1_000);
      yield 2;
    }
    for await (const value of call.timeStream(upstream)) {
      if (value === 1) break;
    }
    expect(call.upstreamMs).toBe(10);
  });
});

describe('cacheLabelOf', () => {
  const base = { operation: 'complete' as const, cacheBypassed: false, cacheAnswer: undefined, dispatched: false };

  it('names a cache answer by its kind', () => {
    expect(cacheLabelOf({ ...base, cacheAnswer: 'semantic' })).toBe('semantic');
    expect(cacheLabelOf({ ...base, cacheAnswer: 'exact', dispatched: false })).toBe('exact');
  });

  it('says bypass, not miss, when the caller asked to skip the lookup', () => {
    expect(cacheLabelOf({ ...base, cacheAnswer: 'miss', cacheBypassed: true })).toBe('bypass');
    expect(cacheLabelOf({ ...base, cacheAnswer: 'miss' })).toBe('miss');
  });

  it('infers a miss for a failed completion that had reached an upstream', () => {
    expect(cacheLabelOf({ ...base, dispatched: true })).toBe('miss');
    expect(cacheLabelOf({ ...base, dispatched: true, cacheBypassed: true })).toBe('bypass');
  });

  it('says none for embeddings and for requests refused before the cache', () => {
    expect(cacheLabelOf({ ...base, operation: 'embed', cacheAnswer: 'miss', dispatched: true })).toBe('none');
    expect(cacheLabelOf(base)).toBe('none');
    expect(cacheLabelOf({ ...base, cacheBypassed: true })).toBe('none');
  });
});

describe('outcomeOfError', () => {
  it('names a Switchyard error like the gRPC status code it maps to', () => {
    expect(outcomeOfError(new ResourceExhausted('queue full'))).toBe('resource_exhausted');
    expect(outcomeOfError(new FailedPrecondition('nope'))).toBe('failed_precondition');
    expect(outcomeOfError(new Cancelled('caller left'))).toBe('cancelled');
  });

  it('calls anything else internal', () => {
    expect(outcomeOfError(new TypeError('x is undefined'))).toBe('internal');
    expect(outcomeOfError('a string')).toBe('internal');
  });
});
