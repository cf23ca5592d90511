import { runService } from '@switchyard/service-kit';
import { queueService } from './service';

runService(queueService.name, queueService.schema, (config, logger) => queueService.build(config, logger, {}));
