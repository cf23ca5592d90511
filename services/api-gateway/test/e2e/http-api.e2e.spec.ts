import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type RunningStack } from '@switchyard/local-stack';
import { OtlpReceiver, SPAN_KIND_SERVER } from '@switchyard/testing';
import OpenAI from 'openai';
import { queueProbe } from './stack-probes';
import { serviceOfServerSpan, TOPOLOGIES } from './topologies';

jest.setTimeout(90_000);

const SIX_SERVICES = ['api-gateway', 'model-router', 'cache', 'queue', 'batcher', 'region-router'];

// The official openai SDK pointed at Switchyard by its baseURL, as a team with existing OpenAI code would do it.
describe.each(TOPOLOGIES)('OpenAI-compatible HTTP API end to end, with the official openai SDK (topology: %s)', (topology) => {
  const receiver = new OtlpReceiver();
  let stack: RunningStack;
  let openai: OpenAI;
  let queue: ReturnType<typeof queueProbe>;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    stack = await startStack({
      topology,
      ports: 'free',
      logDir: fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-http-e2e-')),
      simLatencyMs: 5,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_METRICS_EXPORTER: 'none' },
      // Answers stream for a while, so the test can see the first chunk arrive before the last one exists.
      serviceEnv: { 'upstream-sim': { SIM_LATENCY_PER_TOKEN_MS: '15' } },
    });
    openai = new OpenAI({ baseURL: `${stack.gatewayHttpUrl}/v1`, apiKey: 'sk-switchyard-dev-a', maxRetries: 0 });
    queue = queueProbe(stack);
  });

  afterAll(async () => {
    queue?.close();
    await stack?.stop();
    await receiver.stop();
  });

  // temperature 0: like OpenAI, an unset temperature means 1, and sampled answers are not cached by default.
  const question = (content: string) => ({ model: 'auto', messages: [{ role: 'user' as const, content }], max_tokens: 256, temperature: 0 });

  it('answers a chat completion and says how it travelled in the response headers', async () => {
    const { data, response } = await openai.chat.completions
      .create(question('What is the capital of France?'), { headers: { 'x-switchyard-region': 'eastus' } })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.message.content).toMatch(/^Simulated answer from eastus \(gpt-4o-mini\)/);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(response.headers.get('x-switchyard-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-switchyard-region')).toBe('eastus');
    const traceId = response.headers.get('x-switchyard-trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  });

  it('answers the same question again from the cache, and says so', async () => {
    const { data, response } = await openai.chat.completions
      .create(question('What is the capital of France?'), { headers: { 'x-switchyard-region': 'eastus' } })
      .withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('exact');
    expect(response.headers.get('x-switchyard-region')).toBeNull();
    expect(data.choices[0]!.message.content).toMatch(/^Simulated answer from eastus/);
    const bypass = await openai.chat.completions
      .create(question('What is the capital of France?'), { headers: { 'x-switchyard-cache': 'no-store' } })
      .withResponse();
    expect(bypass.response.headers.get('x-switchyard-cache')).toBe('bypass');
  });

  it('streams a completion chunk by chunk, the first arriving while the upstream is still generating', async () => {
    const stream = await openai.chat.completions.create({
      ...question('Tell me about the rivers of France.'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const contents: string[] = [];
    let leasesAtFirstChunk = -1;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        if (contents.length === 0) leasesAtFirstChunk = await queue.activeLeases('gpt-4o-mini');
        contents.push(piece);
      }
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    // Still holding its queue slot when the first words arrived: the answer was not buffered and sent at the end.
    expect(leasesAtFirstChunk).toBe(1);
    expect(contents.length).toBeGreaterThan(2);
    expect(contents.join('')).toMatch(/^Simulated answer from /);
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('embeds text, in the base64 the SDK asks for by default and as floats', async () => {
    const decoded = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(decoded.data).toHaveLength(2);
    expect(decoded.data[0]!.embedding).toHaveLength(1536);
    const floats = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float' });
    expect(floats.data[0]!.embedding[0]).toBeCloseTo(decoded.data[0]!.embedding[0]!, 5);
  });

  it('lists the catalog as models', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'o1-preview', 'text-embedding-3-small']));
    expect((await openai.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
  });

  it('fails the way OpenAI fails: 401 for an unknown key, 400 naming the field, 404 for an unknown model', async () => {
    const stranger = new OpenAI({ baseURL: `${stack.gatewayHttpUrl}/v1`, apiKey: 'sk-not-a-real-key', maxRetries: 0 });
    await expect(stranger.chat.completions.create(question('hi'))).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const badModel = (await openai.chat.completions.create({ ...question('hi'), model: 'gpt-nonexistent' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(badModel).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badModel.param).toBe('model');
    expect(badModel.message).toMatch(/unknown model "gpt-nonexistent"/);
    await expect(openai.models.retrieve('gpt-nonexistent')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('records an HTTP request as one trace across all six services, rooted in the gateway HTTP span', async () => {
    const { response } = await openai.chat.completions.create(question('Which river flows through Lyon?')).withResponse();
    const traceId = response.headers.get('x-switchyard-trace-id')!;
    const servers = () => new Set(receiver.spans.filter((s) => s.traceId === traceId && s.kind === SPAN_KIND_SERVER).map(serviceOfServerSpan));
    await receiver.waitFor(() => SIX_SERVICES.every((name) => servers().has(name)));
    const root = receiver.trace(traceId).find((s) => s.parentSpanId === '');
    expect(root).toMatchObject({ name: 'POST /v1/chat/completions' });
    expect(serviceOfServerSpan(root!)).toBe('api-gateway');
    expect(root!.attributes['switchyard.tenant']).toBe('team-a');
  });

  it('holds no queue lease once everything is answered', async () => {
    expect(await queue.allActiveLeases()).toBe(0);
  });
});
