import type { IncomingMessage } from 'node:http';
import { HttpRefusal } from './openai-error';

/** Reads and parses a JSON body of at most `maxBytes`; larger bodies are refused (413) without reading them whole. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpRefusal(400, 'the request body is empty; send a JSON object', 'invalid_json');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpRefusal(400, 'the request body is not valid JSON', 'invalid_json');
  }
}

function tooLarge(maxBytes: number): HttpRefusal {
  // The rest of the body is not read: the connection closes after the answer instead of draining it.
  return new HttpRefusal(413, `the request body exceeds ${maxBytes} bytes`, 'request_too_large', { connection: 'close' });
}
