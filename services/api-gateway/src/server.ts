import { gatewayV1 } from '@switchyard/contracts';
import { serverStream, unary, type CallContext, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import { activeTraceId } from '@switchyard/telemetry';
import type { CallInfo, FrontDoor } from './front-door/front-door';
import { requireDecoded, tolerantDefinition } from './grpc/tolerant-definition';

/** gRPC handlers of switchyard.gateway.v1.Gateway: proto <-> the front door, nothing else. */
export function gatewayBinding(frontDoor: FrontDoor, logger: Logger): ServiceBinding {
  const implementation: gatewayV1.GatewayServer = {
    complete: unary(logger, 'Complete', async (request: gatewayV1.CompleteRequest, ctx): Promise<gatewayV1.CompleteResponse> => {
      admit(frontDoor, ctx, request, 'CompleteRequest');
      const { result } = await frontDoor.complete(callInfo(ctx), request);
      return { content: result.content, usage: result.usage, route: result.route, traceId: activeTraceId() };
    }),
    embed: unary(logger, 'Embed', async (request: gatewayV1.EmbedRequest, ctx): Promise<gatewayV1.EmbedResponse> => {
      admit(frontDoor, ctx, request, 'EmbedRequest');
      const { result } = await frontDoor.embed(callInfo(ctx), request);
      return { ...result, traceId: activeTraceId() };
    }),
    streamComplete: serverStream(logger, 'StreamComplete', async (request: gatewayV1.StreamCompleteRequest, ctx, send) => {
      admit(frontDoor, ctx, request, 'StreamCompleteRequest');
      if (!request.request) throw new InvalidArgument('request', 'is required: the CompleteRequest to stream');
      for await (const event of frontDoor.streamComplete(callInfo(ctx), request.request)) {
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
  };
  return { name: 'switchyard.gateway.v1.Gateway', definition: tolerantDefinition(gatewayV1.GatewayService), implementation };
}

/** An unknown caller learns nothing about its request, not even whether it decoded: authentication comes first. */
function admit(frontDoor: FrontDoor, ctx: CallContext, request: unknown, messageName: string): void {
  frontDoor.authenticate(callInfo(ctx).authorization);
  requireDecoded(request, messageName);
}

function callInfo(ctx: CallContext): CallInfo {
  const header = ctx.metadata.get('authorization')[0];
  return { authorization: typeof header === 'string' ? header : undefined, deadline: ctx.deadline, signal: ctx.signal };
}
