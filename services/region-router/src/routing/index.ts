export { systemClock, systemTimers, type Clock, type Timers } from './clock';
export { chooseRegion, type ChoosePolicy, type RegionDecision, type RegionSnapshot } from './choose-region';
export {
  type CompletionDispatch,
  type CompletionItem,
  type CompletionValue,
  type DispatchRequest,
  type EmbeddingDispatch,
  type EmbeddingItem,
  type EmbeddingValue,
  type ItemResult,
} from './dispatch-request';
export {
  Dispatcher,
  type AttemptEvent,
  type AttemptInfo,
  type DispatcherOptions,
  type WorkKind,
} from './dispatcher';
export { RegionConfigSchema, RegionsSchema, defaultRegions, localBaseUrls, type RegionConfig } from './region-config';
export {
  DEFAULT_REGION_DISTANCES,
  DEFAULT_UNKNOWN_DISTANCE,
  RegionDistancesSchema,
  regionDistance,
  type RegionDistance,
  type RegionDistanceTable,
} from './region-distance';
export { DEFAULT_HEALTH_OPTIONS, type RegionHealthOptions } from './region-health';
export { RegionRouter, type ChooseOptions, type RegionRouterOptions, type RegionStats } from './region-router';
export { SlidingWindowLoad, type Reservation, type SlidingWindowOptions } from './sliding-window-load';
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
} from './upstream-client';
