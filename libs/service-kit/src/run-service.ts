import type { z } from 'zod';
import type { Logger } from 'pino';
import { shutdownTelemetry } from '@switchyard/telemetry';
import { ConfigError, loadConfig } from './config';
import { startGrpcServer, type ServiceBinding } from './grpc-server';
import { announceReady, exitOnSignals } from './lifecycle';
import { createLogger } from './logger';
import type { GrpcSettings } from './service-module';

const SHUTDOWN_DRAIN_MS = 10_000;

export interface ServiceParts {
  bindings: ServiceBinding[];
  /** Extra endpoints announced in the ready line (e.g. an HTTP listener the parts started). */
  readyDetails?: Record<string, string | number>;
  /** Runs after the server has drained: close clients, stores, timers. */
  close?: () => Promise<void> | void;
}

/**
 * The whole life of a gRPC service process: load and validate config (exit 1 naming the bad setting),
 * build the parts, serve with health and reflection, announce readiness, and on SIGTERM/SIGINT drain
 * in-flight calls, close the parts and flush telemetry before exiting.
 */
export function runService<S extends z.ZodObject>(
  name: string,
  schema: S,
  build: (config: z.infer<S> & GrpcSettings, logger: Logger) => Promise<ServiceParts> | ServiceParts,
): void {
  const logger = createLogger(name);
  const start = async () => {
    const config = loadConfig(name, schema) as z.infer<S> & GrpcSettings;
    const parts = await build(config, logger);
    const server = await startGrpcServer({
      service: name,
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      logger,
      maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES,
      bindings: parts.bindings,
    });
    announceReady(logger, { service: name, address: server.address, port: server.port, details: parts.readyDetails });
    // The drain gets 10 s; exitOnSignals' 15 s leaves time to close the parts and flush telemetry after it.
    exitOnSignals(logger, async () => {
      await server.shutdown(SHUTDOWN_DRAIN_MS);
      await parts.close?.();
      await shutdownTelemetry();
    }, SHUTDOWN_DRAIN_MS + 5_000);
  };
  start().catch((err: unknown) => {
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, `${name} failed to start`);
    process.exitCode = 1;
    // Let pino flush the fatal line before the process ends.
    setTimeout(() => process.exit(1), 50).unref();
  });
}
