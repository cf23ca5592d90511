import fs from 'node:fs';
import { defineService, type Logger } from '@switchyard/service-kit';
import { getMeter } from '@switchyard/telemetry';
import { Redis } from 'ioredis';
import { loadApiKeysFile } from './auth/api-key-config';
import { ApiKeyAuthenticator } from './auth/api-keys';
import { gatewayConfigSchema } from './config';
import { FrontDoor } from './front-door/front-door';
import { ModelCatalog } from './front-door/model-catalog';
import { startHttpApi } from './http/http-api';
import { tenantLimitLookup, TenantRateLimiter, type RateLimitStore } from './limits';
import { gatewayMetrics } from './metrics/gateway-metrics';
import type { GatewayPorts, PipelineObserver } from './pipeline/ports';
import { gatewayBinding } from './server';
import { FallbackRateLimitStore } from './store/fallback-rate-limit-store';
import { MemoryRateLimitStore } from './store/memory-rate-limit-store';
import { RedisRateLimitStore } from './store/redis-rate-limit-store';

const HTTP_DRAIN_MS = 10_000;
const REDIS_READY_WAIT_MS = 2_000;

/** What the gateway calls: the other services (gRPC clients, or in-process ones), and how to close them. */
export interface GatewayDeps {
  ports: GatewayPorts;
  close(): void;
}

/** The api-gateway: the gRPC Gateway service and the OpenAI-compatible HTTP API, over one front door. */
export const gatewayService = defineService({
  name: 'api-gateway',
  schema: gatewayConfigSchema,
  build: async (config, logger, deps: GatewayDeps) => {
    const { ports } = deps;
    const observer: PipelineObserver = {
      degraded: (event, err) => logger.warn({ event, err: err instanceof Error ? err.message : String(err) }, 'degraded: request served without this step'),
    };

    const apiKeys = config.API_KEYS_FILE ? loadApiKeysFile(config.API_KEYS_FILE, (path) => fs.readFileSync(path, 'utf8')) : config.API_KEYS;
    const tenants = new Set(Object.values(apiKeys));
    const strangers = Object.keys(config.TENANT_LIMITS).filter((tenant) => !tenants.has(tenant));
    if (strangers.length > 0) logger.warn({ tenants: strangers }, 'TENANT_LIMITS names tenants that no API key maps to');

    const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, config.GATEWAY_REDIS_TIMEOUT_MS, logger) : undefined;
    const local = new MemoryRateLimitStore();
    const store: RateLimitStore = redis
      ? new FallbackRateLimitStore(new RedisRateLimitStore(redis, config.GATEWAY_REDIS_KEY_PREFIX), local, {
          fellBack: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'Redis is not answering: tenant limits are counted per replica until it does'),
          recovered: () => logger.info('Redis answers again: tenant limits are fleet-wide again'),
        })
      : local;
    const limiter = new TenantRateLimiter({
      limitFor: tenantLimitLookup(config.TENANT_LIMITS, { rpm: config.GATEWAY_TENANT_RPM, tpm: config.GATEWAY_TENANT_TPM }),
      store,
      clock: Date.now,
    });

    const frontDoor = new FrontDoor({
      auth: new ApiKeyAuthenticator(apiKeys),
      limiter,
      ports,
      catalog: new ModelCatalog(ports.modelRouter, observer, config.GATEWAY_CATALOG_TTL_MS),
      observer,
      limits: {
        maxMessages: config.GATEWAY_MAX_MESSAGES,
        maxEmbedInputs: config.GATEWAY_MAX_EMBED_INPUTS,
        maxMessageBytes: config.GATEWAY_MAX_MESSAGE_BYTES,
        maxRequestBytes: config.GATEWAY_MAX_REQUEST_BYTES,
        maxOutputTokens: config.GATEWAY_MAX_OUTPUT_TOKENS,
      },
      defaultDeadlineMs: config.GATEWAY_DEFAULT_DEADLINE_MS,
      defaultEmbeddingModel: config.DEFAULT_EMBEDDING_MODEL,
    });
    const metrics = gatewayMetrics(getMeter('api-gateway'));
    const http = await startHttpApi({
      host: config.GATEWAY_HTTP_HOST,
      port: config.GATEWAY_HTTP_PORT,
      frontDoor,
      logger,
      maxBodyBytes: config.GATEWAY_HTTP_MAX_BODY_BYTES,
      maxDeadlineMs: config.GATEWAY_MAX_DEADLINE_MS,
      metrics,
    });
    logger.info({ http_address: http.url, tenants: tenants.size, fleet_limits: Boolean(redis) }, 'OpenAI-compatible HTTP API listening');
    return {
      bindings: [gatewayBinding(frontDoor, logger, metrics)],
      readyDetails: { http_address: http.url, http_port: http.port },
      close: async () => {
        await http.close(HTTP_DRAIN_MS);
        deps.close();
        redis?.disconnect();
      },
    };
  },
});

/**
 * A Redis client that fails fast instead of queueing commands while disconnected, so a Redis outage turns into
 * per-replica limits at once (FallbackRateLimitStore) rather than requests waiting on reconnects.
 */
async function connectRedis(url: string, commandTimeoutMs: number, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: commandTimeoutMs, connectTimeout: REDIS_READY_WAIT_MS });
  // Reconnect errors repeat every few seconds while Redis is down; the fallback store logs the outage once.
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'Redis connection error'));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), REDIS_READY_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready) logger.warn('Redis did not answer at start-up: tenant limits are counted per replica until it does');
  return redis;
}
