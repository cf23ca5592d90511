export { breakerVerdict, type AttemptEffects, type AttemptOutcome, type AttemptReport } from './attempt-report';
export { chooseRegion, type Blocked, type ChoosePolicy, type RegionDecision, type RegionSnapshot } from './choose-region';
export {
  itemDeadline,
  type AttemptRecord,
  type CompletionDispatch,
  type CompletionItem,
  type CompletionValue,
  type DispatchOutcome,
  type DispatchRequest,
  type EmbeddingDispatch,
  type EmbeddingItem,
  type EmbeddingValue,
  type ItemResult,
} from './dispatch-request';
export { Dispatcher, type DispatcherOptions } from './dispatcher';
export { Failover, type AroundAttempt, type AttemptEvent, type AttemptInfo, type AttemptResult, type Usage, type WorkKind } from './failover';
export { cooldownFromReport, reportedShare, shareAt, type RateLimitReport } from './rate-limit-report';
export { DEFAULT_BREAKER_OPTIONS, RegionBreaker, type BreakerOptions, type BreakerState } from './region-breaker';
export {
  RegionConfigSchema,
  RegionNameSchema,
  RegionsSchema,
  defaultRegions,
  localBaseUrls,
  servesModel,
  upstreamModelName,
  type RegionConfig,
} from './region-config';
export {
  DEFAULT_REGION_DISTANCES,
  DEFAULT_UNKNOWN_DISTANCE,
  RegionDistancesSchema,
  regionDistance,
  type RegionDistance,
  type RegionDistanceTable,
} from './region-distance';
export {
  DEFAULT_HEALTH_OPTIONS,
  RegionRouter,
  type AttemptTicket,
  type ChooseOptions,
  type RegionHealthState,
  type RegionRouterOptions,
  type RegionStats,
  type RegionStatus,
} from './region-router';
export { type QuotaObservation, type RegionHealthOptions } from './region-state';
export { SlidingWindowLoad, type Reservation, type SlidingWindowOptions } from './sliding-window-load';
export { ANY_TENANT, Residency, TenantRegionsSchema, unknownResidencyRegions, type TenantRegions } from './tenant-residency';
export {
  CHAT_ROLES,
  UpstreamError,
  type ChatMessage,
  type ChatRole,
  type UpstreamCallOptions,
  type UpstreamClient,
  type UpstreamCompletion,
  type UpstreamCompletionRequest,
  type UpstreamEmbeddingRequest,
  type UpstreamEmbeddings,
  type UpstreamErrorDetails,
} from './upstream-client';
