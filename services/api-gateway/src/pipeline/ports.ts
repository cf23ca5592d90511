import type { batcherV1, cacheV1, modelRouterV1, queueV1, regionV1 } from '@switchyard/contracts';

/**
 * What the gateway needs of each service. In a deployment these are gRPC clients (service-kit's
 * createClient / createStreamingClient); in unit tests they are plain objects, so the pipeline is tested
 * without a network.
 */
export interface GatewayPorts {
  modelRouter: {
    select(request: modelRouterV1.SelectRequest): Promise<modelRouterV1.SelectResponse>;
    listModels(request: modelRouterV1.ListModelsRequest): Promise<modelRouterV1.ListModelsResponse>;
  };
  cache: {
    lookup(request: cacheV1.LookupRequest): Promise<cacheV1.LookupResponse>;
    store(request: cacheV1.StoreRequest): Promise<cacheV1.StoreResponse>;
  };
  queue: {
    acquire(request: queueV1.AcquireRequest): Promise<queueV1.AcquireResponse>;
    release(request: queueV1.ReleaseRequest): Promise<queueV1.ReleaseResponse>;
    renew(request: queueV1.RenewRequest): Promise<queueV1.RenewResponse>;
  };
  batcher: { execute(request: batcherV1.ExecuteRequest): Promise<batcherV1.ExecuteResponse> };
  /** Streamed completions skip the batcher: one upstream stream per request. */
  regionRouter: { streamDispatch(request: regionV1.StreamDispatchRequest): AsyncIterable<regionV1.StreamDispatchResponse> };
}

export type DegradedEvent = 'cache-lookup-failed' | 'cache-store-failed' | 'release-failed' | 'lease-renew-failed' | 'catalog-unavailable';

/** Where the pipeline reports failures that must not fail the request (cache outages, late releases). */
export interface PipelineObserver {
  degraded(event: DegradedEvent, err: unknown): void;
}
