import type { StackTopology } from '@switchyard/local-stack';

/** Every end-to-end suite runs against both topologies: a process per service, and all six in one process. */
export const TOPOLOGIES: StackTopology[] = ['processes', 'one-process'];

const SERVICE_OF_RPC: Record<string, string> = {
  'switchyard.gateway.v1.Gateway': 'api-gateway',
  'switchyard.modelrouter.v1.ModelRouterService': 'model-router',
  'switchyard.cache.v1.CacheService': 'cache',
  'switchyard.queue.v1.QueueService': 'queue',
  'switchyard.batcher.v1.BatcherService': 'batcher',
  'switchyard.region.v1.RegionRouterService': 'region-router',
};

interface SpanLike {
  serviceName: string;
  attributes: Record<string, unknown>;
}

/**
 * The Switchyard service a server span belongs to. With a process per service that is the process's
 * `service.name`; in one process every span shares one, so the gRPC server spans (over the wire or in process)
 * are told apart by their `rpc.service`, and the process's HTTP server spans belong to the gateway.
 */
export function serviceOfServerSpan(span: SpanLike): string {
  const rpcService = span.attributes['rpc.service'];
  if (typeof rpcService === 'string' && SERVICE_OF_RPC[rpcService]) return SERVICE_OF_RPC[rpcService];
  return span.serviceName === 'switchyard' ? 'api-gateway' : span.serviceName;
}
