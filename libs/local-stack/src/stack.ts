import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { findFreePort, fixedMetricsPort, METRICS_PORT_BASE, prometheusRequested } from './metrics-ports';
import { startServiceProcess, type RunningService } from './service-process';

export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');

export const GRPC_SERVICES = ['region-router', 'batcher', 'model-router', 'queue', 'cache', 'api-gateway'] as const;
export type GrpcServiceName = (typeof GRPC_SERVICES)[number];

/** Fixed ports of `npm start`; tests ask for free ones instead. */
export const DEFAULT_PORTS: Record<GrpcServiceName, number> = {
  'api-gateway': 50051,
  queue: 50052,
  cache: 50053,
  batcher: 50054,
  'model-router': 50055,
  'region-router': 50056,
};

/** The gateway's OpenAI-compatible HTTP API in `npm start`. */
export const GATEWAY_HTTP_PORT = 8080;

export interface SimRegion {
  name: string;
  port: number;
  latencyMs: number;
  capacityTpm: number;
}

/** The seed's four regions, each served by its own upstream-sim process. */
export const SIM_REGIONS: SimRegion[] = [
  { name: 'eastus', port: 8401, latencyMs: 30, capacityTpm: 80_000 },
  { name: 'westus', port: 8402, latencyMs: 40, capacityTpm: 80_000 },
  { name: 'westeurope', port: 8403, latencyMs: 60, capacityTpm: 60_000 },
  { name: 'eastasia', port: 8404, latencyMs: 90, capacityTpm: 40_000 },
];

/**
 * `processes`: each service in its own process (the `npm start` topology). `one-process`: the six services in
 * one Node process bound in process (apps/one-process); the upstream simulators stay processes either way.
 */
export type StackTopology = 'processes' | 'one-process';

export const ONE_PROCESS_DIR = path.join(WORKSPACE_ROOT, 'apps', 'one-process');

export interface StackOptions {
  /** Default `processes`. */
  topology?: StackTopology;
  /** `fixed` uses DEFAULT_PORTS and SIM_REGIONS' ports; `free` lets every process bind a free port. */
  ports: 'fixed' | 'free';
  /** Folder for one log file per process; logs are discarded when omitted. */
  logDir?: string;
  /** Added to every process's environment (e.g. OTEL_* settings). */
  env?: Record<string, string>;
  /** Added to one service's environment (in one-process mode every service's entries go to the one process). */
  serviceEnv?: Partial<Record<GrpcServiceName | 'upstream-sim', Record<string, string>>>;
  /** Region list for the region router (JSON, see its README). When set, no simulators are started. */
  regions?: string;
  /** Simulated latency override for every region (tests use small values). */
  simLatencyMs?: number;
  onReady?: (service: RunningService) => void;
  /**
   * First of the Prometheus ports in `fixed` mode (default 9460: gateway 9461 ... region-router 9466,
   * simulators 9471-9474). Used only when OTEL_METRICS_EXPORTER names `prometheus`.
   */
  metricsPortBase?: number;
}

/** A process's Prometheus endpoint, present when metrics are on. */
export interface MetricsTarget {
  name: string;
  url: string;
}

export interface RunningStack {
  gatewayAddress: string;
  /** Base URL of the gateway's OpenAI-compatible HTTP API, e.g. `http://127.0.0.1:8080` (clients add `/v1`). */
  gatewayHttpUrl: string;
  /** The processes started: simulators, then the services (or the one process hosting them all). */
  services: RunningService[];
  /** One per process when OTEL_METRICS_EXPORTER names `prometheus`; empty otherwise. */
  metricsTargets: MetricsTarget[];
  /** A process by name; in one-process mode each of the six service names finds the one process. */
  byName(name: string): RunningService;
  stop(): Promise<void>;
}

