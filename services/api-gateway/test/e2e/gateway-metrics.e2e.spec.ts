import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { gatewayV1 } from '@switchyard/contracts';
import { startStack, type RunningStack } from '@switchyard/local-stack';
import { HISTOGRAM_BUCKETS } from '@switchyard/telemetry';
import { GatewayTestClient, readStream, statusOf } from './gateway-client';
import { TOPOLOGIES } from './topologies';

jest.setTimeout(90_000);

const KEY = 'sk-switchyard-dev-a';
const SIM_LATENCY_MS = 20;

interface Series {
  count: number;
  sum: number;
  /** `le` bounds of the bucket series, +Inf left out. */
  bounds: number[];
}

/** One histogram's series from a Prometheus text page, keyed by `operation transport outcome cache`. */
function histogram(page: string, metric: string): Map<string, Series> {
  const series = new Map<string, Series>();
  for (const match of page.matchAll(new RegExp(`^${metric}_(count|sum|bucket)\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const key = `${labels.operation} ${labels.transport} ${labels.outcome} ${labels.cache}`;
    const entry = series.get(key) ?? { count: NaN, sum: NaN, bounds: [] };
    if (match[1] === 'count') entry.count = Number(match[3]);
    if (match[1] === 'sum') entry.sum = Number(match[3]);
    if (match[1] === 'bucket' && labels.le !== '+Inf') entry.bounds.push(Number(labels.le));
    series.set(key, entry);
  }
  return series;
}

// The gateway as deployed: its process (or the one process) serves /metrics through the Prometheus exporter, the
// way the dashboard and the SwitchyardGatewayOverheadHigh alert read switchyard_gateway_duration / _overhead.
describe.each(TOPOLOGIES)('gateway duration and overhead on /metrics (topology: %s)', (topology) => {
  let stack: RunningStack;
  let client: GatewayTestClient;

  beforeAll(async () => {
    stack = await startStack({
      topology,
      ports: 'free',
      logDir: fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-metrics-e2e-')),
      simLatencyMs: SIM_LATENCY_MS,
      env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none' },
    });
    client = new GatewayTestClient(stack.gatewayAddress);
  });

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  async function scrape(): Promise<string> {
    const target = stack.metricsTargets.find((t) => t.name === (topology === 'one-process' ? 'one-process' : 'api-gateway'));
    const res = await fetch(target!.url);
    expect(res.status).toBe(200);
    return res.text();
  }

  it('records every kind of request over gRPC and HTTP, with its outcome and cache status', async () => {
    const ask = { messages: [{ role: 'user', content: 'What is the capital of France?' }], userRegion: 'eastus', maxTokens: 64 };
    expect((await client.complete(ask, KEY)).route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_MISS);
    expect((await client.complete(ask, KEY)).route?.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_EXACT);
    await client.embed({ inputs: ['alpha', 'beta'], userRegion: 'eastus' }, KEY);
    const streamed = await readStream(client.streamComplete({ ...ask, messages: [{ role: 'user', content: 'Tell me about the Loire.' }] }, KEY));
    expect(streamed.finished).toBeDefined();
    expect((await statusOf(client.complete(ask, 'sk-not-a-real-key'))).code).toBe(status.UNAUTHENTICATED);
    const http = await fetch(`${stack.gatewayHttpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-switchyard-cache': 'no-store' },
      body: JSON.stringify({ model: 'auto', messages: ask.messages, temperature: 0 }),
    });
    expect(http.status).toBe(200);

    const page = await scrape();
    const duration = histogram(page, 'switchyard_gateway_duration');
    const overhead = histogram(page, 'switchyard_gateway_overhead');
    const expected = [
      'complete grpc ok miss',
      'complete grpc ok exact',
      'embed grpc ok none',
      'stream_complete grpc ok miss',
      'complete grpc unauthenticated none',
      'complete http ok bypass',
    ];
    for (const key of expected) {
      expect({ key, count: duration.get(key)?.count }).toEqual({ key, count: 1 });
      expect({ key, count: overhead.get(key)?.count }).toEqual({ key, count: 1 });
    }
    expect(duration.get('complete grpc ok miss')!.bounds).toEqual(HISTOGRAM_BUCKETS['switchyard.gateway.duration']);

    // Answers that went upstream: the simulated provider's latency is taken out of the overhead.
    for (const key of ['complete grpc ok miss', 'embed grpc ok none', 'stream_complete grpc ok miss', 'complete http ok bypass']) {
      const upstream = duration.get(key)!.sum - overhead.get(key)!.sum;
      expect({ key, upstreamAtLeastSimLatency: upstream >= SIM_LATENCY_MS - 1 }).toEqual({ key, upstreamAtLeastSimLatency: true });
      expect(overhead.get(key)!.sum).toBeGreaterThanOrEqual(0);
    }
    // Nothing went upstream: all of it is the gateway's own time.
    expect(overhead.get('complete grpc ok exact')!.sum).toBe(duration.get('complete grpc ok exact')!.sum);
    expect(overhead.get('complete grpc unauthenticated none')!.sum).toBe(duration.get('complete grpc unauthenticated none')!.sum);
  });
});
