import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
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
}

export interface RunningGrpcServer {
  port: number;
  address: string;
  health: HealthImplementation;
  /** Health to NOT_SERVING, stop accepting calls, wait for in-flight calls (up to graceMs), then close. */
  shutdown(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** A gRPC server with grpc.health.v1 and server reflection for the given services. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const server = new Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  });
  const names = options.bindings.map((b) => b.name);
  const health = new HealthImplementation(Object.fromEntries([['', 'SERVING'], ...names.map((n) => [n, 'SERVING'])]));
  health.addToServer(server);
  reflectionFor(names).addToServer(server);
  for (const binding of options.bindings) server.addService(binding.definition, binding.implementation);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  const address = `${options.host}:${port}`;

  let stopped: Promise<void> | undefined;
  const shutdown = (graceMs = 10_000): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      for (const name of ['', ...names]) health.setStatus(name, 'NOT_SERVING');
      const force = setTimeout(() => {
        options.logger.warn({ grace_ms: graceMs }, 'in-flight calls outlived the grace period; cancelling them');
        server.forceShutdown();
        resolve();
      }, graceMs);
      force.unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    return stopped;
  };
  return { port, address, health, shutdown };
}
