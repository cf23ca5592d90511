import { runService } from '@switchyard/service-kit';
import { regionRouterService } from './service';

runService(regionRouterService.name, regionRouterService.schema, (config, logger) => regionRouterService.build(config, logger, {}));
