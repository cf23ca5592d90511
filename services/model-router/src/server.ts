import { modelRouterV1 } from '@switchyard/contracts';
import { unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { trace } from '@switchyard/telemetry';
import type { ModelRouter } from './routing';

/** gRPC handlers of ModelRouterService: the proto request is already the router's request shape. */
export function modelRouterBinding(router: ModelRouter, logger: Logger): ServiceBinding {
  const implementation: modelRouterV1.ModelRouterServiceServer = {
    select: unary(logger, 'Select', async (request: modelRouterV1.SelectRequest): Promise<modelRouterV1.SelectResponse> => {
      const decision = router.select(request);
      trace.getActiveSpan()?.setAttributes({
        'switchyard.model': decision.model,
        'switchyard.tier': decision.tier,
        'switchyard.complexity': decision.complexity,
      });
      return decision;
    }),
    listModels: unary(logger, 'ListModels', async (): Promise<modelRouterV1.ListModelsResponse> => ({
      models: router.listModels().map(({ kind: _kind, ...model }) => model),
    })),
  };
  return { name: 'switchyard.modelrouter.v1.ModelRouterService', definition: modelRouterV1.ModelRouterServiceService, implementation };
}
