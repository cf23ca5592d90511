import { announceReady, ConfigError, createLogger, exitOnSignals, grpcServerSettings, loadConfig, startGrpcServer } from '@switchyard/service-kit';
import { shutdownTelemetry } from '@switchyard/telemetry';
import { z } from 'zod';
import { buildOneProcess, closeAll } from './one-process';

const SHUTDOWN_DRAIN_MS = 10_000;
const NAME = 'one-process';

/**
 * The one-process topology (ARCHITECTURE.md §1, the prototype stage): the six services in one Node process,
 * bound to each other in process. One gRPC server on the gateway's GRPC_PORT serves every service (so the
 * queue's Stats or the model router's ListModels stay reachable), and the gateway's HTTP API listens on
 * GATEWAY_HTTP_PORT as in the distributed topology.
 */
const logger = createLogger(NAME);
const start = async () => {
  const settings = loadConfig(NAME, z.object(grpcServerSettings(50051)));
  const services = await buildOneProcess();
  const readyDetails = Object.assign({}, ...services.map((s) => s.parts.readyDetails ?? {})) as Record<string, string | number>;
  const server = await startGrpcServer({
    service: NAME,
    host: settings.GRPC_HOST,
    port: settings.GRPC_PORT,
    logger,
    maxMessageBytes: settings.GRPC_MAX_MESSAGE_BYTES,
    bindings: services.flatMap((s) => s.parts.bindings),
  });
  announceReady(logger, { service: NAME, address: server.address, port: server.port, details: { ...readyDetails, services: services.map((s) => s.name).join(',') } });
  exitOnSignals(
    logger,
    async () => {
      await server.shutdown(SHUTDOWN_DRAIN_MS);
      await closeAll(services);
      await shutdownTelemetry();
    },
    SHUTDOWN_DRAIN_MS + 5_000,
  );
};

start().catch((err: unknown) => {
  if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
  else logger.fatal({ err }, `${NAME} failed to start`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 50).unref();
});

