import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { gatewayV1 } from '@switchyard/contracts';
import { startStack, type RunningStack } from '@switchyard/local-stack';
import { waitUntil } from '@switchyard/testing';
import fc from 'fast-check';
import { queueProbe } from './stack-probes';
import { TOPOLOGIES } from './topologies';

jest.setTimeout(180_000);

const KEY = 'sk-switchyard-dev-a';
const printable = (max = 40) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const json = fc.jsonValue({ maxDepth: 3 });

// ---- HTTP inputs: mostly almost-valid requests with something wrong, plus plain garbage -----------------------

const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'developer', 'tool', 'function'), printable(12)),
    content: fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constant(null),
      fc.array(fc.record({ type: fc.constantFrom('text', 'image_url', 'input_audio', ''), text: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: ['type'] }), { maxLength: 3 }),
      json,
    ),
    tool_calls: json,
  },
  { requiredKeys: [] },
);

const chatBody = fc.record(
  {
    model: fc.oneof(fc.constantFrom('auto', 'gpt-4o-mini', 'o1-preview', 'text-embedding-3-small', 'nope', ''), json),
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), json),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 300_000 }), fc.double(), json),
    temperature: fc.oneof(fc.double({ min: -3, max: 5 }), json),
    stream: fc.oneof(fc.boolean(), json),
    stream_options: fc.oneof(fc.record({ include_usage: fc.oneof(fc.boolean(), json) }), json),
    n: fc.oneof(fc.integer({ min: 0, max: 3 }), json),
    top_p: json,
    tools: json,
    [`x_${'unknown'}`]: json,
  },
  { requiredKeys: [] },
);

const validChat = { model: 'auto', messages: [{ role: 'user', content: 'What is the capital of France?' }], temperature: 0 };
const nearlyValidChat = fc
  .record({ key: fc.constantFrom('model', 'messages', 'max_tokens', 'temperature', 'stream', 'stream_options', 'n', 'tools', 'user', 'logprobs'), value: json, stream: fc.boolean() })
  .map(({ key, value, stream }) => ({ ...validChat, stream, [key]: value }));

const validishChat = fc.record({
  model: fc.constantFrom('auto', 'gpt-4o-mini', 'gpt-4o'),
  messages: fc.array(fc.record({ role: fc.constantFrom('user', 'system', 'assistant'), content: fc.string({ minLength: 1, maxLength: 40 }) }), { minLength: 1, maxLength: 3 }).map((m) => [...m, { role: 'user', content: 'and the capital of Italy?' }]),
  max_tokens: fc.integer({ min: 1, max: 200 }),
  temperature: fc.constantFrom(0, 0.5, 1),
  stream: fc.boolean(),
}).map((b) => (b.stream ? { ...b, stream_options: { include_usage: true } } : b));

const embedBody = fc.record(
  {
    model: fc.oneof(fc.constantFrom('text-embedding-3-small', 'gpt-4o-mini', ''), json),
    input: fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }), fc.array(fc.integer(), { maxLength: 4 }), json),
    encoding_format: fc.oneof(fc.constantFrom('float', 'base64', 'hex'), json),
    dimensions: json,
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 4, arbitrary: validishChat.map((b) => JSON.stringify(b)) },
  { weight: 4, arbitrary: nearlyValidChat.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: chatBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: embedBody.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('', '{"model":', '[]', 'null', '{"messages":[{"role":"user","content":"\\ud800"}],"model":"auto"}')) },
);

const optionalHeader = (valid: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: valid }, { weight: 1, arbitrary: printable(20) });

// Weighted towards the API's own endpoints with a valid key, so most cases get past the door and exercise the
// parsing, validation and pipeline behind it.
const target = fc.oneof(
  { weight: 12, arbitrary: fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/chat/completions') }) },
  { weight: 4, arbitrary: fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/embeddings') }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant('GET'), path: fc.constantFrom('/v1/models', '/v1/models/gpt-4o', '/v1/models/%zz', '/v1/models/nope') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      method: fc.constantFrom('GET', 'PUT', 'DELETE', 'POST'),
      path: fc.oneof(fc.constantFrom('/v1/chat/completions', '/v1/embeddings', '/v1/nope', '/'), printable(30).map((p) => `/${p.replace(/[?#]/g, '')}`)),
    }),
  },
);

