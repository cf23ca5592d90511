/**
 * Batcher benchmark: embedding traffic at a fixed rate through batcher -> region-router -> upstream-sim,
 * with batching on (BATCHER_MAX_BATCH_SIZE=32, BATCHER_MAX_WAIT_MS=20, the defaults) and off
 * (BATCHER_MAX_BATCH_SIZE=1), in the same run: each configuration has its own chain of processes and its own
 * simulator. At each rate the two take turns in short phases (batched, unbatched, batched, unbatched), so
 * both see the same machine conditions without one's overload slowing the other down.
 *
 *   npx nx run-many -t build -p batcher region-router upstream-sim
 *   npx tsc -p bench/batcher && node bench/batcher/dist/run.js [rate1,rate2,...] [seconds per rate]
 *
 * Reports upstream calls per request (from the simulators' own counters) and p50/p99 of the end-to-end
 * latency and of the batch wait each request was given. Traffic goes to 127.0.0.1 only.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { batcherV1, gatewayV1, inferenceV1 } from '@switchyard/contracts';
import { startServiceProcess, WORKSPACE_ROOT, type RunningService } from '@switchyard/local-stack';
import { createClient } from '@switchyard/service-kit';
import { openLoop, percentile } from './open-loop';

const RATES = (process.argv[2] ?? '25,50,100,200').split(',').map(Number);
const SECONDS = Number(process.argv[3] ?? 10);
/** Phases per configuration and rate; each lasts SECONDS / PHASES. */
const PHASES = 2;
const SIM_LATENCY_MS = 20;
const MAX_RATE = 2_000;
const MAX_SECONDS = 60;

interface Chain {
  label: string;
  batchEnv: Record<string, string>;
  sim: RunningService;
  client: ReturnType<typeof createClient<typeof batcherV1.BatcherServiceService>>;
}

interface Sample {
  latencyMs: number;
  batchWaitMs: number;
  batchSize: number;
}

const quiet = { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', LOG_LEVEL: 'info' };
const dir = (name: string) => path.join(WORKSPACE_ROOT, 'services', name);

async function startChain(label: string, batchEnv: Record<string, string>, started: RunningService[]): Promise<Chain> {
  const launch = async (name: string, service: string, env: Record<string, string>) => {
    const running = await startServiceProcess({ name: `${label}:${name}`, dir: dir(service), env: { ...quiet, ...env } });
    started.push(running);
    return running;
  };
  const sim = await launch('sim', 'upstream-sim', { SIM_REGION: 'eastus', SIM_PORT: '0', SIM_LATENCY_MS: String(SIM_LATENCY_MS), SIM_TPM_LIMIT: '1000000000', SIM_RPM_LIMIT: '100000000' });
  const router = await launch('region-router', 'region-router', {
    GRPC_PORT: '0',
    REGIONS: JSON.stringify([{ name: 'eastus', baseUrl: `${sim.address}/v1`, capacityTpm: 1_000_000_000 }]),
  });
  const batcher = await launch('batcher', 'batcher', { GRPC_PORT: '0', REGION_ROUTER_ADDRESS: router.address, ...batchEnv });
  return { label, batchEnv, sim, client: createClient(batcherV1.BatcherServiceService, batcher.address, { dependency: 'batcher' }) };
}

async function upstreamCalls(chain: Chain): Promise<number> {
  const stats = (await (await fetch(`${chain.sim.address}/admin/stats`)).json()) as { embeddings: number };
  return stats.embeddings;
}

function request(i: number): batcherV1.ExecuteRequest {
  return {
    kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
    model: 'text-embedding-3-small',
    priority: gatewayV1.Priority.PRIORITY_NORMAL,
    tenant: 'bench',
    userRegion: 'eastus',
    completion: undefined,
    embedding: { inputs: [`benchmark sentence number ${i} about batching embeddings`] },
  };
}

function summary(samples: Sample[], calls: number) {
  const latency = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const wait = samples.map((s) => s.batchWaitMs).sort((a, b) => a - b);
  const fmt = (n: number) => n.toFixed(1);
  return {
    requests: samples.length,
    upstreamCalls: calls,
    callsPerRequest: (calls / Math.max(1, samples.length)).toFixed(3),
    meanBatch: (samples.reduce((a, s) => a + s.batchSize, 0) / samples.length).toFixed(1),
    latencyP50: fmt(percentile(latency, 50)),
    latencyP99: fmt(percentile(latency, 99)),
    waitP50: fmt(percentile(wait, 50)),
    waitP99: fmt(percentile(wait, 99)),
  };
}

async function main(): Promise<void> {
  if (RATES.some((r) => !(r > 0 && r <= MAX_RATE)) || !(SECONDS > 0 && SECONDS <= MAX_SECONDS)) {
    throw new Error(`rates must be in (0, ${MAX_RATE}] req/s and the duration in (0, ${MAX_SECONDS}] s`);
  }
  const started: RunningService[] = [];
  try {
    const [batched, unbatched] = await Promise.all([
      startChain('batched', { BATCHER_MAX_BATCH_SIZE: '32', BATCHER_MAX_WAIT_MS: '20' }, started),
      startChain('max_batch_size=1', { BATCHER_MAX_BATCH_SIZE: '1' }, started),
    ]);
    const chains = [batched, unbatched];
    console.log(`# ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load average ${os.loadavg()[0]!.toFixed(1)} · upstream latency ${SIM_LATENCY_MS} ms`);
    // Warm-up: connections, JIT, tokenizer tables.
    for (const chain of chains) await Promise.all(Array.from({ length: 50 }, (_, i) => chain.client.execute(request(i), { deadline: new Date(Date.now() + 10_000) })));

    const rows: string[] = [];
    for (const rate of RATES) {
      const samples = new Map(chains.map((c) => [c.label, [] as Sample[]]));
      const calls = new Map(chains.map((c) => [c.label, 0]));
      const errors = new Map(chains.map((c) => [c.label, 0]));
      for (let phase = 0; phase < PHASES; phase++) {
        for (const chain of chains) {
          const before = await upstreamCalls(chain);
          await openLoop(rate, (SECONDS * 1000) / PHASES, async (i) => {
            const t0 = performance.now();
            try {
              const response = await chain.client.execute(request(i), { deadline: new Date(Date.now() + 10_000) });
              samples.get(chain.label)!.push({ latencyMs: performance.now() - t0, batchWaitMs: response.batchWaitMs, batchSize: response.batchSize });
            } catch {
              errors.set(chain.label, errors.get(chain.label)! + 1);
            }
          });
          calls.set(chain.label, calls.get(chain.label)! + (await upstreamCalls(chain)) - before);
        }
      }
      for (const chain of chains) {
        const s = summary(samples.get(chain.label)!, calls.get(chain.label)!);
        rows.push(
          `| ${rate} | ${chain.label} | ${s.requests} | ${errors.get(chain.label)} | ${s.upstreamCalls} | ${s.callsPerRequest} | ${s.meanBatch} | ${s.waitP50} / ${s.waitP99} | ${s.latencyP50} / ${s.latencyP99} |`,
        );
      }
    }
    console.log('| rate (req/s) | configuration | answered | failed | upstream calls | calls / request | mean batch | batch wait p50 / p99 (ms) | end-to-end p50 / p99 (ms) |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(row);
    for (const chain of chains) chain.client.close();
  } finally {
    for (const service of started.reverse()) await service.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
