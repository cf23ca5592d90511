import { isSwitchyardError, type ErrorKind } from '@switchyard/service-kit/errors';
import { TenantRateLimited } from '../limits';

/** OpenAI's error body: `{ "error": { message, type, param, code } }`, which every OpenAI SDK parses. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface HttpFailure {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

/** The HTTP side of docs/errors.md: each error kind's status, as Google's API design guide maps gRPC codes. */
export const HTTP_STATUS_OF_KIND: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  'failed-precondition': 400,
  unauthenticated: 401,
  'permission-denied': 403,
  'not-found': 404,
  'resource-exhausted': 429,
  // nginx's "client closed request": nobody reads it, but access logs and spans should not say 5xx.
  cancelled: 499,
  internal: 500,
  unavailable: 503,
  'deadline-exceeded': 504,
};

const TYPE_OF_KIND: Record<ErrorKind, [type: string, code: string | null]> = {
  'invalid-argument': ['invalid_request_error', 'invalid_value'],
  'failed-precondition': ['invalid_request_error', 'failed_precondition'],
  unauthenticated: ['invalid_request_error', 'invalid_api_key'],
  'permission-denied': ['invalid_request_error', 'permission_denied'],
  'not-found': ['invalid_request_error', 'model_not_found'],
  'resource-exhausted': ['rate_limit_error', 'resource_exhausted'],
  cancelled: ['invalid_request_error', 'cancelled'],
  internal: ['server_error', null],
  unavailable: ['server_error', 'service_unavailable'],
  'deadline-exceeded': ['server_error', 'deadline_exceeded'],
};

/** An HTTP-only refusal that has no gRPC twin (unknown path, wrong method, body too large, ...). */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}

/** Maps anything thrown while serving to a status and an OpenAI-shaped body; undefined for a bug (500). */
export function failureOf(err: unknown): HttpFailure | undefined {
  if (err instanceof HttpRefusal) {
    return { status: err.status, headers: err.headers, body: { error: { message: err.message, type: 'invalid_request_error', param: null, code: err.code } } };
  }
  if (!isSwitchyardError(err)) return undefined;
  const status = HTTP_STATUS_OF_KIND[err.kind];
  let [type, code] = TYPE_OF_KIND[err.kind];
  const param = 'field' in err && typeof err.field === 'string' ? err.field : null;
  const headers: Record<string, string> = {};
  const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && (status === 429 || status === 503)) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    // The OpenAI SDKs read this one first; it keeps the hint's precision.
    headers['retry-after-ms'] = String(Math.ceil(retryAfterMs));
  }
  if (err instanceof TenantRateLimited) {
    // As OpenAI words its own: type names the exhausted dimension.
    [type, code] = [err.dimension, 'rate_limit_exceeded'];
    headers[`x-ratelimit-limit-${err.dimension}`] = String(err.limit);
    headers[`x-ratelimit-remaining-${err.dimension}`] = '0';
  }
  return { status, headers, body: { error: { message: err.message, type, param, code } } };
}

export function internalFailure(): HttpFailure {
  return {
    status: 500,
    headers: {},
    body: { error: { message: 'internal error; the gateway log has the details under this trace id', type: 'server_error', param: null, code: null } },
  };
}
