import { status } from '@grpc/grpc-js';
import { metrics as sdkMetrics } from '@opentelemetry/sdk-node';
import { gatewayV1, type batcherV1, type regionV1 } from '@switchyard/contracts';
import { createLogger, startGrpcServer, type RunningGrpcServer } from '@switchyard/service-kit';
import { Unavailable } from '@switchyard/service-kit/errors';
import { HISTOGRAM_BUCKETS, metricViews } from '@switchyard/telemetry';
import { GatewayTestClient, readStream, statusOf } from '../../test/e2e/gateway-client';
import { fakePorts, hit, upstreamStream } from '../../test/support/fake-ports';
import { testFrontDoor } from '../../test/support/test-front-door';
import { startHttpApi, type RunningHttpApi } from '../http/http-api';
import { gatewayBinding } from '../server';
import { gatewayMetrics } from './gateway-metrics';

const KEY = 'sk-test-key-a';
const PROVIDER_MS = 25;

/** A reader the test collects from on demand, as a Prometheus scrape would. */
class OnDemandReader extends sdkMetrics.MetricReader {
  protected onShutdown = async () => undefined;
  protected onForceFlush = async () => undefined;
}

interface Recorded {
  count: number;
  sum: number;
  boundaries: number[];
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The gateway's gRPC server and HTTP API on free ports, over fake services, with a real OpenTelemetry meter provider
// (the catalog's bucket views included): what a request records is read back the way an exporter reads it.
describe('gateway duration and overhead metrics (real gRPC and HTTP requests, in process)', () => {
  let reader: OnDemandReader;
  let provider: sdkMetrics.MeterProvider;
  let fakes: ReturnType<typeof fakePorts>;
  let grpcServer: RunningGrpcServer;
  let api: RunningHttpApi;
  let client: GatewayTestClient;

  beforeEach(async () => {
    reader = new OnDemandReader();
    provider = new sdkMetrics.MeterProvider({ readers: [reader], views: metricViews() });
    const metrics = gatewayMetrics(provider.getMeter('switchyard.api-gateway'));

    fakes = fakePorts();
    fakes.ports.modelRouter.listModels = async () => ({
      models: [
        { name: 'text-embedding-3-small', tier: 'embedding', costPer1kInput: 0, costPer1kOutput: 0, latencyMs: 1, quality: 1, contextWindow: 8191, capabilities: ['embedding'] },
      ],
    });
    // A provider that takes a while, and says how long in the route the region router reports.
    fakes.ports.batcher.execute = async (req: batcherV1.ExecuteRequest) => {
      await delay(PROVIDER_MS + 10);
      return {
        completion: req.completion ? { content: 'Paris.', usage: { inputTokens: 14, outputTokens: 2 }, finishReason: 'stop' } : undefined,
        embedding: req.embedding ? { embeddings: [{ values: [0.1, 0.2] }], usage: { inputTokens: 1, outputTokens: 0 } } : undefined,
        region: 'eastus',
        batchSize: 1,
        batchWaitMs: 0,
        attempts: 1,
        upstream: { reason: 'closest', tried: [{ region: 'eastus', outcome: 'ok', httpStatus: 200, durationMs: PROVIDER_MS, note: '' }] },
      };
    };
    const frontDoor = testFrontDoor(fakes.ports, { [KEY]: 'team-a' });
    const logger = createLogger('api-gateway', 'silent');
    grpcServer = await startGrpcServer({ service: 'api-gateway', host: '127.0.0.1', port: 0, logger, bindings: [gatewayBinding(frontDoor, logger, metrics)], lameDuckMs: 0 });
    api = await startHttpApi({ host: '127.0.0.1', port: 0, frontDoor, logger, maxBodyBytes: 64 * 1024, maxDeadlineMs: 60_000, metrics });
    client = new GatewayTestClient(grpcServer.address);
  });

  afterEach(async () => {
    client.close();
    await api.close(1000);
    await grpcServer.shutdown(1000);
    await provider.shutdown();
  });

  /** Every data point of one histogram, keyed by its attributes (`operation transport outcome cache`). */
  async function recorded(name: string): Promise<Map<string, Recorded>> {
    const { resourceMetrics } = await reader.collect();
    const points = new Map<string, Recorded>();
    for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
      if (metric.descriptor.name !== name) continue;
      expect(metric.descriptor.unit).toBe('ms');
      for (const point of metric.dataPoints) {
        const value = point.value as sdkMetrics.Histogram;
        const { operation, transport, outcome, cache, ...others } = point.attributes;
        expect(others).toEqual({});
        points.set(`${operation} ${transport} ${outcome} ${cache}`, { count: value.count, sum: value.sum ?? NaN, boundaries: value.buckets.boundaries });
      }
    }
    return points;
  }

  const ask = { messages: [{ role: 'user', content: 'What is the capital of France?' }], userRegion: 'eastus', maxTokens: 64 };

  it('records a gRPC Complete that went upstream, with the provider time taken out of the overhead', async () => {
    await client.complete(ask, KEY);

    const duration = (await recorded('switchyard.gateway.duration')).get('complete grpc ok miss')!;
    const overhead = (await recorded('switchyard.gateway.overhead')).get('complete grpc ok miss')!;
    expect(duration.count).toBe(1);
    expect(overhead.count).toBe(1);
    expect(duration.sum).toBeGreaterThanOrEqual(PROVIDER_MS + 9);
    // The region router's reported provider time is the upstream time; the rest (the batch wait included) is ours.
    expect(duration.sum - overhead.sum).toBeCloseTo(PROVIDER_MS, 6);
    expect(duration.boundaries).toEqual(HISTOGRAM_BUCKETS['switchyard.gateway.duration']);
    expect(overhead.boundaries).toEqual(HISTOGRAM_BUCKETS['switchyard.gateway.overhead']);
  });

  it('records a cache hit with its overhead equal to its duration', async () => {
    fakes.ports.cache.lookup = hit('Paris.', gatewayV1.CacheStatus.CACHE_STATUS_EXACT);
    await client.complete(ask, KEY);

    const duration = (await recorded('switchyard.gateway.duration')).get('complete grpc ok exact')!;
    const overhead = (await recorded('switchyard.gateway.overhead')).get('complete grpc ok exact')!;
    expect(duration.count).toBe(1);
    expect(overhead.sum).toBe(duration.sum);
  });

  it('records gRPC Embed and StreamComplete, a bypassed cache, and the stream upstream time', async () => {
    await client.embed({ inputs: ['alpha'] }, KEY);
    await client.complete({ ...ask, cacheBypass: true }, KEY);
    fakes.ports.setStream(async function* slowStart(): AsyncGenerator<regionV1.StreamDispatchResponse> {
      await delay(20);
      yield* upstreamStream(['Paris', '.'])();
    });
    const answer = await readStream(client.streamComplete(ask, KEY));
    expect(answer.deltas.join('')).toBe('Paris.');

    const duration = await recorded('switchyard.gateway.duration');
    const overhead = await recorded('switchyard.gateway.overhead');
    expect([...duration.keys()].sort()).toEqual(['complete grpc ok bypass', 'embed grpc ok none', 'stream_complete grpc ok miss']);
    expect(duration.get('embed grpc ok none')!.sum - overhead.get('embed grpc ok none')!.sum).toBeCloseTo(PROVIDER_MS, 6);
    const stream = duration.get('stream_complete grpc ok miss')!;
    expect(stream.sum - overhead.get('stream_complete grpc ok miss')!.sum).toBeGreaterThanOrEqual(19);
    expect(overhead.get('stream_complete grpc ok miss')!.sum).toBeGreaterThanOrEqual(0);
  });

  it('records refused and failed gRPC calls with the status code the caller got', async () => {
    expect((await statusOf(client.complete(ask, 'sk-wrong'))).code).toBe(status.UNAUTHENTICATED);
    fakes.ports.batcher.execute = async () => {
      await delay(5);
      throw new Unavailable('region-router is unavailable: every region failed');
    };
    expect((await statusOf(client.complete(ask, KEY))).code).toBe(status.UNAVAILABLE);

    const duration = await recorded('switchyard.gateway.duration');
    const overhead = await recorded('switchyard.gateway.overhead');
    expect([...duration.keys()].sort()).toEqual(['complete grpc unauthenticated none', 'complete grpc unavailable miss']);
    const refused = 'complete grpc unauthenticated none';
    expect(overhead.get(refused)!.sum).toBe(duration.get(refused)!.sum);
    // A failed dispatch reports no provider time: the time spent awaiting it counts as upstream.
    const failed = 'complete grpc unavailable miss';
    expect(duration.get(failed)!.sum - overhead.get(failed)!.sum).toBeGreaterThanOrEqual(4);
  });

  it('records the OpenAI-compatible HTTP API the same way, transport http', async () => {
    const post = (path: string, body: unknown, key = KEY) =>
      fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const chat = { model: 'auto', messages: ask.messages };

    expect((await post('/v1/chat/completions', chat)).status).toBe(200);
    expect((await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'alpha' })).status).toBe(200);
    const streamed = await post('/v1/chat/completions', { ...chat, stream: true });
    expect(await streamed.text()).toContain('data: [DONE]');
    // Fails after the 200 went out: the error is an event in the stream, and still the outcome.
    fakes.ports.setStream(upstreamStream(['a', 'b'], { failAfter: 1, error: new Unavailable('region-router is unavailable: boom') }));
    const broken = await post('/v1/chat/completions', { ...chat, stream: true });
    expect(broken.status).toBe(200);
    expect(await broken.text()).toContain('service_unavailable');
    const unreadable = await fetch(`${api.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '{not json' });
    expect(unreadable.status).toBe(400);
    expect((await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'alpha' }, 'sk-wrong')).status).toBe(401);

    const duration = await recorded('switchyard.gateway.duration');
    expect([...duration.keys()].sort()).toEqual([
      'complete http invalid_argument none',
      'complete http ok miss',
      'embed http ok none',
      'embed http unauthenticated none',
      'stream_complete http ok miss',
      'stream_complete http unavailable miss',
    ]);
    expect([...duration.values()].every((point) => point.count === 1)).toBe(true);
    const overhead = await recorded('switchyard.gateway.overhead');
    expect(duration.get('complete http ok miss')!.sum - overhead.get('complete http ok miss')!.sum).toBeCloseTo(PROVIDER_MS, 6);
  });
});
