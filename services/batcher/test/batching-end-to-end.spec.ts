import path from 'node:path';
import { batcherV1, gatewayV1, inferenceV1 } from '@switchyard/contracts';
import { startServiceProcess, WORKSPACE_ROOT, type RunningService } from '@switchyard/local-stack';
import { createClient } from '@switchyard/service-kit';

jest.setTimeout(60_000);

const MAX_BATCH = 16;
const MAX_WAIT_MS = 1_000;

const serviceDir = (name: string) => path.join(WORKSPACE_ROOT, 'services', name);
const quiet = { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' };

function embed(input: string, priority = gatewayV1.Priority.PRIORITY_NORMAL): batcherV1.ExecuteRequest {
  return {
    kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
    model: 'text-embedding-3-small',
    priority,
    tenant: 'team-a',
    userRegion: 'eastus',
    completion: undefined,
    embedding: { inputs: [input] },
  };
}

describe('batcher with a real region router and upstream: embeddings from many callers', () => {
  const started: RunningService[] = [];
  let sim: RunningService;
  let batcher: ReturnType<typeof createClient<typeof batcherV1.BatcherServiceService>>;

  const upstreamEmbeddingCalls = async (): Promise<number> => {
    const stats = (await (await fetch(`${sim.address}/admin/stats`)).json()) as { embeddings: number };
    return stats.embeddings;
  };

  beforeAll(async () => {
    sim = await startServiceProcess({ name: 'upstream-sim', dir: serviceDir('upstream-sim'), env: { ...quiet, SIM_REGION: 'eastus', SIM_PORT: '0', SIM_LATENCY_MS: '5' } });
    started.push(sim);
    const router = await startServiceProcess({
      name: 'region-router',
      dir: serviceDir('region-router'),
      env: { ...quiet, GRPC_PORT: '0', REGIONS: JSON.stringify([{ name: 'eastus', baseUrl: `${sim.address}/v1`, capacityTpm: 10_000_000 }]) },
    });
    started.push(router);
    const batcherProcess = await startServiceProcess({
      name: 'batcher',
      dir: serviceDir('batcher'),
      env: {
        ...quiet,
        GRPC_PORT: '0',
        REGION_ROUTER_ADDRESS: router.address,
        BATCHER_MAX_BATCH_SIZE: String(MAX_BATCH),
        BATCHER_MAX_WAIT_MS: String(MAX_WAIT_MS),
        BATCHER_MIN_SLACK_MS: '0',
      },
    });
    started.push(batcherProcess);
    batcher = createClient(batcherV1.BatcherServiceService, batcherProcess.address, { dependency: 'batcher' });
  });

  afterAll(async () => {
    batcher?.close();
    for (const service of started.reverse()) await service.stop();
  });

  it('sends 40 concurrent embedding requests upstream in as few calls as max_batch_size allows', async () => {
    const before = await upstreamEmbeddingCalls();
    const deadline = new Date(Date.now() + 15_000);
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => batcher.execute(embed(`text number ${i}`), { deadline })));
    expect(await upstreamEmbeddingCalls()).toBe(before + Math.ceil(40 / MAX_BATCH));
    expect(responses.map((r) => r.batchSize).sort((a, b) => a - b)).toEqual([...Array(8).fill(8), ...Array(32).fill(16)]);
    for (const response of responses) {
      expect(response.embedding?.embeddings).toHaveLength(1);
      expect(response).toMatchObject({ region: 'eastus', attempts: 1, upstream: { tried: [{ region: 'eastus', outcome: 'ok' }] } });
    }
  });

  it('adds no batch wait to a CRITICAL request, while NORMAL requests around it batch', async () => {
    const deadline = new Date(Date.now() + 15_000);
    const alone = await batcher.execute(embed('critical alone', gatewayV1.Priority.PRIORITY_CRITICAL), { deadline });
    expect(alone).toMatchObject({ batchSize: 1, batchWaitMs: 0 });

    const normal = [1, 2, 3].map((i) => batcher.execute(embed(`normal ${i}`), { deadline }));
    const critical = await batcher.execute(embed('critical with company', gatewayV1.Priority.PRIORITY_CRITICAL), { deadline });
    expect(critical.batchWaitMs).toBe(0);
    for (const response of await Promise.all(normal)) expect(response.batchWaitMs).toBeLessThanOrEqual(MAX_WAIT_MS);
  });
});
