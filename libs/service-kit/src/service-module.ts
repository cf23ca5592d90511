import type { z } from 'zod';
import type { Logger } from 'pino';
import type { grpcServerSettings } from './config';
import type { ServiceParts } from './run-service';

export type GrpcSettings = z.infer<z.ZodObject<ReturnType<typeof grpcServerSettings>>>;

/**
 * A service as a value: its name, its config schema, and how to build its parts from that config and the
 * clients of the services it calls. `main.ts` binds the clients to gRPC channels and serves the parts on
 * their own port; the one-process topology binds them in process to the other services' handlers. Same
 * handlers, same contracts, one code path.
 */
export interface ServiceModule<S extends z.ZodObject, Deps = Record<string, never>> {
  name: string;
  schema: S;
  build(config: z.infer<S> & GrpcSettings, logger: Logger, deps: Deps): Promise<ServiceParts> | ServiceParts;
}

export function defineService<S extends z.ZodObject, Deps = Record<string, never>>(module: ServiceModule<S, Deps>): ServiceModule<S, Deps> {
  return module;
}
