import { runService } from '@switchyard/service-kit';
import { modelRouterConfigSchema } from './config';
import { ModelRouter } from './routing';
import { modelRouterBinding } from './server';

runService('model-router', modelRouterConfigSchema, (config, logger) => {
  const router = new ModelRouter(config.MODEL_CATALOG, {
    simpleBelow: config.ROUTER_SIMPLE_BELOW,
    standardBelow: config.ROUTER_STANDARD_BELOW,
    defaultMaxOutputTokens: config.ROUTER_DEFAULT_MAX_OUTPUT_TOKENS,
  });
  return { bindings: [modelRouterBinding(router, logger)] };
});
