import {
  Server,
  ServerCredentials,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { InFlightCalls } from './in-flight-calls';
import { reflectionFor } from './reflection';

export interface ServiceBinding {
  /** Fully qualified proto name, e.g. `switchyard.queue.v1.QueueService` (health and reflection use it). */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  service: string;
  host: string;
  /** 0 binds a free port; the bound one is in the result. */
  port: number;
  bindings: ServiceBinding[];
  logger: Logger;
  /** Largest request/response message accepted, in bytes. */
  maxMessageBytes?: number;
  /**
   * Longest time shutdown keeps accepting calls (health answering NOT_SERVING) while calls are still in
   * flight, so probes and load balancers move traffic away before connections are closed. Default 5000.
   */
  lameDuckMs?: number;
}

export interface RunningGrpcServer {
  port: number;
  address: string;
  health: HealthImplementation;
  /**
   * Health to NOT_SERVING; keep serving while calls are in flight (at most `lameDuckMs`); then stop
   * accepting calls, wait for the in-flight ones, and close. Calls still running after `graceMs` in
   * total are cancelled. Idempotent: later calls return the first shutdown.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_LAME_DUCK_MS = 5_000;
const STREAM_LINGER_MS = 1_000;

/** A gRPC server with grpc.health.v1 and server reflection for the given services. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const lameDuckMs = options.lameDuckMs ?? DEFAULT_LAME_DUCK_MS;
  const server = new Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    // Clients reconnect every few minutes, so new replicas (scale-out) receive traffic without a restart.
    'grpc.max_connection_age_ms': 5 * 60_000,
    'grpc.max_connection_age_grace_ms': 30_000,
  });
  const names = options.bindings.map((b) => b.name);
  const health = new HealthImplementation(Object.fromEntries([['', 'SERVING'], ...names.map((n) => [n, 'SERVING'])]));
  const healthWatches = addHealth(server, health);
  reflectionFor(names).addToServer(server);
  // Only the services' own calls count as in flight: health Watch and reflection streams stay open
  // indefinitely and must not hold shutdown up.
  const inFlight = new InFlightCalls();
  for (const binding of options.bindings) server.addService(binding.definition, inFlight.track(binding.definition, binding.implementation));

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  const address = `${options.host}:${port}`;

  let stopped: Promise<void> | undefined;
  const shutdown = (graceMs = 10_000): Promise<void> => {
    stopped ??= (async () => {
      const giveUpAt = Date.now() + graceMs;
      const remaining = () => Math.max(0, giveUpAt - Date.now());
      for (const name of ['', ...names]) health.setStatus(name, 'NOT_SERVING');
      await within(Math.min(lameDuckMs, graceMs), inFlight.idle());
      // Watchers have been sent NOT_SERVING; their streams would otherwise stay open for ever.
      healthWatches.endAll();
      // tryShutdown sends GOAWAY and closes the listener; grpc-js clients move their new calls elsewhere.
      const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const drained = await within(remaining(), Promise.race([closed, inFlight.idle()]));
      if (drained) {
        // Answers handed to grpc-js are still being written; only a stream nobody ends (a reflection
        // client left open) is still holding the connection after this.
        await within(Math.min(STREAM_LINGER_MS, remaining()), closed);
      } else {
        options.logger.warn({ grace_ms: graceMs, in_flight: inFlight.size }, 'in-flight calls outlived the grace period; cancelling them');
      }
      server.forceShutdown();
    })();
    return stopped;
  };
  return { port, address, health, shutdown };
}

/** Serves grpc.health.v1 and keeps the open Watch streams, so shutdown can end them after NOT_SERVING. */
function addHealth(server: Server, health: HealthImplementation): { endAll(): void } {
  const watches = new Set<ServerWritableStream<unknown, unknown>>();
  health.addToServer({
    addService: (definition, implementation) => {
      const watch = implementation.watch as (call: ServerWritableStream<unknown, unknown>) => void;
      server.addService(definition as ServiceDefinition, {
        ...implementation,
        watch: ((call: ServerWritableStream<unknown, unknown>) => {
          watches.add(call);
          call.once('cancelled', () => watches.delete(call));
          watch(call);
        }) as UntypedHandleCall,
      } as UntypedServiceImplementation);
    },
  });
  return {
    endAll: () => {
      for (const call of watches) call.end();
      watches.clear();
    },
  };
}

/** Whether `promise` settled within `ms`; the timer is cleared either way so it never holds the process. */
async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
