import { defineService } from '@switchyard/service-kit';
import { modelRouterConfigSchema } from './config';
import { ModelRouter } from './routing';
import { modelRouterBinding } from './server';

/** The model-router service: picks a model from the configured catalog. */
export const modelRouterService = defineService({
  name: 'model-router',
  schema: modelRouterConfigSchema,
  build: (config, logger) => {
    const router = new ModelRouter(config.MODEL_CATALOG, {
      simpleBelow: config.ROUTER_SIMPLE_BELOW,
      standardBelow: config.ROUTER_STANDARD_BELOW,
      defaultMaxOutputTokens: config.ROUTER_DEFAULT_MAX_OUTPUT_TOKENS,
    });
    return { bindings: [modelRouterBinding(router, logger)] };
  },
});
