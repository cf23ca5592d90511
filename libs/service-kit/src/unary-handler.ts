import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { runInCallScope } from './call-scope';
import { toGrpcError } from './grpc-status';
import { status } from '@grpc/grpc-js';

export interface CallContext {
  /** The caller's deadline, if it set one. */
  deadline?: Date;
  /** Aborts when the caller cancels or its deadline passes. */
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
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort(new Error('call cancelled by the client')));
    const rawDeadline = call.getDeadline();
    const deadline = rawDeadline instanceof Date ? rawDeadline : Number.isFinite(rawDeadline) ? new Date(rawDeadline) : undefined;
    const ctx: CallContext = { deadline, signal: controller.signal, metadata: call.metadata };
    runInCallScope({ deadline, signal: controller.signal }, () => handler(call.request, ctx)).then(
      (response) => callback(null, response),
      (err: unknown) => {
        const grpcError = toGrpcError(err);
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
