export {
  DEFAULT_POOL,
  type AcquireRequest,
  type AdmissionBackend,
  type AdmissionController,
  type AdmissionEvent,
  type AdmissionEventType,
  type Grant,
  type PoolCounters,
  type PoolStats,
} from './admission-controller';
export {
  DEFAULT_POOL_LIMITS,
  DEFAULT_RETRY_HINT,
  poolOverridesSchema,
  resolvePoolLimits,
  resolveRetryHint,
  validateAdmissionConfig,
  type AdmissionConfig,
  type PoolLimits,
  type ResolvedPoolLimits,
  type RetryHintConfig,
} from './pool-config';
export { MAX_MIN_SHARE_PERCENT, MinShare } from './min-share';
export { chooseVictim, type Arrival } from './overload-policy';
export { RetryHint } from './retry-hint';
export { PRIORITIES, Priority, isPriority, parsePriority, priorityName, type PriorityName } from './priority';
export { PriorityRequestQueue, type PriorityRequestQueueOptions } from './priority-request-queue';
export { MAX_NAME_LENGTH, checkLeaseId, checkPoolName, validateAcquire, type ValidAcquire } from './validate-request';
