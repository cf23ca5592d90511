import type { ServiceDefinition } from '@grpc/grpc-js';
import { createInProcessClient, createInProcessStreamingClient, type PromiseClient, type ServiceParts, type StreamingClient } from '@switchyard/service-kit';

/** The handlers a built service serves for `definition` (matched by proto service name, as a gRPC server would route). */
export function handlersOf(parts: ServiceParts, definition: ServiceDefinition) {
  const first = Object.values(definition)[0];
  const protoName = first?.path.split('/')[1];
  const binding = parts.bindings.find((b) => b.name === protoName);
  if (!binding) throw new Error(`no binding serves ${protoName}; have ${parts.bindings.map((b) => b.name).join(', ')}`);
  return binding.implementation;
}

/** A client of a service built in this process: unary and server-streaming methods bound straight to its handlers. */
export function inProcessClient<D extends ServiceDefinition>(
  definition: D,
  parts: ServiceParts,
  dependency: string,
  defaultTimeoutMs?: number,
): PromiseClient<D> & StreamingClient<D> {
  const implementation = handlersOf(parts, definition);
  const unary = createInProcessClient(definition, implementation, { dependency, defaultTimeoutMs });
  const streaming = createInProcessStreamingClient(definition, implementation, { dependency, defaultTimeoutMs });
  return { ...unary, ...streaming, close: () => undefined };
}
