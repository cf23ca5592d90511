import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { gatewayV1 } from '@switchyard/contracts';
import { startStack, type RunningStack } from '@switchyard/local-stack';
import { waitUntil } from '@switchyard/testing';
import { GatewayTestClient, readStream } from './gateway-client';
import { queueProbe, simulators } from './stack-probes';
import { TOPOLOGIES } from './topologies';

jest.setTimeout(90_000);

const KEY = 'sk-switchyard-dev-a';
const POOL = 'gpt-4o-mini';
// A short lease TTL makes a leaked lease visible within a test (it lapses, and lapsed_total counts it), and
// makes a stream outlive its TTL: only renewal keeps it.
const LEASE_TTL_MS = 1000;

const ask = (content: string, extra: Partial<gatewayV1.CompleteRequest> = {}): Partial<gatewayV1.CompleteRequest> => ({
  messages: [{ role: 'user', content }],
  userRegion: 'eastus',
  ...extra,
});

describe.each(TOPOLOGIES)('gRPC StreamComplete end to end: the queue lease lives exactly as long as the stream (topology: %s)', (topology) => {
  let stack: RunningStack;
  let client: GatewayTestClient;
  let queue: ReturnType<typeof queueProbe>;
  let sims: ReturnType<typeof simulators>;
  let lapsedBefore = 0;

  beforeAll(async () => {
    stack = await startStack({
      topology,
      ports: 'free',
      logDir: fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-stream-e2e-')),
      simLatencyMs: 5,
      env: { OTEL_METRICS_EXPORTER: 'none' },
      serviceEnv: {
        queue: { QUEUE_LEASE_TTL_MS: String(LEASE_TTL_MS) },
        // Answers take a while to stream, so a test can act while one is half way.
        'upstream-sim': { SIM_LATENCY_PER_TOKEN_MS: '15' },
      },
    });
    client = new GatewayTestClient(stack.gatewayAddress);
    queue = queueProbe(stack);
    sims = simulators(stack);
  });

  beforeEach(async () => {
    await sims.reset();
    lapsedBefore = await queue.lapsed(POOL);
  });

  afterEach(async () => {
    // Every test ends with no lease held and none left to lapse.
    await waitUntil(async () => (await queue.activeLeases(POOL)) === 0, 'all leases released', 5_000, 20);
    expect(await queue.lapsed(POOL)).toBe(lapsedBefore);
  });

  afterAll(async () => {
    client?.close();
    queue?.close();
    await stack?.stop();
  });

  it('streams the route, the text as it is generated and the usage, holding the lease until the end', async () => {
    let leasesAtFirstDelta = -1;
    const answer = await readStream(client.streamComplete(ask('Describe the Seine in a few words.'), KEY), async (message, so) => {
      if (message.event?.$case === 'delta' && so.deltas.length === 1) leasesAtFirstDelta = await queue.activeLeases(POOL);
    });
    expect(answer.started?.route).toMatchObject({ model: POOL, region: 'eastus', cache: gatewayV1.CacheStatus.CACHE_STATUS_MISS, attempts: 1 });
    expect(answer.started?.traceId).toMatch(/^[0-9a-f]{32}$/);
    // The first piece reached the caller while the upstream was still generating: the lease was still held.
    expect(leasesAtFirstDelta).toBe(1);
    expect(answer.deltas.length).toBeGreaterThan(2);
    expect(answer.deltas.join('')).toMatch(/^Simulated answer from eastus \(gpt-4o-mini\): /);
    expect(answer.finished?.finishReason).toBe('stop');
    expect(answer.finished?.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('stores a completed stream in the cache: the repeat streams the cached answer and Complete answers from it', async () => {
    const question = ask('Which bridges cross the Seine?');
    const first = await readStream(client.streamComplete(question, KEY));
    let repeat = await readStream(client.streamComplete(question, KEY));
    // The store happens after the answer went out, so allow it a moment (bounded).
    await waitUntil(
      async () => {
        repeat = await readStream(client.streamComplete(question, KEY));
        return repeat.started?.route?.cache === gatewayV1.CacheStatus.CACHE_STATUS_EXACT;
      },
      'the streamed answer to be in the cache',
      5_000,
      50,
    );
    expect(repeat.deltas).toEqual([first.deltas.join('')]);
    expect(repeat.started?.route?.region).toBe('');
    expect((await client.complete(question, KEY)).route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_EXACT);
  });

  it('renews the lease while a stream lasts longer than the lease TTL', async () => {
    await sims.setFaults({ latencyMs: 3 * LEASE_TTL_MS });
    const answer = await readStream(client.streamComplete(ask('A slow answer, please.', { cacheBypass: true }), KEY, 20_000));
    expect(answer.finished).toBeDefined();
    // afterEach: nothing lapsed although the stream held its lease for three TTLs.
  });

  it('releases the lease when the stream fails before its first token', async () => {
    await sims.setFaults({ errorRate: 1, errorStatus: 503 });
    const failure = await readStream(client.streamComplete(ask('This will fail.', { cacheBypass: true }), KEY)).catch((e: ServiceError) => e);
    expect((failure as ServiceError).code).toBe(status.UNAVAILABLE);
  });

  it('releases the lease, and stops the upstream, when the client cancels before the first token', async () => {
    await sims.setFaults({ latencyMs: 20_000 });
    const cancelledBefore = await sims.cancelled();
    const call = client.streamComplete(ask('Never mind.', { cacheBypass: true }), KEY, 30_000);
    const ended = readStream(call).catch((e: ServiceError) => e);
    await waitUntil(async () => (await queue.activeLeases(POOL)) === 1, 'the stream to hold its lease', 5_000, 20);
    call.cancel();
    expect(((await ended) as ServiceError).code).toBe(status.CANCELLED);
    await waitUntil(async () => (await queue.activeLeases(POOL)) === 0, 'the lease to be released', 5_000, 20);
    // The cancel travelled gateway -> region router -> upstream.
    await waitUntil(async () => (await sims.cancelled()) > cancelledBefore, 'the upstream request to be abandoned', 5_000, 20);
  });

  it('releases the lease when the client cancels in the middle of the answer', async () => {
    const call = client.streamComplete(ask('Tell me a long story about rivers.', { cacheBypass: true }), KEY);
    const seen = await readStream(call, (message) => {
      if (message.event?.$case === 'delta') call.cancel();
    }).catch((e: ServiceError) => e);
    expect((seen as ServiceError).code).toBe(status.CANCELLED);
  });

  it('ends with DEADLINE_EXCEEDED and releases the lease when the deadline passes mid-stream', async () => {
    await sims.setFaults({ latencyMs: 5_000 });
    const failure = await readStream(client.streamComplete(ask('Too slow.', { cacheBypass: true }), KEY, 500)).catch((e: ServiceError) => e);
    expect((failure as ServiceError).code).toBe(status.DEADLINE_EXCEEDED);
  });

  it('refuses a stream without a valid key or with bad input, without taking a lease', async () => {
    const unknown = await readStream(client.streamComplete(ask('hi'), 'sk-not-a-real-key')).catch((e: ServiceError) => e);
    expect((unknown as ServiceError).code).toBe(status.UNAUTHENTICATED);
    const invalid = await readStream(client.streamComplete(ask('hi', { maxTokens: 10_000_000 }), KEY)).catch((e: ServiceError) => e);
    expect((invalid as ServiceError).code).toBe(status.INVALID_ARGUMENT);
    expect((invalid as ServiceError).details).toMatch(/^max_tokens:/);
  });
});
