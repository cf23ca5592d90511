import { z } from 'zod';
import { envInt, envJson, envNumber, grpcServerSettings } from '@switchyard/service-kit';
import {
  DEFAULT_REGION_DISTANCES,
  DEFAULT_UNKNOWN_DISTANCE,
  RegionDistancesSchema,
  RegionsSchema,
  TenantRegionsSchema,
  defaultRegions,
  localBaseUrls,
  unknownResidencyRegions,
} from './routing';

/** `npm start` runs one upstream-sim per region on these ports. */
export const SIM_PORTS = { eastus: 8401, westus: 8402, westeurope: 8403, eastasia: 8404 };

/** Settings of the region-router; every key is an environment variable (see docs/configuration.md). */
export const regionRouterConfigSchema = z
  .object({
    ...grpcServerSettings(50056),
    /** JSON list of regions: name, baseUrl, provider (openai|azure), apiKeyEnv, apiVersion, capacityTpm, capacityRpm, deployments. */
    REGIONS: envJson(RegionsSchema, defaultRegions(localBaseUrls(SIM_PORTS))),
    /** JSON map tenant -> regions it may use (data residency); "*" applies to unlisted tenants. */
    TENANT_REGIONS: envJson(TenantRegionsSchema, {}),
    /** JSON map "a:b" -> distance used to break load ties. */
    REGION_DISTANCES: envJson(RegionDistancesSchema, DEFAULT_REGION_DISTANCES),
    REGION_UNKNOWN_DISTANCE: envNumber(DEFAULT_UNKNOWN_DISTANCE, 0),
    REGION_LOAD_WINDOW_MS: envInt(60_000, 1000),
    REGION_LOAD_BUCKET_MS: envInt(1000, 10),
    REGION_PREFER_THRESHOLD: envNumber(0.8, 0, 1),
    REGION_SATURATION_THRESHOLD: envNumber(0.9, 0, 1),
    REGION_DEFAULT_RETRY_AFTER_MS: envInt(1000, 0),
    REGION_MAX_COOLDOWN_MS: envInt(60_000, 0),
    /** The breaker opens when more than this share of the recent requests to a region failed. */
    REGION_BREAKER_FAILURE_RATIO: envNumber(0.5, 0.01, 0.99),
    /** ...with at least this many requests in the sample. */
    REGION_BREAKER_MIN_REQUESTS: envInt(10, 1, 10_000),
    /** Recent requests the failure ratio is taken over. */
    REGION_BREAKER_WINDOW_REQUESTS: envInt(20, 1, 10_000),
    /** Open time before the half-open probe; doubles after each failed probe up to the max. */
    REGION_BREAKER_HALF_OPEN_AFTER_MS: envInt(5_000, 1),
    REGION_BREAKER_MAX_HALF_OPEN_AFTER_MS: envInt(60_000, 1),
    /** While failover is still possible, one attempt may use at most this share of the time left to the deadline. */
    REGION_ATTEMPT_DEADLINE_SHARE: envNumber(0.5, 0.05, 1),
    REGION_LATENCY_EWMA_ALPHA: envNumber(0.2, 0.01, 1),
    DEFAULT_MAX_TOKENS_ESTIMATE: envInt(256, 1),
    UPSTREAM_TIMEOUT_MS: envInt(60_000, 100),
  })
  .superRefine((config, ctx) => {
    for (const message of unknownResidencyRegions(config.TENANT_REGIONS, config.REGIONS.map((r) => r.name))) {
      ctx.addIssue({ code: 'custom', path: ['TENANT_REGIONS'], message });
    }
    if (config.REGION_BREAKER_MIN_REQUESTS > config.REGION_BREAKER_WINDOW_REQUESTS) {
      ctx.addIssue({ code: 'custom', path: ['REGION_BREAKER_MIN_REQUESTS'], message: 'must not exceed REGION_BREAKER_WINDOW_REQUESTS' });
    }
    if (config.REGION_BREAKER_MAX_HALF_OPEN_AFTER_MS < config.REGION_BREAKER_HALF_OPEN_AFTER_MS) {
      ctx.addIssue({ code: 'custom', path: ['REGION_BREAKER_MAX_HALF_OPEN_AFTER_MS'], message: 'must be at least REGION_BREAKER_HALF_OPEN_AFTER_MS' });
    }
    if (config.REGION_PREFER_THRESHOLD > config.REGION_SATURATION_THRESHOLD) {
      ctx.addIssue({ code: 'custom', path: ['REGION_PREFER_THRESHOLD'], message: 'must not exceed REGION_SATURATION_THRESHOLD' });
    }
  });

export type RegionRouterConfig = z.infer<typeof regionRouterConfigSchema>;
