import { gatewayV1 } from '@switchyard/contracts';
import { runInCallScope, unary, type CallContext, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { activeTraceId, trace } from '@switchyard/telemetry';
import type { ApiKeyAuthenticator } from './auth/api-keys';
import { completeRequest } from './pipeline/complete';
import { embedRequest } from './pipeline/embed';
import type { GatewayPorts, PipelineObserver } from './pipeline/ports';
import { validateComplete, validateEmbed, type RequestLimits } from './validation/validate-request';

export interface GatewayServerDeps {
  auth: ApiKeyAuthenticator;
  ports: GatewayPorts;
  logger: Logger;
  limits: RequestLimits;
  defaultDeadlineMs: number;
  defaultEmbeddingModel: string;
}

/** gRPC handlers of switchyard.gateway.v1.Gateway: authenticate, validate, run the pipeline, encode. */
export function gatewayBinding(deps: GatewayServerDeps): ServiceBinding {
  const observer: PipelineObserver = {
    degraded: (event, err) => deps.logger.warn({ event, err: err instanceof Error ? err.message : String(err) }, 'degraded: request served without this step'),
  };
  // A caller without a deadline still gets one, so no request can wait in the queue forever.
  const withDeadline = <T>(ctx: CallContext, fn: () => Promise<T>) =>
    runInCallScope({ deadline: ctx.deadline ?? new Date(Date.now() + deps.defaultDeadlineMs), signal: ctx.signal }, fn);
  const tenantOf = (ctx: CallContext) => {
    const header = ctx.metadata.get('authorization')[0];
    const tenant = deps.auth.tenantFor(typeof header === 'string' ? header : undefined);
    trace.getActiveSpan()?.setAttribute('switchyard.tenant', tenant);
    return tenant;
  };

  const implementation: gatewayV1.GatewayServer = {
    complete: unary(deps.logger, 'Complete', async (request: gatewayV1.CompleteRequest, ctx): Promise<gatewayV1.CompleteResponse> => {
      const tenant = tenantOf(ctx);
      const input = validateComplete(request, deps.limits);
      const result = await withDeadline(ctx, () => completeRequest(tenant, input, deps.ports, observer));
      trace.getActiveSpan()?.setAttributes({
        'switchyard.model': result.route.model,
        'switchyard.cache': gatewayV1.cacheStatusToJSON(result.route.cache),
        'switchyard.region': result.route.region,
      });
      return { ...result, traceId: activeTraceId() };
    }),
    embed: unary(deps.logger, 'Embed', async (request: gatewayV1.EmbedRequest, ctx): Promise<gatewayV1.EmbedResponse> => {
      const tenant = tenantOf(ctx);
      const input = validateEmbed({ ...request, model: request.model || deps.defaultEmbeddingModel }, deps.limits);
      const result = await withDeadline(ctx, () => embedRequest(tenant, input, deps.ports, observer));
      return { ...result, traceId: activeTraceId() };
    }),
  };
  return { name: 'switchyard.gateway.v1.Gateway', definition: gatewayV1.GatewayService, implementation };
}