const httpRequest = fc.record({
  target,
  authorization: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(`Bearer ${KEY}`, 'Bearer sk-switchyard-dev-b') },
    { weight: 1, arbitrary: printable(30) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  priority: optionalHeader(fc.constantFrom('critical', 'high', 'normal', 'low', 'bulk')),
  region: optionalHeader(fc.constantFrom('eastus', 'westeurope', 'nowhere')),
  cache: optionalHeader(fc.constantFrom('no-store', 'no-cache', 'default')),
  timeout: optionalHeader(fc.integer({ min: 0, max: 120_000 }).map(String)),
  body,
});

// ---- gRPC inputs: every field over its wire range, and bytes that are no protobuf message at all --------------

const uint32 = fc.oneof(fc.constantFrom(0, 1, 64, 131_072, 131_073, 4_294_967_295), fc.nat());
const completeRequest = fc.record({
  messages: fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool', ''), fc.string({ maxLength: 10 })), content: fc.string({ maxLength: 60 }) }), { maxLength: 4 }),
  priority: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.integer()),
  model: fc.oneof(fc.constantFrom('', 'gpt-4o-mini', 'o1-preview', 'text-embedding-3-small', 'nope'), fc.string({ maxLength: 20 })),
  userRegion: fc.oneof(fc.constantFrom('', 'eastus', 'westeurope'), fc.string({ maxLength: 20 })),
  requireReasoning: fc.boolean(),
  maxLatencyMs: uint32,
  temperature: fc.float(),
  maxTokens: uint32,
  cacheSimilarityThreshold: fc.float(),
  cacheBypass: fc.boolean(),
  cacheNoStore: fc.boolean(),
});
const embedRequest = fc.record({
  inputs: fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
  model: fc.oneof(fc.constantFrom('', 'text-embedding-3-small', 'gpt-4o'), fc.string({ maxLength: 20 })),
  priority: fc.integer({ min: -2, max: 7 }),
  userRegion: fc.oneof(fc.constantFrom('', 'eastus'), fc.string({ maxLength: 10 })),
});
const grpcCall = fc.oneof(
  fc.record({ method: fc.constant('complete' as const), bytes: completeRequest.map((r) => gatewayV1.CompleteRequest.encode(r).finish()) }),
  fc.record({ method: fc.constant('streamComplete' as const), bytes: completeRequest.map((r) => gatewayV1.StreamCompleteRequest.encode({ request: r }).finish()) }),
  fc.record({ method: fc.constant('embed' as const), bytes: embedRequest.map((r) => gatewayV1.EmbedRequest.encode(r).finish()) }),
  fc.record({ method: fc.constantFrom('complete' as const, 'embed' as const, 'streamComplete' as const), bytes: fc.uint8Array({ maxLength: 80 }) }),
);
const grpcInput = fc.record({
  call: grpcCall,
  authorization: fc.option(fc.oneof(fc.constant(`Bearer ${KEY}`), printable(30)), { nil: undefined }),
});

const PROPERTY_SEED = 20261204;

/** Statuses that answer the caller properly; INTERNAL and UNKNOWN would mean the gateway blamed itself for the input. */
const PROPER = new Set([status.OK, status.INVALID_ARGUMENT, status.UNAUTHENTICATED, status.RESOURCE_EXHAUSTED, status.FAILED_PRECONDITION, status.NOT_FOUND]);

