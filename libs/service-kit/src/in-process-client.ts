import { EventEmitter } from 'node:events';
import { Metadata, status, type ServiceError, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { getTracer, inSpan, SpanKind } from '@switchyard/telemetry';
import { currentCallScope } from './call-scope';
import { armDeadline } from './deadline-timer';
import { Cancelled, DeadlineExpired } from './errors';
import type { CallOpts, ClientOptions, PromiseClient } from './grpc-client';
import { fromGrpcError } from './grpc-status';

const tracer = getTracer('in-process');

type UnaryImplementation = (call: unknown, callback: (err: Partial<ServiceError> | null, response?: unknown) => void) => void;

/**
 * Binds the promise client of a service directly to its handlers, in the same process: the same
 * handlers, the same contracts, no second code path, but no HTTP/2, no serialisation and no network
 * (ARCHITECTURE.md §1, the one-process topology). Deadlines, cancellation and error mapping behave as
 * over gRPC, and each call still leaves a server span named as grpc-js' instrumentation names it, so a
 * one-process trace shows the same hops.
 */
export function createInProcessClient<D extends ServiceDefinition>(
  definition: D,
  implementation: UntypedServiceImplementation,
  options: ClientOptions,
): PromiseClient<D> {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const result: Record<string, unknown> = { close: () => undefined };
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || method.responseStream) continue;
    const handler = implementation[name] as UnaryImplementation | undefined;
    if (!handler) throw new Error(`${options.dependency}: no handler for ${method.path}`);
    const [service, rpc] = method.path.slice(1).split('/');
    result[name] = (request: unknown, opts: CallOpts = {}) => {
      const scope = currentCallScope();
      const deadline = opts.deadline ?? scope?.deadline ?? new Date(Date.now() + defaultTimeoutMs);
      const signal = opts.signal ?? scope?.signal;
      return inSpan(
        tracer,
        `grpc.${service}/${rpc}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'rpc.system': 'grpc', 'rpc.service': service!, 'rpc.method': rpc!, 'switchyard.transport': 'in-process' },
        },
        () => callHandler(handler, request, opts.metadata ?? new Metadata(), deadline, signal, method.path, options.dependency),
      );
    };
  }
  return result as PromiseClient<D>;
}

function callHandler(
  handler: UnaryImplementation,
  request: unknown,
  metadata: Metadata,
  deadline: Date,
  signal: AbortSignal | undefined,
  path: string,
  dependency: string,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // The handler sees what grpc-js would give it: request, metadata, deadline and a 'cancelled' event.
    const call = Object.assign(new EventEmitter(), {
      request,
      metadata,
      cancelled: false,
      getDeadline: () => deadline,
      getPath: () => path,
      getPeer: () => 'in-process',
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      timer.clear();
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const cancel = (error: Error) => {
      call.cancelled = true;
      call.emit('cancelled');
      finish(() => reject(error));
    };
    const onAbort = () => cancel(new Cancelled(`call to ${dependency} cancelled`));
    const timer = armDeadline(deadline, () => cancel(new DeadlineExpired(`deadline exceeded while waiting for ${dependency}`)));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    handler(call, (err, response) => {
      if (err) {
        const serviceError = Object.assign(new Error(err.details ?? ''), {
          code: err.code ?? status.UNKNOWN,
          details: err.details ?? '',
          metadata: err.metadata ?? new Metadata(),
        }) as ServiceError;
        finish(() => reject(fromGrpcError(serviceError, dependency)));
      } else {
        finish(() => resolve(response));
      }
    });
  });
}
