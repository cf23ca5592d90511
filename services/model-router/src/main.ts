import { runService } from '@switchyard/service-kit';
import { modelRouterService } from './service';

runService(modelRouterService.name, modelRouterService.schema, (config, logger) => modelRouterService.build(config, logger, {}));
