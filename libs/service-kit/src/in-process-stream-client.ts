import { EventEmitter } from 'node:events';
import { Metadata, status, type ServiceDefinition, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { context, getTracer, markSpanFailed, SpanKind, trace } from '@switchyard/telemetry';
import { currentCallScope } from './call-scope';
import { Cancelled, DeadlineExpired } from './errors';
import type { ClientOptions } from './grpc-client';
import type { StreamingClient } from './grpc-stream-client';
import { fromGrpcError } from './grpc-status';
import { armDeadline } from './deadline-timer';

const tracer = getTracer('in-process');

/** Messages the handler may write ahead of the reader before `write` asks it to wait for 'drain', as grpc-js does. */
const HIGH_WATER_MARK = 16;

type StreamImplementation = (call: EventEmitter) => void;

/**
 * The server-streaming half of createInProcessClient: each method hands the handler a call object shaped
 * like grpc-js' ServerWritableStream (write with backpressure, end, 'cancelled', an 'error' emit as the
 * final status) and yields what it writes. Leaving the loop early, the caller's cancellation or the deadline
 * cancel the handler as over gRPC; a failed stream throws the domain error of its status, and the server span
 * lasts as long as the stream.
 */
export function createInProcessStreamingClient<D extends ServiceDefinition>(
  definition: D,
  implementation: UntypedServiceImplementation,
  options: ClientOptions,
): StreamingClient<D> {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const result: Record<string, unknown> = { close: () => undefined };
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || !method.responseStream) continue;
    const handler = implementation[name] as StreamImplementation | undefined;
    if (!handler) throw new Error(`${options.dependency}: no handler for ${method.path}`);
    const [service, rpc] = method.path.slice(1).split('/');
    result[name] = (request: unknown, opts: { deadline?: Date; metadata?: Metadata; signal?: AbortSignal } = {}): AsyncIterable<unknown> => ({
      [Symbol.asyncIterator]: () => {
        const scope = currentCallScope();
        const deadline = opts.deadline ?? scope?.deadline ?? new Date(Date.now() + defaultTimeoutMs);
        const signal = opts.signal ?? scope?.signal;
        const parent = context.active();
        const span = tracer.startSpan(
          `grpc.${service}/${rpc}`,
          {
            kind: SpanKind.SERVER,
            attributes: { 'rpc.system': 'grpc', 'rpc.service': service!, 'rpc.method': rpc!, 'switchyard.transport': 'in-process' },
          },
          parent,
        );
        const start = (call: EventEmitter) => context.with(trace.setSpan(parent, span), () => handler(call));
        return readStream(start, { request, metadata: opts.metadata ?? new Metadata(), deadline, signal, path: method.path, dependency: options.dependency }, span)[
          Symbol.asyncIterator
        ]();
      },
    });
  }
  return result as StreamingClient<D>;
}

interface StreamCall {
  request: unknown;
  metadata: Metadata;
  deadline: Date;
  signal: AbortSignal | undefined;
  path: string;
  dependency: string;
}

async function* readStream(start: (call: EventEmitter) => void, spec: StreamCall, span: ReturnType<typeof tracer.startSpan>): AsyncGenerator<unknown> {
  const queue: unknown[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const call = Object.assign(new EventEmitter(), {
    request: spec.request,
    metadata: spec.metadata,
    cancelled: false,
    getDeadline: () => spec.deadline,
    getPath: () => spec.path,
    getPeer: () => 'in-process',
    write: (message: unknown) => {
      if (ended) return false;
      queue.push(message);
      notify();
      return queue.length < HIGH_WATER_MARK;
    },
    end: () => {
      ended = true;
      notify();
    },
  });
  const finish = (error: unknown) => {
    if (ended) return;
    ended = true;
    failure = error;
    notify();
  };
  // The handler reports its final status by emitting 'error' on the call (see serverStream).
  call.on('error', (err: Partial<ServiceError>) => {
    const serviceError = Object.assign(new Error(err.details ?? ''), {
      code: err.code ?? status.UNKNOWN,
      details: err.details ?? '',
      metadata: err.metadata ?? new Metadata(),
    }) as ServiceError;
    finish(fromGrpcError(serviceError, spec.dependency));
  });
  const cancel = (error: Error) => {
    if (ended) return;
    call.cancelled = true;
    call.emit('cancelled');
    finish(error);
  };
  const onAbort = () => cancel(new Cancelled(`call to ${spec.dependency} cancelled`));
  const timer = armDeadline(spec.deadline, () => cancel(new DeadlineExpired(`deadline exceeded while waiting for ${spec.dependency}`)));
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  let completed = false;
  try {
    if (!ended) start(call);
    for (;;) {
      if (queue.length > 0) {
        const message = queue.shift();
        if (queue.length === HIGH_WATER_MARK - 1) call.emit('drain');
        yield message;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw failure;
    completed = true;
  } catch (err) {
    markSpanFailed(span, err);
    throw err;
  } finally {
    timer.clear();
    spec.signal?.removeEventListener('abort', onAbort);
    // The reader left early (break, throw): the handler sees a cancellation, as a gRPC server would.
    if (!completed && !ended) cancel(new Cancelled(`call to ${spec.dependency} cancelled by its reader`));
    span.end();
  }
}
