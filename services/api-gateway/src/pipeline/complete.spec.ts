import { gatewayV1, type batcherV1, type cacheV1, type queueV1 } from '@switchyard/contracts';
import { ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import type { CompleteInput } from '../validation/validate-request';
import { completeRequest } from './complete';
import type { GatewayPorts, PipelineObserver } from './ports';

const input: CompleteInput = {
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  priority: 3,
  model: '',
  userRegion: 'eastus',
  requireReasoning: false,
  maxLatencyMs: 0,
  temperature: 0,
  maxTokens: 64,
  cacheSimilarityThreshold: 0,
  cacheBypass: false,
};

function fakePorts(lookup: () => Promise<cacheV1.LookupResponse>) {
  const calls: string[] = [];
  const stored: cacheV1.StoreRequest[] = [];
  const released: queueV1.ReleaseRequest[] = [];
  const ports: GatewayPorts = {
    modelRouter: { select: async () => ({ model: 'gpt-4o-mini', tier: 'simple', reason: 'simple prompt', fallbacks: [], complexity: 0.1, estimatedInputTokens: 10 }) },
    cache: {
      lookup: async () => {
        calls.push('lookup');
        return lookup();
      },
      store: async (req) => {
        calls.push('store');
        stored.push(req);
        return { stored: true };
      },
    },
    queue: {
      acquire: async (req) => {
        calls.push(`acquire:${req.pool}:${req.tenant}:${req.priority}`);
        return { leaseId: 'lease-1', queueWaitMs: 7, leaseTtlMs: 30_000 };
      },
      release: async (req) => {
        calls.push('release');
        released.push(req);
        return { released: true };
      },
    },
    batcher: {
      execute: async (req: batcherV1.ExecuteRequest) => {
        calls.push(`execute:${req.model}:${req.userRegion}`);
        return {
          completion: { content: 'Paris.', usage: { inputTokens: 14, outputTokens: 2 }, finishReason: 'stop' },
          embedding: undefined,
          region: 'eastus',
          batchSize: 3,
          batchWaitMs: 12,
          attempts: 1,
        };
      },
    },
  };
  return { ports, calls, stored, released };
}

const miss = async (): Promise<cacheV1.LookupResponse> => ({ status: gatewayV1.CacheStatus.CACHE_STATUS_MISS, content: '', usage: undefined, similarity: 0.4 });

function recordingObserver() {
  const events: string[] = [];
  const observer: PipelineObserver = { degraded: (event) => events.push(event) };
  return { observer, events };
}

describe('completeRequest', () => {
  it('answers a cache hit without touching the queue or an upstream', async () => {
    const { ports, calls } = fakePorts(async () => ({ status: gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC, content: 'Paris.', usage: { inputTokens: 14, outputTokens: 2 }, similarity: 0.97 }));
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
    expect(calls.slice(0, 3)).toEqual(['lookup', 'acquire:gpt-4o-mini:team-a:3', 'execute:gpt-4o-mini:eastus']);
    await new Promise((resolve) => setImmediate(resolve));
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

  it('skips the lookup when the caller bypasses the cache', async () => {
    const { ports, calls } = fakePorts(miss);
    await completeRequest('team-a', { ...input, cacheBypass: true }, ports, recordingObserver().observer);
    expect(calls).not.toContain('lookup');
  });

  it('releases the lease when the batcher fails and passes the error on', async () => {
    const { ports, released } = fakePorts(miss);
    ports.batcher.execute = async () => {
      throw new ResourceExhausted('all regions at capacity', 1000);
    };
    await expect(completeRequest('team-a', input, ports, recordingObserver().observer)).rejects.toBeInstanceOf(ResourceExhausted);
    await new Promise((resolve) => setImmediate(resolve));
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
});
