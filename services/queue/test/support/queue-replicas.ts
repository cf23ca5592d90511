import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { queueV1 } from '@switchyard/contracts';
import { startServiceProcess, type RunningService } from '@switchyard/local-stack';
import { createClient, type PromiseClient } from '@switchyard/service-kit';

export const QUEUE_DIR = path.resolve(__dirname, '..', '..');
export type QueueClient = PromiseClient<typeof queueV1.QueueServiceService>;

export interface Replica {
  readonly service: RunningService;
  readonly client: QueueClient;
  stop(): Promise<void>;
}

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-queue-test-'));

/** One queue replica as its own process (dist/main.js), on a free port, with a client bound to it. */
export async function startQueueReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const service = await startServiceProcess({
    name,
    dir: QUEUE_DIR,
    logFile: path.join(logDir, `${name}.log`),
    env: {
      GRPC_PORT: '0',
      LOG_LEVEL: 'info',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...env,
    },
  });
  const client = createClient(queueV1.QueueServiceService, service.address, { dependency: name, defaultTimeoutMs: 15_000 });
  return {
    service,
    client,
    stop: async () => {
      client.close();
      await service.stop(3_000);
    },
  };
}

export async function poolStats(client: QueueClient, pool: string): Promise<queueV1.PoolStats> {
  const { pools } = await client.stats({ pool });
  return pools[0] as queueV1.PoolStats;
}
