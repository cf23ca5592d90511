import { batcherV1, cacheV1, modelRouterV1, queueV1 } from '@switchyard/contracts';
import { createClient, runService } from '@switchyard/service-kit';
import { ApiKeyAuthenticator } from './auth/api-keys';
import { gatewayConfigSchema } from './config';
import { gatewayBinding } from './server';

runService('api-gateway', gatewayConfigSchema, (config, logger) => {
  const clientOptions = (dependency: string) => ({ dependency, maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES });
  const ports = {
    modelRouter: createClient(modelRouterV1.ModelRouterServiceService, config.MODEL_ROUTER_ADDRESS, clientOptions('model-router')),
    cache: createClient(cacheV1.CacheServiceService, config.CACHE_ADDRESS, clientOptions('cache')),
    queue: createClient(queueV1.QueueServiceService, config.QUEUE_ADDRESS, clientOptions('queue')),
    batcher: createClient(batcherV1.BatcherServiceService, config.BATCHER_ADDRESS, clientOptions('batcher')),
  };
  const binding = gatewayBinding({
    auth: new ApiKeyAuthenticator(config.API_KEYS),
    ports,
    logger,
    limits: { maxMessages: config.GATEWAY_MAX_MESSAGES, maxEmbedInputs: config.GATEWAY_MAX_EMBED_INPUTS },
    defaultDeadlineMs: config.GATEWAY_DEFAULT_DEADLINE_MS,
    defaultEmbeddingModel: config.DEFAULT_EMBEDDING_MODEL,
  });
  return {
    bindings: [binding],
    close: () => Object.values(ports).forEach((client) => client.close()),
  };
});
