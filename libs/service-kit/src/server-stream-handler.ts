import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { runInCallScope } from './call-scope';
import { answeredError, cancellationReason } from './cancellation-reason';
import { toGrpcError } from './grpc-status';
import type { CallContext } from './unary-handler';

/** Writes one response message; resolves once grpc-js can take more (backpressure), rejects if the caller left. */
export type SendMessage<Res> = (message: Res) => Promise<void>;

export type ServerStreamHandler<Req, Res> = (request: Req, ctx: CallContext, send: SendMessage<Res>) => Promise<void>;

/**
 * Adapts a promise-returning handler to a grpc-js server-streaming call: the handler sends messages with
 * `send` and returns when the stream is complete; a thrown domain error ends the stream with its status.
 * `ctx.signal` aborts when the caller cancels or its deadline passes, and the handler runs in a call scope
 * so outgoing calls made while streaming inherit both.
 */
export function serverStream<Req, Res>(logger: Logger, method: string, handler: ServerStreamHandler<Req, Res>) {
  return (call: ServerWritableStream<Req, Res>): void => {
    const rawDeadline = call.getDeadline();
    const deadline = rawDeadline instanceof Date ? rawDeadline : Number.isFinite(rawDeadline) ? new Date(rawDeadline) : undefined;
    const controller = new AbortController();
    let ended = false;
    // As for unary calls, grpc-js may emit 'cancelled' after a normal end; only a cancel before it counts.
    call.on('cancelled', () => {
      if (ended) return;
      controller.abort(cancellationReason(method, deadline));
    });
    const send: SendMessage<Res> = (message) => {
      if (controller.signal.aborted) return Promise.reject(controller.signal.reason);
      if (call.write(message)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          controller.signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          call.off('drain', onDrain);
          reject(controller.signal.reason);
        };
        call.once('drain', onDrain);
        controller.signal.addEventListener('abort', onAbort, { once: true });
      });
    };
    const ctx: CallContext = { deadline, signal: controller.signal, metadata: call.metadata };
    new Promise<void>((resolve) => resolve(runInCallScope({ deadline, signal: controller.signal }, () => handler(call.request, ctx, send)))).then(
      () => {
        ended = true;
        call.end();
      },
      (err: unknown) => {
        ended = true;
        const grpcError = toGrpcError(answeredError(err, controller.signal));
        if (grpcError.code === status.INTERNAL || grpcError.code === status.UNKNOWN) {
          logger.error({ err, method }, 'stream handler failed');
        } else {
          logger.debug({ method, code: status[grpcError.code], details: grpcError.details }, 'stream ended with an error status');
        }
        // grpc-js turns an 'error' event on a server stream into the call's final status.
        call.emit('error', { code: grpcError.code, details: grpcError.details, metadata: grpcError.metadata });
      },
    );
  };
}
