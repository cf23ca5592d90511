import { createHash } from 'node:crypto';

/**
 * The suffix kustomize appends to generated ConfigMap and Secret names (api/hasher): SHA-256 of the
 * object's kind, data (and type, for Secrets) as Go's encoding/json writes them, with the name left
 * empty, cut to 10 hex digits whose 0, 1, 3, a and e are swapped for letters that spell no words.
 */
export function kustomizeNameHash(object: { kind: 'ConfigMap' | 'Secret'; data: Record<string, string>; type?: string }): string {
  const encoded: Record<string, unknown> = { kind: object.kind, name: '', data: object.data };
  if (object.kind === 'Secret') encoded.type = object.type ?? 'Opaque';
  const hex = createHash('sha256').update(goJson(encoded)).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c]!);
}

/** JSON as Go's encoding/json marshals maps: keys sorted, and <, >, &, U+2028, U+2029 escaped. */
function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
