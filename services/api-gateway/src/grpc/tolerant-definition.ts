import type { ServiceDefinition } from '@grpc/grpc-js';
import { InvalidArgument } from '@switchyard/service-kit/errors';

const UNDECODABLE = Symbol('undecodable request');

/**
 * The same service definition, except that a request that is not a valid protobuf message decodes to a marker
 * instead of throwing: grpc-js would answer a throwing decoder with INTERNAL, which blames the server for the
 * caller's bytes. Handlers call `requireDecoded` and answer INVALID_ARGUMENT instead.
 */
export function tolerantDefinition<D extends ServiceDefinition>(definition: D): D {
  const tolerant: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    tolerant[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch {
          return { [UNDECODABLE]: true };
        }
      },
    };
  }
  return tolerant as D;
}

export function requireDecoded(request: unknown, messageName: string): void {
  if (typeof request === 'object' && request !== null && UNDECODABLE in request) {
    throw new InvalidArgument('request', `not a valid ${messageName} protobuf message`);
  }
}
