/**
 * Typed errors thrown by domain code. They carry no transport detail: service-kit's
 * status mapping (grpc-status.ts) turns each kind into a gRPC status code, so no handler
 * ever matches on message text. This file imports nothing, so pure domain code may use it.
 */
export type ErrorKind =
  | 'invalid-argument'
  | 'unauthenticated'
  | 'permission-denied'
  | 'not-found'
  | 'deadline-exceeded'
  | 'resource-exhausted'
  | 'unavailable'
  | 'cancelled'
  | 'failed-precondition'
  | 'internal';

export abstract class SwitchyardError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request field is missing or out of range; `field` names it as the caller wrote it. */
export class InvalidArgument extends SwitchyardError {
  readonly kind = 'invalid-argument';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class Unauthenticated extends SwitchyardError {
  readonly kind = 'unauthenticated';
}

export class PermissionDenied extends SwitchyardError {
  readonly kind = 'permission-denied';
}

export class NotFound extends SwitchyardError {
  readonly kind = 'not-found';
}

/** The request's deadline passed before the work could be done. */
export class DeadlineExpired extends SwitchyardError {
  readonly kind = 'deadline-exceeded';
}

/** Capacity is exhausted (queue full, shed, all regions saturated); retrying after `retryAfterMs` may succeed. */
export class ResourceExhausted extends SwitchyardError {
  readonly kind = 'resource-exhausted';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A dependency (service, upstream, store) cannot be reached right now. */
export class Unavailable extends SwitchyardError {
  readonly kind = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The caller went away (client cancelled) before the work finished. */
export class Cancelled extends SwitchyardError {
  readonly kind = 'cancelled';
}

export class FailedPrecondition extends SwitchyardError {
  readonly kind = 'failed-precondition';
}

export function isSwitchyardError(err: unknown): err is SwitchyardError {
  return err instanceof SwitchyardError;
}
