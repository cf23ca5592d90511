import { batcherV1 } from '@switchyard/contracts';
import { createClient, runService } from '@switchyard/service-kit';
import { cacheService } from './service';

runService(cacheService.name, cacheService.schema, (config, logger) =>
  cacheService.build(config, logger, {
    batcher:
      config.CACHE_EMBEDDER === 'upstream'
        ? createClient(batcherV1.BatcherServiceService, config.BATCHER_ADDRESS, { dependency: 'batcher', maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES })
        : undefined,
  }),
);
