import { parseSignature } from '../../caching/question-signature';
import type { CacheEntry, StoredEntry } from '../cache-store';

/** Hash fields read back for an entry, in this order. */
export const ENTRY_FIELDS = ['t', 'c', 'u', 'x', 's', 'v', 'g'] as const;

/** Vectors travel as little-endian float32 bytes (every supported platform is little-endian). */
export function vectorToBuffer(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function bufferToVector(buffer: Buffer): Float32Array {
  // Copied, because a Buffer slice need not be 4-byte aligned.
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return new Float32Array(copy.buffer, 0, Math.floor(buffer.byteLength / 4));
}

export function encodeUsage(entry: CacheEntry): string {
  return `${entry.usage.inputTokens},${entry.usage.outputTokens}`;
}

/** An entry from its hash fields (ENTRY_FIELDS order); undefined if absent, malformed or expired at `now`. */
export function decodeEntry(key: string, fields: Array<Buffer | null>, now: number): StoredEntry | undefined {
  const [tenant, content, usage, expiry, scope, vector, signature] = fields;
  if (!tenant || !content || !usage || !expiry) return undefined;
  const expiresAt = Number(expiry.toString());
  if (!(expiresAt > now)) return undefined;
  const [inputTokens, outputTokens] = usage.toString().split(',').map(Number);
  const entry: StoredEntry = {
    key,
    tenant: tenant.toString(),
    content: content.toString(),
    usage: { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 },
    expiresAt,
  };
  const parsed = signature ? parseSignature(signature.toString()) : undefined;
  if (scope && vector && parsed) {
    entry.semantic = { scope: scope.toString(), vector: bufferToVector(vector), signature: parsed };
  }
  return entry;
}
