import { gatewayV1, type batcherV1, type cacheV1, type queueV1, type regionV1 } from '@switchyard/contracts';
import { currentCallScope } from '@switchyard/service-kit';
import type { IntervalTimers } from '../../src/pipeline/lease';
import type { GatewayPorts, PipelineObserver } from '../../src/pipeline/ports';
import type { CompleteInput } from '../../src/validation/validate-request';

export const completeInput: CompleteInput = {
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
  cacheNoStore: false,
};

export const miss = async (): Promise<cacheV1.LookupResponse> => ({
  status: gatewayV1.CacheStatus.CACHE_STATUS_MISS,
  content: '',
  usage: undefined,
  similarity: 0.4,
  entryKey: '',
  rejectedReason: '',
});

export const hit = (content: string, status = gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC) => async (): Promise<cacheV1.LookupResponse> => ({
  status,
  content,
  usage: { inputTokens: 14, outputTokens: 2 },
  similarity: 0.97,
  entryKey: 'entry-1',
  rejectedReason: '',
});

/** A region-router stream: `started`, one delta per piece, `finished`; optional failure after some pieces. */
export function upstreamStream(pieces: string[], options: { failAfter?: number; error?: Error } = {}) {
  return async function* (): AsyncGenerator<regionV1.StreamDispatchResponse> {
    yield { event: { $case: 'started', value: { region: 'westus', attempts: 2, reason: 'eastus cooling down' } } };
    for (const [i, content] of pieces.entries()) {
      if (options.failAfter !== undefined && i >= options.failAfter) throw options.error ?? new Error('upstream broke');
      yield { event: { $case: 'delta', value: { content } } };
    }
    yield { event: { $case: 'finished', value: { inputTokens: 14, outputTokens: pieces.length, finishReason: 'stop' } } };
  };
}

/** Ports backed by plain objects that record what the pipeline asked of them. */
export function fakePorts(lookup: () => Promise<cacheV1.LookupResponse> = miss) {
  const calls: string[] = [];
  const stored: cacheV1.StoreRequest[] = [];
  const released: queueV1.ReleaseRequest[] = [];
  const renewed: queueV1.RenewRequest[] = [];
  const releaseScopes: Array<AbortSignal | undefined> = [];
  let stream = upstreamStream(['Paris', ' is', ' the capital.']);
  const ports: GatewayPorts & { setStream(s: () => AsyncGenerator<regionV1.StreamDispatchResponse>): void } = {
    setStream: (s) => (stream = s),
    modelRouter: {
      select: async () => ({ model: 'gpt-4o-mini', tier: 'simple', reason: 'simple prompt', fallbacks: [], complexity: 0.1, estimatedInputTokens: 10 }),
      listModels: async () => ({ models: [] }),
    },
    cache: {
      lookup: async () => {
        calls.push('lookup');
        return lookup();
      },
      store: async (req) => {
        calls.push('store');
        stored.push(req);
        return { stored: true } as cacheV1.StoreResponse;
      },
    },
    queue: {
      acquire: async (req) => {
        calls.push(`acquire:${req.pool}:${req.tenant}:${req.priority}`);
        return { leaseId: 'lease-1', queueWaitMs: 7, leaseTtlMs: 30_000 };
      },
      release: async (req) => {
        calls.push('release');
        releaseScopes.push(currentCallScope()?.signal);
        released.push(req);
        return { released: true };
      },
      renew: async (req) => {
        renewed.push(req);
        return { renewed: true };
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
        } as batcherV1.ExecuteResponse;
      },
    },
    regionRouter: {
      streamDispatch: (req) => {
        calls.push(`stream:${req.model}:${req.userRegion}:${req.tenant}`);
        return stream();
      },
    },
  };
  return { ports, calls, stored, released, renewed, releaseScopes };
}

export function recordingObserver() {
  const events: string[] = [];
  const observer: PipelineObserver = { degraded: (event) => events.push(event) };
  return { observer, events };
}

/** Interval timers the test fires by hand. */
export function manualIntervals() {
  const active = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: IntervalTimers = {
    setInterval: (callback, ms) => {
      active.set(next, { callback, ms });
      return next++;
    },
    clearInterval: (handle) => void active.delete(handle as number),
  };
  return { timers, active, fire: () => [...active.values()].forEach((t) => t.callback()) };
}

/** Lets fire-and-forget work (release, store) run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
