import { z } from 'zod';
import { envAddress, envInt, envJson, grpcServerSettings } from '@switchyard/service-kit';

const apiKeys = z
  .record(z.string().min(8, 'API keys must be at least 8 characters'), z.string().min(1, 'tenant must not be empty'))
  .refine((keys) => Object.keys(keys).length > 0, 'at least one API key is required');

/** Settings of the api-gateway; every key is an environment variable (see README). */
export const gatewayConfigSchema = z.object({
  ...grpcServerSettings(50051),
  QUEUE_ADDRESS: envAddress('127.0.0.1:50052'),
  CACHE_ADDRESS: envAddress('127.0.0.1:50053'),
  BATCHER_ADDRESS: envAddress('127.0.0.1:50054'),
  MODEL_ROUTER_ADDRESS: envAddress('127.0.0.1:50055'),
  /** JSON object mapping API key -> tenant. The defaults are development keys: replace them in any deployment. */
  API_KEYS: envJson(apiKeys, { 'sk-switchyard-dev-a': 'team-a', 'sk-switchyard-dev-b': 'team-b' }),
  /** Deadline applied when a caller sets none, so nothing can wait in the queue forever. */
  GATEWAY_DEFAULT_DEADLINE_MS: envInt(60_000, 1),
  GATEWAY_MAX_MESSAGES: envInt(256, 1),
  GATEWAY_MAX_EMBED_INPUTS: envInt(2048, 1),
  DEFAULT_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
