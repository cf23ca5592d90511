import { node, tracing } from '@opentelemetry/sdk-node';
import { batcherV1, gatewayV1, inferenceV1 } from '@switchyard/contracts';
import { createClient, createLogger, startGrpcServer, type RunningGrpcServer } from '@switchyard/service-kit';
import { systemClock, systemTimers } from '@switchyard/service-kit/clock';
import { Batcher, succeeded } from './batching';
import type { WorkItem, WorkResult } from './dispatch/work-item';
import { batcherBinding } from './server';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
provider.register();

const route: inferenceV1.UpstreamRoute = {
  reason: 'user region eastus cooling down (1500 ms left); least loaded then closest: westus (load 0.01, distance 1)',
  tried: [
    { region: 'eastus', outcome: 'throttled', httpStatus: 429, durationMs: 4, note: 'cooling down 1500 ms (retry-after)' },
    { region: 'westus', outcome: 'ok', httpStatus: 0, durationMs: 9, note: '' },
  ],
};

describe('BatcherService.Execute over gRPC', () => {
  let server: RunningGrpcServer;
  let client: ReturnType<typeof createClient<typeof batcherV1.BatcherServiceService>>;
  const dispatched: WorkItem[][] = [];

  beforeAll(async () => {
    const batcher = new Batcher<WorkItem, WorkResult>(
      { maxBatchSize: 8, maxWaitMs: 5, minSlackMs: 0 },
      {
        clock: systemClock,
        timers: systemTimers,
        dispatch: async (_key, items) => {
          dispatched.push(items);
          return items.map(() => succeeded({ region: 'westus', attempts: 2, upstream: route, embedding: { embeddings: [{ values: [1] }], usage: undefined } }));
        },
      },
    );
    const logger = createLogger('batcher', 'silent');
    server = await startGrpcServer({ service: 'batcher', host: '127.0.0.1', port: 0, logger, bindings: [batcherBinding(batcher, logger, 2048)] });
    client = createClient(batcherV1.BatcherServiceService, server.address, { dependency: 'batcher' });
  });

  afterAll(async () => {
    client.close();
    await server.shutdown(1_000);
    await provider.shutdown();
  });

  it('answers with the route and records every upstream attempt as an event on the request own batch.wait span', async () => {
    const deadline = new Date(Date.now() + 5_000);
    const response = await client.execute(
      {
        kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
        model: 'text-embedding-3-small',
        priority: gatewayV1.Priority.PRIORITY_HIGH,
        tenant: 'team-a',
        userRegion: 'eastus',
        completion: undefined,
        embedding: { inputs: ['hello'] },
      },
      { deadline },
    );
    expect(response).toMatchObject({ region: 'westus', attempts: 2, upstream: route });
    expect(Math.abs(Number(dispatched[0]![0]!.deadlineMs) - deadline.getTime())).toBeLessThanOrEqual(100);

    const span = exporter.getFinishedSpans().find((s) => s.name === 'batch.wait')!;
    expect(span.attributes).toMatchObject({ 'switchyard.region': 'westus', 'switchyard.upstream.attempts': 2, 'switchyard.region.reason': route.reason });
    expect(span.events.map((e) => [e.name, e.attributes?.['switchyard.region'], e.attributes?.['switchyard.upstream.outcome']])).toEqual([
      ['switchyard.upstream.attempt', 'eastus', 'throttled'],
      ['switchyard.upstream.attempt', 'westus', 'ok'],
    ]);
    expect(span.events[0]!.attributes).toMatchObject({ 'http.response.status_code': 429, 'switchyard.note': 'cooling down 1500 ms (retry-after)' });
  });
});
