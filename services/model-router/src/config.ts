import { z } from 'zod';
import { envInt, envJson, envNumber, grpcServerSettings } from '@switchyard/service-kit';
import { defaultCatalog, modelCatalogSchema } from './catalog';

/** Settings of the model-router; every key is an environment variable (see README). */
export const modelRouterConfigSchema = z.object({
  ...grpcServerSettings(50055),
  /** JSON array of catalog entries (name, tier, costs, latency, quality, context window, capabilities). */
  MODEL_CATALOG: envJson(modelCatalogSchema, defaultCatalog),
  ROUTER_SIMPLE_BELOW: envNumber(0.3, 0, 1),
  ROUTER_STANDARD_BELOW: envNumber(0.7, 0, 1),
  ROUTER_DEFAULT_MAX_OUTPUT_TOKENS: envInt(1024, 1),
});
