import type { IncomingMessage } from 'node:http';
import { InvalidArgument } from '@switchyard/service-kit/errors';

/** The request body is larger than the configured limit (HTTP 413). */
export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`Request body is larger than the limit of ${limitBytes} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * Reads the whole body, keeping at most `limitBytes`. An oversized body is drained rather than cut off so the
 * client still receives the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () =>
      settle(() => (size > limitBytes ? reject(new BodyTooLarge(limitBytes)) : resolve(Buffer.concat(chunks)))),
    );
    req.on('error', (err) => settle(() => reject(err)));
    req.on('close', () => settle(() => reject(new Error('client closed the connection before the body was complete'))));
  });
}

/** Parses a JSON object body; anything else is an InvalidArgument on `body`. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InvalidArgument('body', 'We could not parse the JSON body of your request: expected valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgument('body', 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}
