import { gatewayService } from '@switchyard/api-gateway/service';
import { batcherService } from '@switchyard/batcher/service';
import { cacheService } from '@switchyard/cache/service';
import { batcherV1, cacheV1, modelRouterV1, queueV1, regionV1 } from '@switchyard/contracts';
import { modelRouterService } from '@switchyard/model-router/service';
import { queueService } from '@switchyard/queue/service';
import { regionRouterService } from '@switchyard/region-router/service';
import { createLogger, loadConfig, type GrpcSettings, type ServiceModule, type ServiceParts } from '@switchyard/service-kit';
import type { z } from 'zod';
import { inProcessClient } from './bind-in-process';

export interface BuiltService {
  name: string;
  parts: ServiceParts;
}

/**
 * Builds the six services in one process, each from its own config schema read from the same environment and
 * with its own logger, and hands every service in-process clients of the ones it calls: the services' own
 * `build` functions, so the handlers and contracts are those of the distributed topology. Returns them in
 * dependency order (the gateway last); the caller serves their bindings and closes them in reverse.
 */
export async function buildOneProcess(env: NodeJS.ProcessEnv = process.env): Promise<BuiltService[]> {
  const built: BuiltService[] = [];
  const build = async <S extends z.ZodObject, Deps>(module: ServiceModule<S, Deps>, deps: Deps): Promise<ServiceParts> => {
    const config = loadConfig(module.name, module.schema, env) as z.infer<S> & GrpcSettings;
    const parts = await module.build(config, createLogger(module.name), deps);
    built.push({ name: module.name, parts });
    return parts;
  };
  try {
    const regionRouter = await build(regionRouterService, {});
    const regionClient = inProcessClient(regionV1.RegionRouterServiceService, regionRouter, 'region-router');
    const batcher = await build(batcherService, { regionRouter: regionClient });
    const batcherClient = inProcessClient(batcherV1.BatcherServiceService, batcher, 'batcher');
    const [modelRouter, queue, cache] = await Promise.all([
      build(modelRouterService, {}),
      build(queueService, {}),
      build(cacheService, { batcher: batcherClient }),
    ]);
    await build(gatewayService, {
      ports: {
        modelRouter: inProcessClient(modelRouterV1.ModelRouterServiceService, modelRouter, 'model-router'),
        cache: inProcessClient(cacheV1.CacheServiceService, cache, 'cache'),
        queue: inProcessClient(queueV1.QueueServiceService, queue, 'queue'),
        batcher: batcherClient,
        regionRouter: regionClient,
      },
      close: () => undefined,
    });
    return built;
  } catch (err) {
    await closeAll(built);
    throw err;
  }
}

/** Closes the gateway first and the region router last, so nothing in flight loses its dependency. */
export async function closeAll(services: BuiltService[]): Promise<void> {
  for (const service of [...services].reverse()) await service.parts.close?.();
}
