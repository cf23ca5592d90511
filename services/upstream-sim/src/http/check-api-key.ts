import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Unauthenticated } from '@switchyard/service-kit/errors';

/**
 * Accepts OpenAI's `Authorization: Bearer <key>` or Azure's `api-key: <key>`. Keys are compared as hashes in
 * constant time so neither length nor prefix leaks through timing.
 */
export function requireApiKey(headers: IncomingHttpHeaders, expected: string | undefined): void {
  if (expected === undefined) return;
  const presented = presentedKey(headers);
  if (presented === undefined) {
    throw new Unauthenticated("You didn't provide an API key. Send 'Authorization: Bearer <key>' or 'api-key: <key>'.");
  }
  if (!timingSafeEqual(digest(presented), digest(expected))) {
    throw new Unauthenticated('Incorrect API key provided.');
  }
}

function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  const azureKey = headers['api-key'];
  return typeof azureKey === 'string' && azureKey !== '' ? azureKey : undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
