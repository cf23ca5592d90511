import { status } from '@grpc/grpc-js';
import { gatewayV1 } from '@switchyard/contracts';
import { answeredError, serverStream, toGrpcError, unary, type CallContext, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import { activeTraceId } from '@switchyard/telemetry';
import type { CallInfo, FrontDoor } from './front-door/front-door';
import { requireDecoded, tolerantDefinition } from './grpc/tolerant-definition';
import type { GatewayOutcome, ObservedCall } from './metrics/gateway-call';
import type { GatewayMetrics } from './metrics/gateway-metrics';

/** gRPC handlers of switchyard.gateway.v1.Gateway: proto <-> the front door, each call timed for the gateway metrics. */
export function gatewayBinding(frontDoor: FrontDoor, logger: Logger, metrics: GatewayMetrics): ServiceBinding {
  const implementation: gatewayV1.GatewayServer = {
    complete: unary(logger, 'Complete', (request: gatewayV1.CompleteRequest, ctx) =>
      metrics.measure('complete', 'grpc', grpcOutcome(ctx), async (observed): Promise<gatewayV1.CompleteResponse> => {
        admit(frontDoor, ctx, request, 'CompleteRequest');
        const { result } = await frontDoor.complete(callInfo(ctx, observed), request);
        return { content: result.content, usage: result.usage, route: result.route, traceId: activeTraceId() };
      }),
    ),
    embed: unary(logger, 'Embed', (request: gatewayV1.EmbedRequest, ctx) =>
      metrics.measure('embed', 'grpc', grpcOutcome(ctx), async (observed): Promise<gatewayV1.EmbedResponse> => {
        admit(frontDoor, ctx, request, 'EmbedRequest');
        const { result } = await frontDoor.embed(callInfo(ctx, observed), request);
        return { ...result, traceId: activeTraceId() };
      }),
    ),
    streamComplete: serverStream(logger, 'StreamComplete', (request: gatewayV1.StreamCompleteRequest, ctx, send) =>
      metrics.measure('stream_complete', 'grpc', grpcOutcome(ctx), async (observed) => {
        admit(frontDoor, ctx, request, 'StreamCompleteRequest');
        if (!request.request) throw new InvalidArgument('request', 'is required: the CompleteRequest to stream');
        for await (const event of frontDoor.streamComplete(callInfo(ctx, observed), request.request)) {
          switch (event.type) {
            case 'started':
              await send({ event: { $case: 'started', value: { route: event.route, traceId: activeTraceId() } } });
              break;
            case 'delta':
              await send({ event: { $case: 'delta', value: { content: event.content } } });
              break;
            case 'finished':
              await send({ event: { $case: 'finished', value: { usage: event.usage, finishReason: event.finishReason } } });
              break;
          }
        }
      }),
    ),
  };
  return { name: 'switchyard.gateway.v1.Gateway', definition: tolerantDefinition(gatewayV1.GatewayService), implementation };
}

/** An unknown caller learns nothing about its request, not even whether it decoded: authentication comes first. */
function admit(frontDoor: FrontDoor, ctx: CallContext, request: unknown, messageName: string): void {
  frontDoor.authenticate(callInfo(ctx).authorization);
  requireDecoded(request, messageName);
}

function callInfo(ctx: CallContext, observed?: ObservedCall): CallInfo {
  const header = ctx.metadata.get('authorization')[0];
  return { authorization: typeof header === 'string' ? header : undefined, deadline: ctx.deadline, signal: ctx.signal, observed };
}

/**
 * The status code the caller will get for an error, as service-kit's handlers choose it: a non-Switchyard error
 * thrown after the call was cancelled or timed out is reported as that cancellation.
 */
function grpcOutcome(ctx: CallContext): (err: unknown) => GatewayOutcome {
  return (err) => status[toGrpcError(answeredError(err, ctx.signal)).code].toLowerCase();
}
