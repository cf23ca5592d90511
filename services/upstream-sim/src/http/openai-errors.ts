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

export function invalidRequest(
  status: number,
  message: string,
  code: string | null = null,
  param: string | null = null,
): HttpFailure {
  return { status, error: { message, type: 'invalid_request_error', param, code } };
}

/** Maps a thrown error to the status and body OpenAI would answer; undefined for errors that are bugs. */
export function failureFor(err: unknown): HttpFailure | undefined {
  if (err instanceof BodyTooLarge) return invalidRequest(413, err.message, 'request_too_large');
  if (err instanceof ModelNotFound) return invalidRequest(404, err.message, 'model_not_found', 'model');
  if (!isSwitchyardError(err)) return undefined;
  switch (err.kind) {
    case 'invalid-argument': {
      const field = 'field' in err && typeof err.field === 'string' && err.field !== 'body' ? err.field : null;
      return invalidRequest(400, err.message, null, field);
    }
    case 'unauthenticated':
      return invalidRequest(401, err.message, 'invalid_api_key');
    case 'not-found':
      return invalidRequest(404, err.message, 'not_found');
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
    const message = `Rate limit reached ${note}`;
    return { status, error: { message, type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' } };
  }
  if (status >= 500) {
    const message = `The server had an error while processing your request ${note}`;
    return { status, error: { message, type: 'server_error', param: null, code: null } };
  }
  return invalidRequest(status, `The request failed ${note}`);
}
