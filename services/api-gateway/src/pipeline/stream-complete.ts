import { Unavailable } from '@switchyard/service-kit/errors';
import type { gatewayV1 } from '@switchyard/contracts';
import type { CompleteInput } from '../validation/validate-request';
import { holdLease, type IntervalTimers } from './lease';
import { planCompletion, storeAnswer } from './plan-completion';
import type { GatewayPorts, PipelineObserver } from './ports';

export type CompletionStreamEvent =
  | { type: 'started'; route: gatewayV1.Route }
  | { type: 'delta'; content: string }
  | { type: 'finished'; usage: gatewayV1.Usage; finishReason: string };

/**
 * A completion as a stream of events: `started` with the route, `delta`s, `finished` with usage. Same path as
 * completeRequest up to the queue, then one upstream stream through the region router instead of the batcher.
 * The lease is held (and renewed) for the stream's life and released however it ends: completed, failed, or
 * abandoned by the consumer (which stops iterating, or cancels the call scope). Only a completed answer is
 * stored in the cache; a cache hit streams the cached answer as one delta.
 */
export async function* streamCompleteRequest(
  tenant: string,
  input: CompleteInput,
  ports: Pick<GatewayPorts, 'modelRouter' | 'cache' | 'queue' | 'regionRouter'>,
  observer: PipelineObserver,
  timers?: IntervalTimers,
): AsyncGenerator<CompletionStreamEvent, void, undefined> {
  const { route, cacheKey, hit } = await planCompletion(tenant, input, ports, observer);
  if (hit) {
    yield { type: 'started', route };
    if (hit.content !== '') yield { type: 'delta', content: hit.content };
    yield { type: 'finished', usage: hit.usage, finishReason: 'stop' };
    return;
  }

  const lease = await holdLease(ports.queue, { pool: route.model, tenant, priority: input.priority }, observer, timers);
  route.queueWaitMs = lease.queueWaitMs;
  let usage: gatewayV1.Usage | undefined;
  try {
    const upstream = ports.regionRouter.streamDispatch({
      model: route.model,
      userRegion: input.userRegion,
      tenant,
      completion: { messages: input.messages, temperature: input.temperature, maxTokens: input.maxTokens },
    });
    let started = false;
    let finishReason = '';
    const parts: string[] = [];
    for await (const { event } of upstream) {
      if (event?.$case === 'started') Object.assign(route, { region: event.value.region, attempts: event.value.attempts });
      // The route goes out as soon as an upstream accepted the request, before its first token.
      if (!started && (event?.$case === 'started' || event?.$case === 'delta')) {
        started = true;
        yield { type: 'started', route: { ...route } };
      }
      if (event?.$case === 'delta') {
        parts.push(event.value.content);
        yield { type: 'delta', content: event.value.content };
      } else if (event?.$case === 'finished') {
        usage = { inputTokens: event.value.inputTokens, outputTokens: event.value.outputTokens };
        finishReason = event.value.finishReason || 'stop';
      }
    }
    if (!usage) throw new Unavailable('region-router ended the stream before the answer was complete');
    if (!started) yield { type: 'started', route: { ...route } };
    if (!input.cacheNoStore) storeAnswer(ports, observer, cacheKey, parts.join(''), usage);
    yield { type: 'finished', usage, finishReason };
  } finally {
    lease.release(usage);
  }
}
