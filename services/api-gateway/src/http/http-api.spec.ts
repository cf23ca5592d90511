import { gatewayV1, type batcherV1 } from '@switchyard/contracts';
import { Unavailable } from '@switchyard/service-kit/errors';
import { getMeter } from '@switchyard/telemetry';
import OpenAI from 'openai';
import pino from 'pino';
import { fakePorts, hit, settle, upstreamStream } from '../../test/support/fake-ports';
import { testFrontDoor } from '../../test/support/test-front-door';
import { gatewayMetrics } from '../metrics/gateway-metrics';
import { startHttpApi, type RunningHttpApi } from './http-api';

const KEY = 'sk-test-key-a';
const LIMITED_KEY = 'sk-test-key-limited';

// The HTTP API in process over fake services: the exact OpenAI wire format, checked with the official SDK.
describe('OpenAI-compatible HTTP API (in process)', () => {
  let api: RunningHttpApi;
  let fakes: ReturnType<typeof fakePorts>;
  let client: OpenAI;

  beforeEach(async () => {
    fakes = fakePorts();
    fakes.ports.modelRouter.listModels = async () => ({
      models: [
        { name: 'gpt-4o-mini', tier: 'simple', costPer1kInput: 0, costPer1kOutput: 0, latencyMs: 1, quality: 1, contextWindow: 128_000, capabilities: [] },
        { name: 'text-embedding-3-small', tier: 'embedding', costPer1kInput: 0, costPer1kOutput: 0, latencyMs: 1, quality: 1, contextWindow: 8191, capabilities: ['embedding'] },
      ],
    });
    const frontDoor = testFrontDoor(fakes.ports, { [KEY]: 'team-a', [LIMITED_KEY]: 'team-limited' }, { 'team-limited': { rpm: 1 } });
    // No meter provider here, so the metrics are no-ops; gateway-metrics.spec.ts reads them.
    const metrics = gatewayMetrics(getMeter('api-gateway'));
    api = await startHttpApi({ host: '127.0.0.1', port: 0, frontDoor, logger: pino({ level: 'silent' }), maxBodyBytes: 64 * 1024, maxDeadlineMs: 60_000, metrics });
    client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });

  afterEach(async () => {
    await api.close(1000);
  });

  const ask = { model: 'auto', messages: [{ role: 'user' as const, content: 'What is the capital of France?' }] };

  it('answers a chat completion in OpenAI\'s shape, with the route in headers', async () => {
    const { data, response } = await client.chat.completions.create({ ...ask, max_tokens: 64 }).withResponse();
    expect(data).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 14, completion_tokens: 2, total_tokens: 16 },
    });
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(response.headers.get('x-switchyard-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(response.headers.get('x-switchyard-region')).toBe('eastus');
    expect(fakes.calls).toContain('acquire:gpt-4o-mini:team-a:3');
  });

  it('reads Switchyard inputs from headers and reports a bypassed cache', async () => {
    const { response } = await client.chat.completions
      .create(ask, { headers: { 'x-switchyard-priority': 'critical', 'x-switchyard-region': 'westeurope', 'x-switchyard-cache': 'no-store' } })
      .withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
    expect(fakes.calls).toContain('acquire:gpt-4o-mini:team-a:1');
    expect(fakes.calls).toContain('execute:gpt-4o-mini:westeurope');
    expect(fakes.calls).not.toContain('lookup');
    await settle();
    expect(fakes.calls).not.toContain('store');
  });

  it('streams chunks exactly as OpenAI does, with the usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'Paris', ' is', ' the capital.', null, null]);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks[4]!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 14, completion_tokens: 3, total_tokens: 17 } });
    expect(chunks.slice(0, 5).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('sends the raw event stream OpenAI clients expect, ending with [DONE]', async () => {
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-switchyard-region')).toBe('westus');
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events[0]!.slice(6))).not.toHaveProperty('usage');
  });

  it('streams a cache hit, saying so in the headers', async () => {
    fakes.ports.cache.lookup = hit('Paris.', gatewayV1.CacheStatus.CACHE_STATUS_EXACT);
    const { data: stream, response } = await client.chat.completions.create({ ...ask, stream: true }).withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('exact');
    expect(response.headers.get('x-switchyard-region')).toBeNull();
    const parts: string[] = [];
    for await (const chunk of stream) parts.push(chunk.choices[0]?.delta.content ?? '');
    expect(parts.join('')).toBe('Paris.');
    expect(fakes.calls.some((c) => c.startsWith('acquire'))).toBe(false);
  });

  it('ends a stream that fails after it started with an error event the SDK raises', async () => {
    fakes.ports.setStream(upstreamStream(['a', 'b'], { failAfter: 1, error: new Unavailable('region-router is unavailable: boom') }));
    const stream = await client.chat.completions.create({ ...ask, stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/region-router is unavailable/);
    expect(seen).toEqual(['', 'a']);
    await settle();
    expect(fakes.released).toHaveLength(1);
  });

  it('answers embeddings as floats and as the base64 the SDK asks for by default', async () => {
    fakes.ports.batcher.execute = async () =>
      ({
        completion: undefined,
        embedding: { embeddings: [{ values: [0.25, -0.5, 1] }, { values: [0, 0.125, 2] }], usage: { inputTokens: 4, outputTokens: 0 } },
        region: 'eastus',
        batchSize: 1,
        batchWaitMs: 0,
        attempts: 1,
      }) as batcherV1.ExecuteResponse;
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(decoded.data.map((d) => d.embedding)).toEqual([
      [0.25, -0.5, 1],
      [0, 0.125, 2],
    ]);
    expect(decoded.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float' });
    expect(floats.data[0]!.embedding).toEqual([0.25, -0.5, 1]);
  });

  it('lists and retrieves models from the catalog', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
    expect((await client.models.retrieve('gpt-4o-mini')).owned_by).toBe('switchyard');
    await expect(client.models.retrieve('nope')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('refuses a missing or unknown key with 401 and an OpenAI error body', async () => {
    const anonymous = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: 'sk-not-a-real-key', maxRetries: 0 });
    const err = await anonymous.chat.completions.create(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect((err as Error).message).not.toContain('sk-not-a-real-key');
    const res = await fetch(`${api.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { message: expect.stringMatching(/missing API key/), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  });

  it('names the field in 400s: body, params, headers', async () => {
    const param = async (body: object, headers: Record<string, string> = {}) => {
      const err = (await client.chat.completions.create(body as never, { headers }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(400);
      return err.param;
    };
    expect(await param({ ...ask, messages: [] })).toBe('messages');
    expect(await param({ ...ask, max_tokens: 10_000 })).toBe('max_tokens');
    expect(await param({ ...ask, max_tokens: 1.5 })).toBe('max_tokens');
    expect(await param({ ...ask, temperature: 7 })).toBe('temperature');
    expect(await param({ ...ask, messages: [{ role: 'user', content: 'x'.repeat(1001) }] })).toBe('messages[0].content');
    expect(await param({ ...ask, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })).toBe('messages[0].content[0].type');
    expect(await param({ ...ask, n: 2 })).toBe('n');
    expect(await param({ ...ask, tools: [{ type: 'function', function: { name: 'f' } }] })).toBe('tools');
    expect(await param({ ...ask, frobnicate: true })).toBe('frobnicate');
    expect(await param({ ...ask, stream_options: { include_usage: true } })).toBe('stream_options');
    expect(await param(ask, { 'x-switchyard-priority': 'urgent' })).toBe('x-switchyard-priority');
    expect(await param(ask, { 'x-switchyard-timeout-ms': '-5' })).toBe('x-switchyard-timeout-ms');
    expect(await param(ask, { 'x-switchyard-cache': 'sometimes' })).toBe('x-switchyard-cache');
    expect(await param(ask, { 'x-switchyard-region': 'East US' })).toBe('x-switchyard-region');
    // Accepted when they ask for what Switchyard does anyway.
    await client.chat.completions.create({ ...ask, n: 1, top_p: 1, user: 'u-1', seed: 3, tools: [] });
  });

  it('names OpenAI\'s field for embeddings and refuses unknown embedding models', async () => {
    const err = (await client.embeddings.create({ model: 'text-embedding-3-small', input: ['ok', ' '] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toMatchObject({ status: 400, param: 'input[1]' });
    const model = (await client.embeddings.create({ model: 'gpt-4o-mini', input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(model).toMatchObject({ status: 400, param: 'model' });
    expect(model.message).toMatch(/unknown embedding model "gpt-4o-mini"; known: text-embedding-3-small/);
    const tokens = (await client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2, 3]] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(tokens).toMatchObject({ status: 400, param: 'input' });
  });

  it('answers 429 with retry-after and the x-ratelimit headers when the tenant is over its limit', async () => {
    const limited = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: LIMITED_KEY, maxRetries: 0 });
    const { response } = await limited.chat.completions.create(ask).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const err = (await limited.chat.completions.create(ask).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, type: 'requests', code: 'rate_limit_exceeded' });
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(Number(err.headers?.get('retry-after-ms'))).toBeGreaterThan(59_000);
  });

  it('refuses what is not an API call: unknown path, wrong method, bad JSON, a body over the limit', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    expect((await fetch(`${api.url}/v1/completions`, { method: 'POST', headers: auth })).status).toBe(404);
    const wrong = await fetch(`${api.url}/v1/chat/completions`, { headers: auth });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const bad = await fetch(`${api.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const huge = await fetch(`${api.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ ...ask, pad: 'x'.repeat(70 * 1024) }) });
    expect(huge.status).toBe(413);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/v1/models/%E0%A4%A`, { headers: auth })).status).toBe(400);
  });
});
