import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServiceProcess, startStack, WORKSPACE_ROOT, type RunningService, type RunningStack } from '@switchyard/local-stack';
import { Redis } from 'ioredis';
import OpenAI from 'openai';

jest.setTimeout(90_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RPM = 4;
// GCRA gives one more request every 60 s / RPM after the burst: the count below allows for a slow run.
const REFILL_MS = 60_000 / RPM;

describe('Tenant limits across gateway replicas (two processes, one Redis)', () => {
  const prefix = `test:api-gateway:e2e:${randomUUID()}:`;
  let redis: Redis;
  let stack: RunningStack;
  let second: RunningService;

  beforeAll(async () => {
    // No Redis, no test: this proves a fleet-wide limit, which needs the shared store.
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: () => null });
    await redis.ping();
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-fleet-e2e-'));
    const limits = {
      REDIS_URL,
      GATEWAY_REDIS_KEY_PREFIX: prefix,
      TENANT_LIMITS: JSON.stringify({ 'team-a': { rpm: RPM } }),
    };
    stack = await startStack({ ports: 'free', logDir, simLatencyMs: 5, env: { OTEL_METRICS_EXPORTER: 'none' }, serviceEnv: { 'api-gateway': limits } });
    const address = (name: string) => stack.byName(name).address;
    second = await startServiceProcess({
      name: 'api-gateway-2',
      dir: path.join(WORKSPACE_ROOT, 'services', 'api-gateway'),
      logFile: path.join(logDir, 'api-gateway-2.log'),
      env: {
        ...limits,
        OTEL_METRICS_EXPORTER: 'none',
        GRPC_PORT: '0',
        GATEWAY_HTTP_PORT: '0',
        QUEUE_ADDRESS: address('queue'),
        CACHE_ADDRESS: address('cache'),
        BATCHER_ADDRESS: address('batcher'),
        MODEL_ROUTER_ADDRESS: address('model-router'),
        REGION_ROUTER_ADDRESS: address('region-router'),
      },
    });
  });

  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const clientOf = (baseUrl: string, apiKey = 'sk-switchyard-dev-a') => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey, maxRetries: 0 });
  const ask = { model: 'auto', messages: [{ role: 'user' as const, content: 'What is the capital of France?' }], temperature: 0 };

  it('admits the tenant\'s limit across the fleet, not the limit per replica', async () => {
    const replicas = [clientOf(stack.gatewayHttpUrl), clientOf(String(second.ready.http_address))];
    const started = Date.now();
    const outcomes: Array<{ replica: number; status: number; retryAfter?: string | null; type?: string }> = [];
    // Alternating, so each replica alone stays under the limit while the two together exceed it three times over.
    for (let i = 0; i < RPM * 3; i++) {
      const replica = i % 2;
      try {
        await replicas[replica]!.chat.completions.create(ask);
        outcomes.push({ replica, status: 200 });
      } catch (err) {
        const apiError = err as InstanceType<typeof OpenAI.APIError>;
        outcomes.push({ replica, status: apiError.status ?? 0, retryAfter: apiError.headers?.get('retry-after'), type: apiError.type });
      }
    }
    const elapsed = Date.now() - started;
    const admitted = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 429);
    expect(admitted.length + refused.length).toBe(outcomes.length);
    expect(admitted.length).toBeGreaterThanOrEqual(RPM);
    expect(admitted.length).toBeLessThanOrEqual(RPM + Math.floor(elapsed / REFILL_MS));
    // Each replica admitted at most half the limit itself and was still refused: they count together.
    for (const replica of [0, 1]) {
      expect(admitted.filter((o) => o.replica === replica).length).toBeLessThan(RPM);
      expect(refused.some((o) => o.replica === replica)).toBe(true);
    }
    expect(refused[0]).toMatchObject({ type: 'requests' });
    expect(Number(refused[0]!.retryAfter)).toBeGreaterThan(0);
  });

  it('keeps other tenants out of it', async () => {
    const other = clientOf(String(second.ready.http_address), 'sk-switchyard-dev-b');
    await expect(other.chat.completions.create(ask)).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('keeps its counters in Redis under the configured prefix only', async () => {
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toEqual([`${prefix}limits:{team-a}:rpm`]);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });
});
