import { inferenceV1, regionV1 } from '@switchyard/contracts';
import { InvalidArgument, toGrpcError, unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import type { AttemptRecord, DispatchOutcome, DispatchRequest, Dispatcher, ItemResult, RegionRouter, RegionStatus, Residency } from './routing';

/** Builds the dispatcher for one call; it is per call so its attempt spans can join each item's own trace. */
export type DispatcherFor = (traceparents: readonly string[]) => Dispatcher;

/** More items than any batcher sends in one batch (its cap is 4096). */
const MAX_ITEMS = 4096;

const STATE: Record<RegionStatus['state'], regionV1.RegionState> = {
  healthy: regionV1.RegionState.REGION_STATE_HEALTHY,
  cooling: regionV1.RegionState.REGION_STATE_COOLING,
  open: regionV1.RegionState.REGION_STATE_OPEN,
  'half-open': regionV1.RegionState.REGION_STATE_HALF_OPEN,
};

/** gRPC handlers of RegionRouterService: proto batch <-> domain dispatch, per-item errors as status codes. */
export function regionRouterBinding(
  router: RegionRouter,
  residency: Residency,
  dispatcherFor: DispatcherFor,
  logger: Logger,
  // Built in streaming/ (StreamDispatch streams one completion; see streaming/index.ts).
  streamDispatch: regionV1.RegionRouterServiceServer['streamDispatch'],
): ServiceBinding {
  const implementation: regionV1.RegionRouterServiceServer = {
    streamDispatch,
    dispatch: unary(logger, 'Dispatch', async (request: regionV1.DispatchRequest, ctx): Promise<regionV1.DispatchResponse> => {
      const domainRequest = toDomainRequest(request, ctx.deadline?.getTime(), ctx.signal);
      const dispatcher = dispatcherFor(request.items.map((item) => item.traceparent));
      const outcome: DispatchOutcome<unknown> =
        domainRequest.kind === 'completion' ? await dispatcher.dispatch(domainRequest) : await dispatcher.dispatch(domainRequest);
      return {
        results: outcome.results.map((result, i) => toProtoResult(request.items[i]!.itemId, domainRequest.kind, result)),
        upstreamCallsSaved: outcome.upstreamCallsSaved,
      };
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
    listRegions: unary(logger, 'ListRegions', async (request: regionV1.ListRegionsRequest): Promise<regionV1.ListRegionsResponse> => {
      if (request.tenant.length > 128) throw new InvalidArgument('tenant', 'must be at most 128 characters');
      const allowed = request.tenant === '' ? undefined : residency.allowedFor(request.tenant);
      const statuses = router.status();
      return {
        regions: statuses.map((s) => toProtoStatus(s, request.tenant !== '' && (allowed === undefined || allowed.includes(s.region)))),
        preferThreshold: router.policy.preferThreshold,
        saturationThreshold: router.policy.saturationThreshold,
        tenantRegions: request.tenant === '' ? [] : (allowed ?? statuses.map((s) => s.region)).slice(),
      };
    }),
  };
  return { name: 'switchyard.region.v1.RegionRouterService', definition: regionV1.RegionRouterServiceService, implementation };
}

function toDomainRequest(request: regionV1.DispatchRequest, deadlineMs: number | undefined, signal: AbortSignal): DispatchRequest {
  if (request.items.length > MAX_ITEMS) throw new InvalidArgument('items', `${request.items.length} items exceed the limit of ${MAX_ITEMS}`);
  const base = { model: request.model, userRegion: request.userRegion, deadlineMs, signal };
  const context = (item: regionV1.DispatchItem) => {
    const own = Number(item.deadlineUnixMs);
    return { tenant: item.tenant, deadlineMs: own > 0 ? own : undefined };
  };
  switch (request.kind) {
    case inferenceV1.WorkKind.WORK_KIND_COMPLETION:
      return {
        ...base,
        kind: 'completion',
        items: request.items.map((item) => ({
          ...context(item),
          messages: item.completion?.messages ?? [],
          temperature: item.completion?.temperature ?? 0,
          maxTokens: item.completion?.maxTokens ?? 0,
        })),
      };
    case inferenceV1.WorkKind.WORK_KIND_EMBEDDING:
      return { ...base, kind: 'embedding', items: request.items.map((item) => ({ ...context(item), inputs: item.embedding?.inputs ?? [] })) };
    default:
      throw new InvalidArgument('kind', 'must be WORK_KIND_COMPLETION or WORK_KIND_EMBEDDING');
  }
}

function toProtoAttempt(record: AttemptRecord): inferenceV1.UpstreamAttempt {
  return {
    region: record.region,
    outcome: record.outcome,
    httpStatus: record.httpStatus ?? 0,
    durationMs: Math.max(0, Math.round(record.durationMs)),
    note: record.note,
  };
}

function toProtoResult(itemId: string, kind: DispatchRequest['kind'], result: ItemResult<unknown>): regionV1.DispatchResult {
  const upstream = { reason: result.ok ? result.reason : '', tried: result.tried.map(toProtoAttempt) };
  const empty = { itemId, completion: undefined, embedding: undefined, error: undefined, region: '', attempts: result.attempts, upstream };
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

function toProtoStatus(s: RegionStatus, allowedForTenant: boolean): regionV1.RegionStatus {
  const whole = (n: number | undefined) => Math.max(0, Math.round(n ?? 0));
  return {
    name: s.region,
    provider: s.provider,
    state: STATE[s.state],
    stateReason: s.stateReason,
    coolingUntilUnixMs: String(whole(s.coolingUntil)),
    probeAfterUnixMs: String(whole(s.probeAfter)),
    load: s.load,
    tpmShare: s.tpmShare,
    rpmShare: s.rpmShare,
    saturated: s.saturated,
    windowTokens: s.windowTokens,
    windowRequests: s.windowRequests,
    capacityTpm: s.capacityTpm,
    capacityRpm: s.capacityRpm ?? 0,
    inFlight: s.inFlight,
    latencyEwmaMs: s.latencyEwmaMs ?? 0,
    requestsTotal: String(s.requests),
    errorsTotal: String(s.errors),
    throttledTotal: String(s.throttled),
    timeoutsTotal: String(s.timeouts),
    breakerOpensTotal: String(s.breakerOpens),
    upstreamQuota: s.quota && {
      limitTokens: whole(s.quota.limitTokens),
      remainingTokens: whole(s.quota.remainingTokens),
      limitRequests: whole(s.quota.limitRequests),
      remainingRequests: whole(s.quota.remainingRequests),
      observedUnixMs: String(whole(s.quota.at)),
    },
    deployments: { ...s.deployments },
    allowedForTenant,
  };
}