describe.each(TOPOLOGIES)('Malformed input, HTTP and gRPC (property-based; topology: %s)', (topology) => {
  let stack: RunningStack;
  let queue: ReturnType<typeof queueProbe>;
  let raw: Client;
  let gatewayExited = false;

  beforeAll(async () => {
    stack = await startStack({
      topology,
      ports: 'free',
      logDir: fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-fuzz-e2e-')),
      simLatencyMs: 2,
      env: { OTEL_METRICS_EXPORTER: 'none' },
    });
    void stack.byName('api-gateway').exited.then(() => (gatewayExited = true));
    queue = queueProbe(stack);
    // A client that sends bytes as they are, so the gateway sees exactly what the property generated.
    const Ctor = makeGenericClientConstructor({}, 'raw');
    raw = new Ctor(stack.gatewayAddress, credentials.createInsecure());
  });

  afterAll(async () => {
    raw?.close();
    queue?.close();
    await stack?.stop();
  });

  it('answers every HTTP request with 2xx or a 4xx in OpenAI\'s error shape: never a 500, never a crash, no leaked lease', async () => {
    const lapsedBefore = await queue.allLapsed();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(httpRequest, async (input) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (input.authorization !== undefined) headers.authorization = input.authorization;
        if (input.priority !== undefined) headers['x-switchyard-priority'] = input.priority;
        if (input.region !== undefined) headers['x-switchyard-region'] = input.region;
        if (input.cache !== undefined) headers['x-switchyard-cache'] = input.cache;
        if (input.timeout !== undefined) headers['x-switchyard-timeout-ms'] = input.timeout;
        const { method, path } = input.target;
        const res = await fetch(`${stack.gatewayHttpUrl}${path}`, { method, headers, body: method === 'GET' ? undefined : input.body });
        const text = await res.text();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        // A deadline the caller chose may pass (504); any other 5xx is the gateway's fault.
        const callerDeadline = res.status === 504 && input.timeout !== undefined;
        expect({ status: res.status, text: text.slice(0, 300) }).toEqual({ status: callerDeadline || res.status < 500 ? res.status : 'not 5xx', text: text.slice(0, 300) });
        if (res.status >= 400) {
          const parsed = JSON.parse(text) as { error: { message: unknown; type: unknown } };
          expect(typeof parsed.error.message).toBe('string');
          expect(typeof parsed.error.type).toBe('string');
        } else if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
          const last = text.trimEnd().split('\n\n').at(-1);
          expect(last === 'data: [DONE]' || /^data: \{"error"/.test(last ?? '')).toBe(true);
        }
      }),
      // A fixed seed keeps CI reproducible (the same 200 inputs every run); change it to explore new ones.
      { numRuns: 200, seed: PROPERTY_SEED },
    );
    // The property reached both sides of the door: answers through the whole chain, and refusals.
    expect(seen.get(200)).toBeGreaterThan(0);
    expect(seen.get(400)).toBeGreaterThan(0);
    expect(gatewayExited).toBe(false);
    await waitUntil(async () => (await queue.allActiveLeases()) === 0, 'every lease released', 10_000, 50);
    expect(await queue.allLapsed()).toBe(lapsedBefore);
  });

  it('answers every gRPC call with a proper status, including bytes that are no protobuf message', async () => {
    const seen = new Set<status>();
    await fc.assert(
      fc.asyncProperty(grpcInput, async ({ call, authorization }) => {
        const metadata = new Metadata();
        if (authorization !== undefined) metadata.set('authorization', authorization);
        const path = `/switchyard.gateway.v1.Gateway/${call.method[0]!.toUpperCase()}${call.method.slice(1)}`;
        const deadline = new Date(Date.now() + 10_000);
        const bytes = Buffer.from(call.bytes);
        const code = await new Promise<status>((resolve) => {
          if (call.method === 'streamComplete') {
            const stream = raw.makeServerStreamRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata, { deadline });
            stream.on('data', () => undefined);
            stream.on('error', (err: ServiceError) => resolve(err.code));
            stream.on('status', (s: { code: status }) => s.code === status.OK && resolve(status.OK));
          } else {
            raw.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata, { deadline }, (err) => resolve(err ? err.code : status.OK));
          }
        });
        seen.add(code);
        expect(status[code]).toBe(PROPER.has(code) ? status[code] : 'a proper status');
        if (authorization === undefined) expect(code).toBe(status.UNAUTHENTICATED);
      }),
      // A fixed seed keeps CI reproducible (the same 200 inputs every run); change it to explore new ones.
      { numRuns: 200, seed: PROPERTY_SEED },
    );
    expect([...seen]).toEqual(expect.arrayContaining([status.OK, status.INVALID_ARGUMENT, status.UNAUTHENTICATED]));
    expect(gatewayExited).toBe(false);
    await waitUntil(async () => (await queue.allActiveLeases()) === 0, 'every lease released', 10_000, 50);
  });
});
