import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { gatewayV1 } from '@switchyard/contracts';
import { startStack, type RunningStack } from '@switchyard/local-stack';
import { OtlpReceiver, SPAN_KIND_SERVER } from '@switchyard/testing';
import { GatewayTestClient, statusOf } from './gateway-client';
import { serviceOfServerSpan, TOPOLOGIES } from './topologies';

jest.setTimeout(90_000);

const KEY_A = 'sk-switchyard-dev-a';
const KEY_B = 'sk-switchyard-dev-b';
const QUESTION = 'What is the capital of France?';
const PARAPHRASE = "what's the capital of france";
const SIX_SERVICES = ['api-gateway', 'model-router', 'cache', 'queue', 'batcher', 'region-router'];

const ask = (content: string, extra: Partial<gatewayV1.CompleteRequest> = {}): Partial<gatewayV1.CompleteRequest> => ({
  messages: [
    { role: 'system', content: 'You are a geography tutor.' },
    { role: 'user', content },
  ],
  userRegion: 'eastus',
  maxTokens: 64,
  ...extra,
});

describe.each(TOPOLOGIES)('Switchyard end to end (topology: %s)', (topology) => {
  const receiver = new OtlpReceiver();
  let stack: RunningStack;
  let client: GatewayTestClient;
  let logDir: string;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-e2e-'));
    stack = await startStack({
      topology,
      ports: 'free',
      logDir,
      simLatencyMs: 5,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRICS_EXPORTER: 'none',
        LOG_LEVEL: 'debug',
      },
    });
    client = new GatewayTestClient(stack.gatewayAddress);
  });

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    await receiver.stop();
  });

  it('answers a completion with its route filled and a trace id', async () => {
    const response = await client.complete(ask(QUESTION), KEY_A);
    expect(response.content).toMatch(/Simulated answer from eastus/);
    expect(response.usage?.inputTokens).toBeGreaterThan(0);
    expect(response.usage?.outputTokens).toBeGreaterThan(0);
    expect(response.route).toMatchObject({ model: 'gpt-4o-mini', tier: 'simple', region: 'eastus', cache: gatewayV1.CacheStatus.CACHE_STATUS_MISS, attempts: 1 });
    expect(response.route?.batchSize).toBeGreaterThanOrEqual(1);
    expect(response.route?.reason).toMatch(/simple/);
    expect(response.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.traceId).not.toMatch(/^0+$/);
  });

  it('answers the same request again from the exact tier', async () => {
    const response = await client.complete(ask(QUESTION), KEY_A);
    expect(response.route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_EXACT);
    expect(response.route?.similarity).toBe(1);
    expect(response.route?.region).toBe('');
    expect(response.content).toMatch(/Simulated answer from eastus/);
  });

  it('answers a paraphrase from the semantic tier and reports its similarity', async () => {
    const response = await client.complete(ask(PARAPHRASE), KEY_A);
    expect(response.route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC);
    expect(response.route?.similarity).toBeGreaterThanOrEqual(0.95);
  });

  it('does not answer a different question from the cache', async () => {
    const response = await client.complete(ask('What is the capital of Germany?'), KEY_A);
    expect(response.route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_MISS);
    expect(response.route?.region).not.toBe('');
  });

  it("never serves another tenant's entry, exact or semantic", async () => {
    const exact = await client.complete(ask(QUESTION), KEY_B);
    expect(exact.route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_MISS);
    const otherContext = await client.complete(ask(PARAPHRASE, { messages: [{ role: 'user', content: PARAPHRASE }] }), KEY_B);
    expect(otherContext.route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_MISS);
  });

  it('refuses unknown and missing API keys with UNAUTHENTICATED', async () => {
    const unknown = await statusOf(client.complete(ask(QUESTION), 'sk-not-a-real-key'));
    expect(unknown.code).toBe(status.UNAUTHENTICATED);
    expect(unknown.details).not.toContain('sk-not-a-real-key');
    expect((await statusOf(client.complete(ask(QUESTION)))).code).toBe(status.UNAUTHENTICATED);
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field', async () => {
    const noMessages = await statusOf(client.complete({ messages: [] }, KEY_A));
    expect(noMessages.code).toBe(status.INVALID_ARGUMENT);
    expect(noMessages.details).toMatch(/^messages:/);
    const badModel = await statusOf(client.complete(ask(QUESTION, { model: 'gpt-nonexistent' }), KEY_A));
    expect(badModel.code).toBe(status.INVALID_ARGUMENT);
    expect(badModel.details).toMatch(/model/);
  });

  it('routes require_reasoning to the reasoning model', async () => {
    const response = await client.complete(ask('Prove that there are infinitely many primes.', { requireReasoning: true }), KEY_A);
    expect(response.route).toMatchObject({ model: 'o1-preview', tier: 'reasoning' });
    expect(response.route?.reason).toMatch(/require_reasoning/);
  });

  it('embeds inputs through the batcher in one upstream call', async () => {
    const response = await client.embed({ inputs: ['alpha', 'beta', 'gamma'], userRegion: 'westeurope' }, KEY_A);
    expect(response.embeddings).toHaveLength(3);
    expect(response.embeddings[0]!.values.length).toBe(1536);
    expect(response.route).toMatchObject({ model: 'text-embedding-3-small', region: 'westeurope' });
    expect(response.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('answers DEADLINE_EXCEEDED when the deadline is too short to be served', async () => {
    const result = await statusOf(client.complete(ask('Tell me about deadlines.', { cacheBypass: true }), KEY_A, 1));
    expect(result.code).toBe(status.DEADLINE_EXCEEDED);
  });

  it('records one trace per request holding server spans of all six services, exported over OTLP', async () => {
    const response = await client.complete(ask('Which river flows through Paris?'), KEY_A);
    const traceId = response.traceId;
    const serversIn = (spans: typeof receiver.spans) =>
      new Set(spans.filter((s) => s.traceId === traceId && s.kind === SPAN_KIND_SERVER).map(serviceOfServerSpan));
    await receiver.waitFor((spans) => SIX_SERVICES.every((name) => serversIn(spans).has(name)));
    const trace = receiver.trace(traceId);
    expect([...serversIn(trace)].sort()).toEqual(expect.arrayContaining(SIX_SERVICES));

    // In one process every span has the same service.name, so only the span names are compared there.
    const label = (service: string, name: string) => (topology === 'processes' ? `${service}:${name}` : name);
    const names = trace.map((s) => label(s.serviceName, s.name));
    expect(names).toEqual(
      expect.arrayContaining([label('queue', 'queue.wait'), label('batcher', 'batch.wait'), label('batcher', 'batch.dispatch'), label('region-router', 'chat gpt-4o-mini')]),
    );
    const upstream = trace.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(upstream.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'switchyard.region': 'eastus',
    });
    expect(upstream.attributes['gen_ai.usage.input_tokens']).toBe(response.usage?.inputTokens);
    // The upstream simulator's HTTP server span joins the same trace through the traceparent header.
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId && s.serviceName === 'upstream-sim'));

    // Prompt text is not recorded anywhere unless explicitly enabled.
    const everyValue = trace.flatMap((s) => Object.values(s.attributes).map(String));
    expect(everyValue.some((v) => v.includes('Which river flows through Paris'))).toBe(false);
  });
});
