import type { regionV1 } from '@switchyard/contracts';
import { serverStream, type Logger } from '@switchyard/service-kit';
import type { StreamDispatcher } from './stream-dispatcher';

/** The gRPC handler of StreamDispatch: proto request -> domain stream -> one proto message per event. */
export function streamDispatchHandler(dispatcher: StreamDispatcher, logger: Logger): regionV1.RegionRouterServiceServer['streamDispatch'] {
  return serverStream(logger, 'StreamDispatch', async (request: regionV1.StreamDispatchRequest, ctx, send) => {
    const events = dispatcher.stream({
      model: request.model,
      userRegion: request.userRegion,
      tenant: request.tenant,
      messages: request.completion?.messages ?? [],
      temperature: request.completion?.temperature ?? 0,
      maxTokens: request.completion?.maxTokens ?? 0,
      deadlineMs: ctx.deadline?.getTime(),
      signal: ctx.signal,
    });
    for await (const event of events) {
      switch (event.type) {
        case 'started':
          await send({ event: { $case: 'started', value: { region: event.region, attempts: event.attempts, reason: event.reason } } });
          break;
        case 'delta':
          await send({ event: { $case: 'delta', value: { content: event.content } } });
          break;
        case 'finished':
          await send({ event: { $case: 'finished', value: { inputTokens: event.inputTokens, outputTokens: event.outputTokens, finishReason: event.finishReason } } });
          break;
      }
    }
  });
}
