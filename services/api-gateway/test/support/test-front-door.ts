import { ApiKeyAuthenticator } from '../../src/auth/api-keys';
import { FrontDoor } from '../../src/front-door/front-door';
import { ModelCatalog } from '../../src/front-door/model-catalog';
import { TenantRateLimiter, tenantLimitLookup, type TenantLimitsConfig } from '../../src/limits';
import type { GatewayPorts } from '../../src/pipeline/ports';
import { MemoryRateLimitStore } from '../../src/store/memory-rate-limit-store';
import { recordingObserver } from './fake-ports';

/**
 * A FrontDoor over the given ports, with small request limits and in-memory tenant limits (none unless given): what
 * the transport tests (gRPC binding, HTTP API) put behind a real server.
 */
export function testFrontDoor(ports: GatewayPorts, keys: Record<string, string>, tenantLimits: TenantLimitsConfig = {}): FrontDoor {
  const observer = recordingObserver().observer;
  return new FrontDoor({
    auth: new ApiKeyAuthenticator(keys),
    limiter: new TenantRateLimiter({ limitFor: tenantLimitLookup(tenantLimits, { rpm: 0, tpm: 0 }), store: new MemoryRateLimitStore(), clock: Date.now }),
    ports,
    catalog: new ModelCatalog(ports.modelRouter, observer, 1000),
    observer,
    limits: { maxMessages: 8, maxEmbedInputs: 8, maxMessageBytes: 1000, maxRequestBytes: 2000, maxOutputTokens: 4096 },
    defaultDeadlineMs: 5000,
    defaultEmbeddingModel: 'text-embedding-3-small',
  });
}
