import path from 'node:path';
import { inferenceV1, regionV1 } from '@switchyard/contracts';
import { startServiceProcess, WORKSPACE_ROOT, type RunningService } from '@switchyard/local-stack';
import { createClient, type PromiseClient } from '@switchyard/service-kit';

/** One simulated upstream region: its own upstream-sim process. */
export interface SimRegionSpec {
  name: string;
  /** Azure-style: the router calls it with AzureOpenAI and these model -> deployment names. */
  azureDeployments?: Record<string, string>;
}

export interface FaultStack {
  router: PromiseClient<typeof regionV1.RegionRouterServiceService>;
  routerProcess: RunningService;
  sims: Record<string, RunningService>;
  /** POST /admin/faults on one region's simulator. */
  faults(region: string, patch: Record<string, unknown>): Promise<void>;
  /** POST /admin/reset on every simulator. */
  resetAll(): Promise<void>;
  simStats(region: string): Promise<{ requests: number; hung: number; rateLimited: number; injectedErrors: number }>;
  region(name: string): Promise<regionV1.RegionStatus>;
  stop(): Promise<void>;
}

/**
 * Four (or more) upstream-sim processes and a region-router process wired to them, all on free ports:
 * faults are injected over HTTP while traffic flows through the router's real gRPC server.
 */
export async function startFaultStack(regions: SimRegionSpec[], routerEnv: Record<string, string>): Promise<FaultStack> {
  const started: RunningService[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    const sims = await Promise.all(
      regions.map(async (region) => {
        const sim = await startServiceProcess({
          name: `upstream-sim:${region.name}`,
          dir: path.join(WORKSPACE_ROOT, 'services', 'upstream-sim'),
          env: {
            SIM_REGION: region.name,
            SIM_PORT: '0',
            SIM_LATENCY_MS: '5',
            SIM_TPM_LIMIT: '100000000',
            SIM_RPM_LIMIT: '1000000',
            SIM_DEPLOYMENTS: JSON.stringify(Object.fromEntries(Object.entries(region.azureDeployments ?? {}).map(([model, deployment]) => [deployment, model]))),
            OTEL_TRACES_EXPORTER: 'none',
            OTEL_METRICS_EXPORTER: 'none',
          },
        });
        started.push(sim);
        return sim;
      }),
    );
    const regionsJson = regions.map((region, i) =>
      region.azureDeployments
        ? { name: region.name, provider: 'azure', baseUrl: sims[i]!.address, apiVersion: '2024-10-21', capacityTpm: 10_000_000, deployments: region.azureDeployments }
        : { name: region.name, provider: 'openai', baseUrl: `${sims[i]!.address}/v1`, capacityTpm: 10_000_000 },
    );
    const routerProcess = await startServiceProcess({
      name: 'region-router',
      dir: path.join(WORKSPACE_ROOT, 'services', 'region-router'),
      env: {
        GRPC_PORT: '0',
        REGIONS: JSON.stringify(regionsJson),
        LOG_LEVEL: 'info',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
        ...routerEnv,
      },
    });
    started.push(routerProcess);
    const router = createClient(regionV1.RegionRouterServiceService, routerProcess.address, { dependency: 'region-router' });
    const simByName = Object.fromEntries(regions.map((region, i) => [region.name, sims[i]!]));
    const admin = async (region: string, method: string, route: string, body?: unknown) => {
      const response = await fetch(`${simByName[region]!.address}${route}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${route} on ${region}: HTTP ${response.status} ${await response.text()}`);
      return response.json() as Promise<any>;
    };
    return {
      router,
      routerProcess,
      sims: simByName,
      faults: async (region, patch) => void (await admin(region, 'POST', '/admin/faults', patch)),
      resetAll: async () => void (await Promise.all(regions.map((r) => admin(r.name, 'POST', '/admin/reset')))),
      simStats: (region) => admin(region, 'GET', '/admin/stats'),
      region: async (name) => {
        const { regions: all } = await router.listRegions({ tenant: '' });
        const found = all.find((r) => r.name === name);
        if (!found) throw new Error(`ListRegions has no region ${name}`);
        return found;
      },
      stop: async () => {
        router.close();
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export interface LoadResult {
  ok: boolean;
  region: string;
  attempts: number;
  tried: inferenceV1.UpstreamAttempt[];
  /** gRPC status of a failed item (or of the whole call). */
  code?: number;
  message?: string;
  startedAt: number;
  finishedAt: number;
  deadlineMs: number;
}

/**
 * Closed-loop traffic: `workers` callers each send one completion after the other to the router, each with
 * its own deadline, until stopped. Every answer is kept so a test can assert on all of them.
 */
export class SteadyLoad {
  readonly results: LoadResult[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly router: FaultStack['router'],
    options: { workers: number; userRegion: string; deadlineMs: number; tenant?: string },
  ) {
    this.loops = Array.from({ length: options.workers }, (_, worker) => this.loop(worker, options));
  }

  async stop(): Promise<LoadResult[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.results;
  }

  failures(): LoadResult[] {
    return this.results.filter((r) => !r.ok);
  }

  private async loop(worker: number, options: { userRegion: string; deadlineMs: number; tenant?: string }): Promise<void> {
    for (let n = 0; this.running; n++) {
      const startedAt = Date.now();
      const deadline = new Date(startedAt + options.deadlineMs);
      const base = { startedAt, deadlineMs: options.deadlineMs, region: '', attempts: 0, tried: [] as inferenceV1.UpstreamAttempt[] };
      try {
        const response = await this.router.dispatch(completion(options.userRegion, `worker ${worker} request ${n}`, options.tenant ?? ''), { deadline });
        const result = response.results[0]!;
        this.results.push({
          ...base,
          ok: result.error === undefined,
          region: result.region,
          attempts: result.attempts,
          tried: result.upstream?.tried ?? [],
          code: result.error?.code,
          message: result.error?.message,
          finishedAt: Date.now(),
        });
      } catch (err) {
        this.results.push({ ...base, ok: false, message: String(err), finishedAt: Date.now() });
      }
    }
  }
}

export function completion(userRegion: string, content: string, tenant = ''): regionV1.DispatchRequest {
  return {
    kind: inferenceV1.WorkKind.WORK_KIND_COMPLETION,
    model: 'gpt-4o-mini',
    userRegion,
    items: [{ itemId: '0', completion: { messages: [{ role: 'user', content }], temperature: 0, maxTokens: 16 }, embedding: undefined, traceparent: '', tenant, deadlineUnixMs: '0' }],
  };
}

export function embedding(userRegion: string, items: Array<{ inputs: string[]; tenant: string }>): regionV1.DispatchRequest {
  return {
    kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
    model: 'text-embedding-3-small',
    userRegion,
    items: items.map((item, i) => ({ itemId: String(i), completion: undefined, embedding: { inputs: item.inputs }, traceparent: '', tenant: item.tenant, deadlineUnixMs: '0' })),
  };
}
