import { regionV1 } from '@switchyard/contracts';
import { createClient, runService } from '@switchyard/service-kit';
import { batcherService } from './service';

runService(batcherService.name, batcherService.schema, (config, logger) =>
  batcherService.build(config, logger, {
    regionRouter: createClient(regionV1.RegionRouterServiceService, config.REGION_ROUTER_ADDRESS, {
      dependency: 'region-router',
      maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES,
    }),
  }),
);
