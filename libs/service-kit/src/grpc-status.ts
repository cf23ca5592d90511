import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  Cancelled,
  DeadlineExpired,
  FailedPrecondition,
  InvalidArgument,
  isSwitchyardError,
  NotFound,
  PermissionDenied,
  ResourceExhausted,
  Unauthenticated,
  Unavailable,
  type ErrorKind,
  type SwitchyardError,
} from './errors';

/** The one table that turns domain error kinds into gRPC status codes. */
export const STATUS_OF_KIND: Record<ErrorKind, status> = {
  'invalid-argument': status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  'permission-denied': status.PERMISSION_DENIED,
  'not-found': status.NOT_FOUND,
  'deadline-exceeded': status.DEADLINE_EXCEEDED,
  'resource-exhausted': status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  cancelled: status.CANCELLED,
  'failed-precondition': status.FAILED_PRECONDITION,
  internal: status.INTERNAL,
};

/** Trailer carrying a retry hint in milliseconds with RESOURCE_EXHAUSTED / UNAVAILABLE. */
export const RETRY_AFTER_MS_KEY = 'retry-after-ms';

export interface GrpcErrorPayload {
  code: status;
  details: string;
  metadata: Metadata;
}

/** Maps any thrown value to a gRPC error. Unknown errors become INTERNAL without leaking their message. */
export function toGrpcError(err: unknown): GrpcErrorPayload {
  const metadata = new Metadata();
  if (isSwitchyardError(err)) {
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) metadata.set(RETRY_AFTER_MS_KEY, String(Math.ceil(retryAfterMs)));
    return { code: STATUS_OF_KIND[err.kind], details: err.message, metadata };
  }
  if (isServiceError(err)) return { code: err.code, details: err.details, metadata: err.metadata ?? metadata };
  return { code: status.INTERNAL, details: 'internal error; see the service log for this trace', metadata };
}

export function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && 'code' in err && 'details' in err && typeof (err as ServiceError).code === 'number';
}

/**
 * Turns an error returned by another Switchyard service into the domain error of the same kind, so the
 * caller's handler can pass it on with the right status (a queue's RESOURCE_EXHAUSTED stays one).
 * `dependency` names the service in UNAVAILABLE messages.
 */
export function fromGrpcError(err: unknown, dependency: string): SwitchyardError | unknown {
  if (!isServiceError(err)) return err;
  const retryHeader = err.metadata?.get(RETRY_AFTER_MS_KEY)[0];
  // A malformed hint is dropped rather than passed on as NaN.
  const retryAfterMs = retryHeader === undefined ? NaN : Number(retryHeader.toString());
  return errorFromStatus(err.code, err.details, dependency, Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : undefined);
}

/** The domain error for a gRPC status code, e.g. one reported per item inside a batch response. */
export function errorFromStatus(code: status, details: string, dependency: string, retryAfterMs?: number): SwitchyardError {
  switch (code) {
    case status.INVALID_ARGUMENT:
      return new InvalidArgument(fieldOf(details), messageOf(details));
    case status.UNAUTHENTICATED:
      return new Unauthenticated(details);
    case status.PERMISSION_DENIED:
      return new PermissionDenied(details);
    case status.NOT_FOUND:
      return new NotFound(details);
    case status.DEADLINE_EXCEEDED:
      return new DeadlineExpired(details || `deadline exceeded while waiting for ${dependency}`);
    case status.RESOURCE_EXHAUSTED:
      return new ResourceExhausted(details, retryAfterMs);
    case status.CANCELLED:
      return new Cancelled(details);
    case status.FAILED_PRECONDITION:
      return new FailedPrecondition(details);
    case status.UNAVAILABLE:
      return new Unavailable(`${dependency} is unavailable: ${details}`, retryAfterMs);
    default:
      return new Unavailable(`${dependency} failed (${status[code] ?? code}): ${details}`);
  }
}

// InvalidArgument messages are written as "<field>: <message>" (see errors.ts); keep the field when relaying.
function fieldOf(details: string): string {
  const i = details.indexOf(': ');
  return i > 0 ? details.slice(0, i) : 'request';
}

function messageOf(details: string): string {
  const i = details.indexOf(': ');
  return i > 0 ? details.slice(i + 2) : details;
}
