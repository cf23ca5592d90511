import { z } from 'zod';
import { envAddress, envInt, envJson, envPort, grpcServerSettings } from '@switchyard/service-kit';
import { apiKeysSchema } from './auth/api-key-config';
import { tenantLimitsSchema } from './limits/limit-config';

/** Settings of the api-gateway; every key is an environment variable (see docs/configuration.md). */
export const gatewayConfigSchema = z.object({
  ...grpcServerSettings(50051),
  /** The OpenAI-compatible HTTP API (/v1/chat/completions, /v1/embeddings, /v1/models). */
  GATEWAY_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_HTTP_PORT: envPort(8080),
  /** Larger HTTP bodies are refused with 413 before they are parsed. */
  GATEWAY_HTTP_MAX_BODY_BYTES: envInt(4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
  QUEUE_ADDRESS: envAddress('127.0.0.1:50052'),
  CACHE_ADDRESS: envAddress('127.0.0.1:50053'),
  BATCHER_ADDRESS: envAddress('127.0.0.1:50054'),
  MODEL_ROUTER_ADDRESS: envAddress('127.0.0.1:50055'),
  /** Streamed completions skip the batcher and stream from the region router directly. */
  REGION_ROUTER_ADDRESS: envAddress('127.0.0.1:50056'),
  /**
   * JSON object mapping API key -> tenant. A key is either `sha256:<64 hex digits>` (its digest, for config that
   * must not hold the key itself) or the plain key. The defaults are development keys: replace them in any deployment.
   */
  API_KEYS: envJson(apiKeysSchema, { 'sk-switchyard-dev-a': 'team-a', 'sk-switchyard-dev-b': 'team-b' }),
  /** A file holding the API_KEYS JSON (a mounted secret); when set it replaces API_KEYS. */
  API_KEYS_FILE: z.string().min(1).optional(),
  /** Deadline applied when a caller sets none, so nothing can wait in the queue forever. */
  GATEWAY_DEFAULT_DEADLINE_MS: envInt(60_000, 1),
  /** Upper bound of `x-switchyard-timeout-ms`. */
  GATEWAY_MAX_DEADLINE_MS: envInt(600_000, 1),
  GATEWAY_MAX_MESSAGES: envInt(256, 1),
  /** UTF-8 bytes of one message's content (or one embedding input). */
  GATEWAY_MAX_MESSAGE_BYTES: envInt(512 * 1024, 1),
  /** UTF-8 bytes of all messages (or embedding inputs) of one request together. */
  GATEWAY_MAX_REQUEST_BYTES: envInt(1024 * 1024, 1),
  GATEWAY_MAX_OUTPUT_TOKENS: envInt(131_072, 1),
  GATEWAY_MAX_EMBED_INPUTS: envInt(2048, 1),
  DEFAULT_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** How long the model catalog (GET /v1/models, embedding model checks) is reused before asking the model router again. */
  GATEWAY_CATALOG_TTL_MS: envInt(30_000, 0),
  /** Requests per minute per tenant when TENANT_LIMITS names none; 0 means no limit. */
  GATEWAY_TENANT_RPM: envInt(0, 0),
  /** Tokens (prompt + completion) per minute per tenant when TENANT_LIMITS names none; 0 means no limit. */
  GATEWAY_TENANT_TPM: envInt(0, 0),
  /** JSON map tenant -> {"rpm": n, "tpm": n}; a missing or 0 value means no limit on that dimension. */
  TENANT_LIMITS: envJson(tenantLimitsSchema, {}),
  /** When set, tenant limits are shared by every gateway replica through this Redis; otherwise each replica counts alone. */
  REDIS_URL: z.string().url().optional(),
  /** Prefix of every Redis key the gateway writes. */
  GATEWAY_REDIS_KEY_PREFIX: z.string().default('switchyard:gateway:'),
  /** A Redis command slower than this counts as a Redis failure (the replica then counts alone for that request). */
  GATEWAY_REDIS_TIMEOUT_MS: envInt(250, 1),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
