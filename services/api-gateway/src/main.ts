import { batcherV1, cacheV1, modelRouterV1, queueV1, regionV1 } from '@switchyard/contracts';
import { createClient, createStreamingClient, runService } from '@switchyard/service-kit';
import { gatewayService } from './service';

runService(gatewayService.name, gatewayService.schema, (config, logger) => {
  const clientOptions = (dependency: string) => ({ dependency, maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES });
  const clients = {
    modelRouter: createClient(modelRouterV1.ModelRouterServiceService, config.MODEL_ROUTER_ADDRESS, clientOptions('model-router')),
    cache: createClient(cacheV1.CacheServiceService, config.CACHE_ADDRESS, clientOptions('cache')),
    queue: createClient(queueV1.QueueServiceService, config.QUEUE_ADDRESS, clientOptions('queue')),
    batcher: createClient(batcherV1.BatcherServiceService, config.BATCHER_ADDRESS, clientOptions('batcher')),
    regionRouter: createStreamingClient(regionV1.RegionRouterServiceService, config.REGION_ROUTER_ADDRESS, clientOptions('region-router')),
  };
  return gatewayService.build(config, logger, { ports: clients, close: () => Object.values(clients).forEach((client) => client.close()) });
});
