export { estimateTokens } from './estimate-tokens';
export { gcraAdjust, gcraCheck, type BucketSpec, type BucketVerdict } from './gcra';
export { tenantLimitLookup, tenantLimitsSchema, type TenantLimit, type TenantLimitsConfig } from './limit-config';
export type { BucketCharge, BucketOutcome, RateLimitStore } from './rate-limit-store';
export { TenantRateLimited, type LimitDimension } from './tenant-rate-limited';
export { TenantRateLimiter, type Admission, type QuotaSnapshot, type TenantRateLimiterOptions } from './tenant-rate-limiter';
