import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '@switchyard/service-kit/clock';
import type { SimulatorConfig } from '../config';
import { NO_FAULTS, RegionSimulator } from '../simulator';
import type { RequestLogger } from './request-context';
import { createRequestHandler } from './request-handler';

export interface StartedSimulator {
  /** The bound port (the one the OS chose when SIM_PORT is 0). */
  port: number;
  /** Base URL without a path, e.g. `http://127.0.0.1:8400`; OpenAI clients use `url + '/v1'`. */
  url: string;
  /** The region's state, for in-process tests that want to set faults or read stats without HTTP. */
  simulator: RegionSimulator;
  /** Stops accepting connections, lets in-flight answers finish, then resolves; calling it again is harmless. */
  close(): Promise<void>;
}

export interface SimulatorDependencies {
  clock?: Clock;
  logger?: RequestLogger;
}

const silentLogger: RequestLogger = { debug: () => undefined, warn: () => undefined };

/** Starts one region of the upstream simulator on SIM_HOST:SIM_PORT. */
export async function startSimulator(
  config: SimulatorConfig,
  dependencies: SimulatorDependencies = {},
): Promise<StartedSimulator> {
  const simulator = new RegionSimulator(
    {
      region: config.SIM_REGION,
      models: config.SIM_MODELS,
      latencyPerTokenMs: config.SIM_LATENCY_PER_TOKEN_MS,
      limits: { tokensPerMinute: config.SIM_TPM_LIMIT, requestsPerMinute: config.SIM_RPM_LIMIT },
      faults: {
        errorRate: config.SIM_ERROR_RATE,
        errorStatus: config.SIM_ERROR_STATUS,
        latencyMs: config.SIM_LATENCY_MS,
        ...NO_FAULTS,
      },
      seed: config.SIM_SEED,
    },
    dependencies.clock ?? systemClock,
  );
  // Hung requests (hangRate) never finish on their own; closing the simulator releases them.
  const closingController = new AbortController();
  const handler = createRequestHandler({
    simulator,
    apiKey: config.SIM_API_KEY,
    maxBodyBytes: config.SIM_MAX_BODY_BYTES,
    deployments: config.SIM_DEPLOYMENTS,
    closing: closingController.signal,
    logger: dependencies.logger ?? silentLogger,
  });

  // Close waits for answers in flight, then drops every socket: clients (undici) may hold open
  // connections that never carry a request, which server.close() alone would wait on.
  let closing = false;
  let inFlight = 0;
  const dropConnectionsWhenDrained = () => {
    if (closing && inFlight === 0) server.closeAllConnections();
  };
  const server = createServer((req, res) => {
    inFlight++;
    if (closing) res.setHeader('connection', 'close');
    res.on('close', () => {
      inFlight--;
      dropConnectionsWhenDrained();
    });
    handler(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.SIM_PORT, config.SIM_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${urlHost(config.SIM_HOST)}:${port}`,
    simulator,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        closingController.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        dropConnectionsWhenDrained();
      })),
  };
}

/** A host clients can dial: wildcard binds are reached over loopback, IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
