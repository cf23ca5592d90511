import { z } from 'zod';
import { envInt, envJson, envNumber, grpcServerSettings } from '@switchyard/service-kit';
import { DEFAULT_REGION_DISTANCES, DEFAULT_UNKNOWN_DISTANCE, RegionDistancesSchema, RegionsSchema, defaultRegions, localBaseUrls } from './routing';

/** `npm start` runs one upstream-sim per region on these ports. */
export const SIM_PORTS = { eastus: 8401, westus: 8402, westeurope: 8403, eastasia: 8404 };

/** Settings of the region-router; every key is an environment variable (see README). */
export const regionRouterConfigSchema = z.object({
  ...grpcServerSettings(50056),
  /** JSON list of regions: name, baseUrl, provider (openai|azure), apiKeyEnv, apiVersion, capacityTpm, capacityRpm. */
  REGIONS: envJson(RegionsSchema, defaultRegions(localBaseUrls(SIM_PORTS))),
  /** JSON map "a:b" -> distance used to break load ties. */
  REGION_DISTANCES: envJson(RegionDistancesSchema, DEFAULT_REGION_DISTANCES),
  REGION_UNKNOWN_DISTANCE: envNumber(DEFAULT_UNKNOWN_DISTANCE, 0),
  REGION_LOAD_WINDOW_MS: envInt(60_000, 1000),
  REGION_LOAD_BUCKET_MS: envInt(1000, 10),
  REGION_PREFER_THRESHOLD: envNumber(0.8, 0, 1),
  REGION_SATURATION_THRESHOLD: envNumber(0.9, 0, 1),
  REGION_DEFAULT_RETRY_AFTER_MS: envInt(1000, 0),
  REGION_MAX_COOLDOWN_MS: envInt(60_000, 0),
  REGION_BREAKER_FAILURES: envInt(5, 1),
  REGION_BREAKER_COOLDOWN_MS: envInt(10_000, 0),
  REGION_LATENCY_EWMA_ALPHA: envNumber(0.2, 0.01, 1),
  DEFAULT_MAX_TOKENS_ESTIMATE: envInt(256, 1),
  UPSTREAM_TIMEOUT_MS: envInt(60_000, 100),
});
