import { gatewayV1 } from '@switchyard/contracts';
import { ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import { completeInput as input, fakePorts, hit, manualIntervals, miss, recordingObserver, settle } from '../../test/support/fake-ports';
import { completeRequest } from './complete';

describe('completeRequest', () => {
  it('answers a cache hit without touching the queue or an upstream', async () => {
    const { ports, calls } = fakePorts(hit('Paris.'));
    const result = await completeRequest('team-a', input, ports, recordingObserver().observer);
    expect(result.content).toBe('Paris.');
    expect(result.route).toMatchObject({ model: 'gpt-4o-mini', tier: 'simple', cache: gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC, region: '', batchSize: 0 });
    expect(result.route.similarity).toBeCloseTo(0.97);
    expect(calls).toEqual(['lookup']);
  });

  it('on a miss queues in the model pool, executes through the batcher, releases with usage and stores the answer', async () => {
    const { ports, calls, stored, released } = fakePorts(miss);
    const result = await completeRequest('team-a', input, ports, recordingObserver().observer);
    expect(result.route).toMatchObject({ cache: gatewayV1.CacheStatus.CACHE_STATUS_MISS, region: 'eastus', queueWaitMs: 7, batchSize: 3, batchWaitMs: 12, attempts: 1, similarity: 0 });
    expect(result.finishReason).toBe('stop');
    expect(calls.slice(0, 3)).toEqual(['lookup', 'acquire:gpt-4o-mini:team-a:3', 'execute:gpt-4o-mini:eastus']);
    await settle();
    expect(released).toEqual([{ pool: 'gpt-4o-mini', leaseId: 'lease-1', usage: { inputTokens: 14, outputTokens: 2 } }]);
    expect(stored[0]).toMatchObject({ key: { tenant: 'team-a', model: 'gpt-4o-mini' }, content: 'Paris.' });
  });

  it('serves the request when the cache is down and reports the degradation', async () => {
    const { ports } = fakePorts(async () => {
      throw new Unavailable('cache is unavailable');
    });
    const { observer, events } = recordingObserver();
    const result = await completeRequest('team-a', input, ports, observer);
    expect(result.content).toBe('Paris.');
    expect(events).toContain('cache-lookup-failed');
  });

  it('skips the lookup when the caller bypasses the cache, and the store too with no-store', async () => {
    const bypass = fakePorts(miss);
    await completeRequest('team-a', { ...input, cacheBypass: true }, bypass.ports, recordingObserver().observer);
    await settle();
    expect(bypass.calls).not.toContain('lookup');
    expect(bypass.calls).toContain('store');
    const noStore = fakePorts(miss);
    await completeRequest('team-a', { ...input, cacheBypass: true, cacheNoStore: true }, noStore.ports, recordingObserver().observer);
    await settle();
    expect(noStore.calls).not.toContain('lookup');
    expect(noStore.calls).not.toContain('store');
  });

  it('releases the lease when the batcher fails and passes the error on', async () => {
    const { ports, released } = fakePorts(miss);
    ports.batcher.execute = async () => {
      throw new ResourceExhausted('all regions at capacity', 1000);
    };
    await expect(completeRequest('team-a', input, ports, recordingObserver().observer)).rejects.toBeInstanceOf(ResourceExhausted);
    await settle();
    expect(released).toHaveLength(1);
  });

  it('never calls the batcher when the queue refuses', async () => {
    const { ports, calls } = fakePorts(miss);
    ports.queue.acquire = async () => {
      throw new ResourceExhausted('queue full', 500);
    };
    await expect(completeRequest('team-a', input, ports, recordingObserver().observer)).rejects.toThrow('queue full');
    expect(calls.some((c) => c.startsWith('execute'))).toBe(false);
  });

  it('renews the lease every third of its TTL while the request runs, and stops at the end', async () => {
    const { ports, renewed } = fakePorts(miss);
    const intervals = manualIntervals();
    let finish!: () => void;
    ports.batcher.execute = async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return { completion: { content: 'ok', usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' }, embedding: undefined, region: 'eastus', batchSize: 1, batchWaitMs: 0, attempts: 1, upstream: undefined };
    };
    const running = completeRequest('team-a', input, ports, recordingObserver().observer, intervals.timers);
    await settle();
    expect([...intervals.active.values()].map((t) => t.ms)).toEqual([10_000]);
    intervals.fire();
    intervals.fire();
    finish();
    await running;
    expect(renewed).toEqual([
      { pool: 'gpt-4o-mini', leaseId: 'lease-1' },
      { pool: 'gpt-4o-mini', leaseId: 'lease-1' },
    ]);
    expect(intervals.active.size).toBe(0);
  });

  it('looks the cache up while the model router selects when the request names its model, and only then', async () => {
    const order: string[] = [];
    const selectGate = fakePorts(miss);
    let selected: () => void = () => undefined;
    selectGate.ports.modelRouter.select = async () => {
      order.push('select:start');
      await new Promise<void>((resolve) => (selected = resolve));
      order.push('select:end');
      return { model: 'gpt-4o', tier: 'standard', reason: 'requested', fallbacks: [], complexity: 0.1, estimatedInputTokens: 10 };
    };
    const lookup = selectGate.ports.cache.lookup;
    selectGate.ports.cache.lookup = (request) => {
      order.push(`lookup:${request.key?.model}`);
      return lookup(request);
    };
    const named = completeRequest('team-a', { ...input, model: 'gpt-4o' }, selectGate.ports, recordingObserver().observer);
    await settle();
    selected();
    await named;
    // Both are under way before the selection answers.
    expect(order).toEqual(['lookup:gpt-4o', 'select:start', 'select:end']);

    order.length = 0;
    const auto = completeRequest('team-a', { ...input, model: '' }, selectGate.ports, recordingObserver().observer);
    await settle();
    selected();
    await auto;
    expect(order).toEqual(['select:start', 'select:end', 'lookup:gpt-4o']);
  });
});