/**
 * Starts upstream simulators (unless real regions are configured) and the six gRPC services as separate
 * processes, each told where its dependencies listen, in dependency order.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const started: RunningService[] = [];
  const metricsTargets: MetricsTarget[] = [];
  const port = (name: GrpcServiceName) => String(options.ports === 'fixed' ? DEFAULT_PORTS[name] : 0);
  if (options.logDir) fs.mkdirSync(options.logDir, { recursive: true });
  const metricsPort = (label: string) =>
    options.ports === 'fixed' ? Promise.resolve(fixedMetricsPort(label, options.metricsPortBase ?? METRICS_PORT_BASE)) : findFreePort();
  // Test stacks (free ports) may run side by side against one Redis (CI exports REDIS_URL): each gets its own
  // keys for every Redis-backed service, so no stack sees another's leases, answers or limits. They are defaults:
  // a test that wants processes to share keys sets the prefix itself (options.env / serviceEnv win).
  const isolatedKeys = options.ports === 'free' ? isolatedRedisKeys(`switchyard-test-${randomUUID().slice(0, 8)}`) : {};
  const launch = async (label: string, dir: string, env: Record<string, string>) => {
    const serviceEnv = dir === ONE_PROCESS_DIR ? oneProcessEnv(options) : options.serviceEnv?.[dir as GrpcServiceName];
    const childEnv: Record<string, string> = { ...isolatedKeys, ...options.env, ...serviceEnv, ...env };
    // A port set for this one service wins; otherwise every process gets its own.
    const metrics = prometheusRequested({ ...process.env, ...childEnv }) && !serviceEnv?.OTEL_EXPORTER_PROMETHEUS_PORT;
    if (metrics) childEnv.OTEL_EXPORTER_PROMETHEUS_PORT = String(await metricsPort(label));
    const service = await startServiceProcess({
      name: label,
      dir: path.isAbsolute(dir) ? dir : path.join(WORKSPACE_ROOT, 'services', dir),
      env: childEnv,
      logFile: options.logDir ? path.join(options.logDir, `${label.replace(':', '-')}.log`) : undefined,
    });
    started.push(service);
    if (metrics) metricsTargets.push({ name: label, url: `http://127.0.0.1:${childEnv.OTEL_EXPORTER_PROMETHEUS_PORT}/metrics` });
    options.onReady?.(service);
    return service;
  };

  try {
    let regions = options.regions;
    if (!regions) {
      const sims = await Promise.all(
        SIM_REGIONS.map((region) =>
          launch(`upstream-sim:${region.name}`, 'upstream-sim', {
            SIM_REGION: region.name,
            SIM_PORT: String(options.ports === 'fixed' ? region.port : 0),
            SIM_LATENCY_MS: String(options.simLatencyMs ?? region.latencyMs),
            SIM_TPM_LIMIT: String(region.capacityTpm),
          }),
        ),
      );
      regions = JSON.stringify(
        SIM_REGIONS.map((region, i) => ({
          name: region.name,
          provider: 'openai',
          baseUrl: `${sims[i]!.address}/v1`,
          capacityTpm: region.capacityTpm,
        })),
      );
    }
    if (options.topology === 'one-process') {
      const host = await launch('one-process', ONE_PROCESS_DIR, {
        GRPC_PORT: port('api-gateway'),
        GATEWAY_HTTP_PORT: String(options.ports === 'fixed' ? GATEWAY_HTTP_PORT : 0),
        REGIONS: regions,
      });
      return runningStack(host, started, metricsTargets, (name) => ((GRPC_SERVICES as readonly string[]).includes(name) ? host : undefined));
    }
    const regionRouter = await launch('region-router', 'region-router', { GRPC_PORT: port('region-router'), REGIONS: regions });
    const [batcher, modelRouter, queue] = await Promise.all([
      launch('batcher', 'batcher', { GRPC_PORT: port('batcher'), REGION_ROUTER_ADDRESS: regionRouter.address }),
      launch('model-router', 'model-router', { GRPC_PORT: port('model-router') }),
      launch('queue', 'queue', { GRPC_PORT: port('queue') }),
    ]);
    const cache = await launch('cache', 'cache', { GRPC_PORT: port('cache'), BATCHER_ADDRESS: batcher.address });
    const gateway = await launch('api-gateway', 'api-gateway', {
      GRPC_PORT: port('api-gateway'),
      GATEWAY_HTTP_PORT: String(options.ports === 'fixed' ? GATEWAY_HTTP_PORT : 0),
      QUEUE_ADDRESS: queue.address,
      CACHE_ADDRESS: cache.address,
      BATCHER_ADDRESS: batcher.address,
      MODEL_ROUTER_ADDRESS: modelRouter.address,
      REGION_ROUTER_ADDRESS: regionRouter.address,
    });
    return runningStack(gateway, started, metricsTargets, () => undefined);
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

function runningStack(
  gateway: RunningService,
  started: RunningService[],
  metricsTargets: MetricsTarget[],
  alias: (name: string) => RunningService | undefined,
): RunningStack {
  return {
    gatewayAddress: gateway.address,
    gatewayHttpUrl: String(gateway.ready.http_address),
    services: started,
    metricsTargets,
    byName: (name) => {
      const found = started.find((s) => s.name === name) ?? alias(name);
      if (!found) throw new Error(`no service named ${name}; have ${started.map((s) => s.name).join(', ')}`);
      return found;
    },
    stop: () => stopAll(started),
  };
}

/** Every service's own settings, merged: in one process they share one environment. */
function oneProcessEnv(options: StackOptions): Record<string, string> {
  return Object.assign({}, ...GRPC_SERVICES.map((name) => options.serviceEnv?.[name] ?? {})) as Record<string, string>;
}

/** Stops the gateway first and the simulators last, so nothing in flight loses its dependency. */
async function stopAll(services: RunningService[]): Promise<void> {
  for (const service of [...services].reverse()) await service.stop();
}

/** Key prefixes of every Redis-backed service, all under one namespace. */
export function isolatedRedisKeys(namespace: string): Record<string, string> {
  return {
    QUEUE_REDIS_KEY_PREFIX: `${namespace}:queue`,
    CACHE_REDIS_KEY_PREFIX: `${namespace}:cache`,
    GATEWAY_REDIS_KEY_PREFIX: `${namespace}:gateway:`,
  };
}
