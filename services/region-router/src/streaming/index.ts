import type { regionV1 } from '@switchyard/contracts';
import type { Logger } from '@switchyard/service-kit';
import { systemClock, systemTimers } from '@switchyard/service-kit/clock';
import { Failover, type AttemptEvent, type RegionConfig, type RegionRouter, type Residency } from '../routing';
import { OpenAIStreamingUpstream } from '../upstream/openai-stream';
import { streamAttemptTrace } from './stream-attempt-trace';
import { streamDispatchHandler } from './stream-dispatch-handler';
import { StreamDispatcher } from './stream-dispatcher';

export { StreamDispatcher, type StreamDispatchEvent, type StreamDispatchInput } from './stream-dispatcher';
export type { OpenedStream, StreamingUpstream, StreamPart } from './streaming-upstream';

export interface StreamingSettings {
  REGIONS: readonly RegionConfig[];
  UPSTREAM_TIMEOUT_MS: number;
  REGION_ATTEMPT_DEADLINE_SHARE: number;
  DEFAULT_MAX_TOKENS_ESTIMATE: number;
}

/**
 * StreamDispatch wired to the same router, residency and attempt metrics as Dispatch. An opened stream's attempt
 * event carries the router's estimate, not usage, so its token counts are dropped there; the stream's span
 * records the real usage when the answer is complete.
 */
export function streamDispatchFor(
  config: StreamingSettings,
  router: RegionRouter,
  residency: Residency,
  onAttempt: (event: AttemptEvent) => void,
  logger: Logger,
): regionV1.RegionRouterServiceServer['streamDispatch'] {
  const withoutEstimates = (event: AttemptEvent) =>
    onAttempt(event.outcome === 'ok' ? { ...event, inputTokens: undefined, outputTokens: undefined } : event);
  const dispatcher = new StreamDispatcher({
    failoverFor: (aroundAttempt) =>
      new Failover({
        router,
        clock: systemClock,
        timers: systemTimers,
        upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
        attemptDeadlineShare: config.REGION_ATTEMPT_DEADLINE_SHARE,
        onAttempt: withoutEstimates,
        aroundAttempt,
      }),
    upstream: new OpenAIStreamingUpstream({ regions: config.REGIONS, timeoutMs: config.UPSTREAM_TIMEOUT_MS }),
    residency,
    clock: systemClock,
    defaultMaxTokensEstimate: config.DEFAULT_MAX_TOKENS_ESTIMATE,
    traceStream: streamAttemptTrace,
  });
  return streamDispatchHandler(dispatcher, logger);
}
