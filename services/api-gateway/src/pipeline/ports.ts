import type { batcherV1, cacheV1, modelRouterV1, queueV1 } from '@switchyard/contracts';

/**
 * What the gateway needs of each service. In a deployment these are gRPC clients (service-kit's
 * createClient); in unit tests they are plain objects, so the pipeline is tested without a network.
 */
export interface GatewayPorts {
  modelRouter: { select(request: modelRouterV1.SelectRequest): Promise<modelRouterV1.SelectResponse> };
  cache: {
    lookup(request: cacheV1.LookupRequest): Promise<cacheV1.LookupResponse>;
    store(request: cacheV1.StoreRequest): Promise<cacheV1.StoreResponse>;
  };
  queue: {
    acquire(request: queueV1.AcquireRequest): Promise<queueV1.AcquireResponse>;
    release(request: queueV1.ReleaseRequest): Promise<queueV1.ReleaseResponse>;
  };
  batcher: { execute(request: batcherV1.ExecuteRequest): Promise<batcherV1.ExecuteResponse> };
}

/** Where the pipeline reports failures that must not fail the request (cache outages, late releases). */
export interface PipelineObserver {
  degraded(event: 'cache-lookup-failed' | 'cache-store-failed' | 'release-failed', err: unknown): void;
}
