import { status, type Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { runInCallScope } from './call-scope';
import { answeredError, cancellationReason } from './cancellation-reason';
import { toGrpcError } from './grpc-status';

export interface CallContext {
  /** The caller's deadline, if it set one. */
  deadline?: Date;
  /** Aborts when the caller cancels or its deadline passes; its reason is a Cancelled or DeadlineExpired. */
  signal: AbortSignal;
  metadata: Metadata;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;

/**
 * Adapts a promise-returning handler to grpc-js: runs it in a call scope (deadline + cancellation for
 * outgoing calls), maps thrown domain errors to status codes, and logs what is not the caller's fault.
 */
export function unary<Req, Res>(logger: Logger, method: string, handler: UnaryHandler<Req, Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const rawDeadline = call.getDeadline();
    const deadline = rawDeadline instanceof Date ? rawDeadline : Number.isFinite(rawDeadline) ? new Date(rawDeadline) : undefined;
    const controller = new AbortController();
    let answered = false;
    // grpc-js also emits 'cancelled' when the stream closes after a normal answer; aborting then would
    // cancel the work a handler deliberately leaves running after replying (e.g. a cache write).
    call.on('cancelled', () => {
      if (answered) return;
      controller.abort(cancellationReason(method, deadline));
    });
    const ctx: CallContext = { deadline, signal: controller.signal, metadata: call.metadata };
    // The executor turns a synchronous throw into a rejection, so it is mapped like any other.
    new Promise<Res>((resolve) => resolve(runInCallScope({ deadline, signal: controller.signal }, () => handler(call.request, ctx)))).then(
      (response) => {
        answered = true;
        callback(null, response);
      },
      (err: unknown) => {
        answered = true;
        const grpcError = toGrpcError(answeredError(err, controller.signal));
        if (grpcError.code === status.INTERNAL || grpcError.code === status.UNKNOWN) {
          logger.error({ err, method }, 'handler failed');
        } else {
          logger.debug({ method, code: status[grpcError.code], details: grpcError.details }, 'handler rejected request');
        }
        callback({ code: grpcError.code, details: grpcError.details, metadata: grpcError.metadata }, null);
      },
    );
  };
}
