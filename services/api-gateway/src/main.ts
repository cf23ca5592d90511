import { batcherV1, cacheV1, modelRouterV1, queueV1 } from '@switchyard/contracts';
import {
  announceReady,
  ConfigError,
  createClient,
  createLogger,
  exitOnSignals,
  loadConfig,
  startGrpcServer,
} from '@switchyard/service-kit';
import { shutdownTelemetry } from '@switchyard/telemetry';
import { ApiKeyAuthenticator } from './auth/api-keys';
import { gatewayConfigSchema } from './config';
import { gatewayBinding } from './server';

async function main(): Promise<void> {
  const logger = createLogger('api-gateway');
  const config = loadConfig('api-gateway', gatewayConfigSchema);
  const clientOptions = (dependency: string) => ({ dependency, maxMessageBytes: config.GATEWAY_MAX_MESSAGE_BYTES });
  const ports = {
    modelRouter: createClient(modelRouterV1.ModelRouterServiceService, config.MODEL_ROUTER_ADDRESS, clientOptions('model-router')),
    cache: createClient(cacheV1.CacheServiceService, config.CACHE_ADDRESS, clientOptions('cache')),
    queue: createClient(queueV1.QueueServiceService, config.QUEUE_ADDRESS, clientOptions('queue')),
    batcher: createClient(batcherV1.BatcherServiceService, config.BATCHER_ADDRESS, clientOptions('batcher')),
  };
  const server = await startGrpcServer({
    service: 'api-gateway',
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    logger,
    maxMessageBytes: config.GATEWAY_MAX_MESSAGE_BYTES,
    bindings: [
      gatewayBinding({
        auth: new ApiKeyAuthenticator(config.API_KEYS),
        ports,
        logger,
        limits: { maxMessages: config.GATEWAY_MAX_MESSAGES, maxEmbedInputs: config.GATEWAY_MAX_EMBED_INPUTS },
        defaultDeadlineMs: config.GATEWAY_DEFAULT_DEADLINE_MS,
        defaultEmbeddingModel: config.DEFAULT_EMBEDDING_MODEL,
      }),
    ],
  });
  announceReady(logger, { service: 'api-gateway', address: server.address, port: server.port });
  exitOnSignals(logger, async () => {
    await server.shutdown();
    for (const client of Object.values(ports)) client.close();
    await shutdownTelemetry();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
