import type { ServerResponse } from 'node:http';
import { isSwitchyardError } from '@switchyard/service-kit/errors';
import { ModelNotFound } from '../simulator';
import { BodyTooLarge } from './read-body';

/** OpenAI's error object: `{ "error": { message, type, param, code } }`. */
export interface OpenAIError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export interface HttpFailure {
  status: number;
  error: OpenAIError;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, failure: HttpFailure, headers: Record<string, string> = {}): void {
  sendJson(res, failure.status, { error: failure.error }, headers);
}

/** Maps a thrown error to the status and body OpenAI would answer; undefined for errors that are bugs. */
export function failureFor(err: unknown): HttpFailure | undefined {
  if (err instanceof BodyTooLarge) {
    return { status: 413, error: { message: err.message, type: 'invalid_request_error', param: null, code: 'request_too_large' } };
  }
  if (err instanceof ModelNotFound) {
    return { status: 404, error: { message: err.message, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } };
  }
  if (!isSwitchyardError(err)) return undefined;
  switch (err.kind) {
    case 'invalid-argument': {
      const field = 'field' in err && typeof err.field === 'string' && err.field !== 'body' ? err.field : null;
      return { status: 400, error: { message: err.message, type: 'invalid_request_error', param: field, code: null } };
    }
    case 'unauthenticated':
      return { status: 401, error: { message: err.message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
    case 'not-found':
      return { status: 404, error: { message: err.message, type: 'invalid_request_error', param: null, code: 'not_found' } };
    default:
      return undefined;
  }
}

export function internalFailure(): HttpFailure {
  return {
    status: 500,
    error: { message: 'The simulator failed while processing your request.', type: 'server_error', param: null, code: null },
  };
}

/** The body of an error injected through SIM_ERROR_RATE or POST /admin/faults, shaped like OpenAI's for that status. */
export function injectedFailure(status: number): HttpFailure {
  const note = `(injected by upstream-sim, status ${status})`;
  if (status === 429) {
    return { status, error: { message: `Rate limit reached ${note}`, type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' } };
  }
  if (status >= 500) {
    return {
      status,
      error: { message: `The server had an error while processing your request ${note}`, type: 'server_error', param: null, code: null },
    };
  }
  return { status, error: { message: `The request failed ${note}`, type: 'invalid_request_error', param: null, code: null } };
}
