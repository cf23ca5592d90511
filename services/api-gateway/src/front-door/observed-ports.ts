import type { batcherV1 } from '@switchyard/contracts';
import type { ObservedCall } from '../metrics/gateway-call';
import type { GatewayPorts } from '../pipeline/ports';

/**
 * The ports of one call, with its upstream dispatches timed into `call`: the pipeline stays unaware of metrics,
 * and the time is counted even when the dispatch fails.
 */
export function observedPorts(ports: GatewayPorts, call: ObservedCall): GatewayPorts {
  return {
    ...ports,
    batcher: { execute: (request) => call.timeDispatch(() => ports.batcher.execute(request), reportedUpstreamMs) },
    regionRouter: { streamDispatch: (request) => call.timeStream(() => ports.regionRouter.streamDispatch(request)) },
  };
}

/**
 * The providers' time for one Execute: the region router's attempts, added up (failover attempts run one after
 * another). Undefined when the response carries no attempts, so the time awaited counts instead.
 */
export function reportedUpstreamMs(response: batcherV1.ExecuteResponse): number | undefined {
  const tried = response.upstream?.tried ?? [];
  return tried.length === 0 ? undefined : tried.reduce((sum, attempt) => sum + attempt.durationMs, 0);
}
