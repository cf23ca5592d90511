// The only way into the generated contracts: one namespace per proto package.
export * as gatewayV1 from './gateway-v1';
export * as inferenceV1 from './gen/switchyard/inference/v1/inference';
export * as queueV1 from './gen/switchyard/queue/v1/queue';
export * as cacheV1 from './gen/switchyard/cache/v1/cache';
export * as batcherV1 from './gen/switchyard/batcher/v1/batcher';
export * as modelRouterV1 from './gen/switchyard/modelrouter/v1/model_router';
export * as regionV1 from './gen/switchyard/region/v1/region_router';
export { descriptorSetPath } from './descriptor-set';
