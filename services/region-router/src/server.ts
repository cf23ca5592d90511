import { inferenceV1, regionV1 } from '@switchyard/contracts';
import { InvalidArgument, toGrpcError, unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import type { DispatchRequest, Dispatcher, ItemResult, RegionRouter } from './routing';

/** Builds the dispatcher for one call; it is per call so its attempt spans can join each item's own trace. */
export type DispatcherFor = (traceparents: readonly string[]) => Dispatcher;

/** gRPC handlers of RegionRouterService: proto batch <-> domain dispatch, per-item errors as status codes. */
export function regionRouterBinding(router: RegionRouter, dispatcherFor: DispatcherFor, logger: Logger): ServiceBinding {
  const implementation: regionV1.RegionRouterServiceServer = {
    dispatch: unary(logger, 'Dispatch', async (request: regionV1.DispatchRequest, ctx): Promise<regionV1.DispatchResponse> => {
      const domainRequest = toDomainRequest(request, ctx.deadline?.getTime(), ctx.signal);
      const dispatcher = dispatcherFor(request.items.map((item) => item.traceparent));
      const results: ItemResult<unknown>[] =
        domainRequest.kind === 'completion' ? await dispatcher.dispatch(domainRequest) : await dispatcher.dispatch(domainRequest);
      return { results: results.map((result, i) => toProtoResult(request.items[i]!.itemId, domainRequest.kind, result)) };
    }),
    stats: unary(logger, 'Stats', async (): Promise<regionV1.StatsResponse> => ({
      regions: router.stats().map((s) => ({
        name: s.region,
        capacityTpm: s.capacityTpm,
        load: s.load,
        requestsTotal: String(s.requests),
        errorsTotal: String(s.errors),
        throttledTotal: String(s.throttled),
        latencyEwmaMs: s.latencyEwmaMs ?? 0,
        cooldownMs: Math.ceil(s.cooldownMsLeft),
      })),
    })),
  };
  return { name: 'switchyard.region.v1.RegionRouterService', definition: regionV1.RegionRouterServiceService, implementation };
}

function toDomainRequest(request: regionV1.DispatchRequest, deadlineMs: number | undefined, signal: AbortSignal): DispatchRequest {
  const base = { model: request.model, userRegion: request.userRegion, deadlineMs, signal };
  switch (request.kind) {
    case inferenceV1.WorkKind.WORK_KIND_COMPLETION:
      return {
        ...base,
        kind: 'completion',
        items: request.items.map((item) => ({
          messages: item.completion?.messages ?? [],
          temperature: item.completion?.temperature ?? 0,
          maxTokens: item.completion?.maxTokens ?? 0,
        })),
      };
    case inferenceV1.WorkKind.WORK_KIND_EMBEDDING:
      return { ...base, kind: 'embedding', items: request.items.map((item) => ({ inputs: item.embedding?.inputs ?? [] })) };
    default:
      throw new InvalidArgument('kind', 'must be WORK_KIND_COMPLETION or WORK_KIND_EMBEDDING');
  }
}

function toProtoResult(itemId: string, kind: DispatchRequest['kind'], result: ItemResult<unknown>): regionV1.DispatchResult {
  const empty = { itemId, completion: undefined, embedding: undefined, error: undefined, region: '', attempts: result.attempts };
  if (!result.ok) {
    const { code, details, metadata } = toGrpcError(result.error);
    const retryAfter = Number(metadata.get('retry-after-ms')[0] ?? 0);
    return { ...empty, error: { code, message: details, retryAfterMs: retryAfter } };
  }
  if (kind === 'completion') {
    const value = result.value as { content: string; inputTokens: number; outputTokens: number; finishReason: string };
    return {
      ...empty,
      region: result.region,
      completion: { content: value.content, usage: { inputTokens: value.inputTokens, outputTokens: value.outputTokens }, finishReason: value.finishReason },
    };
  }
  const value = result.value as { vectors: number[][]; inputTokens: number };
  return {
    ...empty,
    region: result.region,
    embedding: { embeddings: value.vectors.map((values) => ({ values })), usage: { inputTokens: value.inputTokens, outputTokens: 0 } },
  };
}
