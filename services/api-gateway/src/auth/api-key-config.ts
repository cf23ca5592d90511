import { z } from 'zod';
import { ConfigError } from '@switchyard/service-kit';

/** `sha256:<hex>`: the SHA-256 digest of a key, so configuration and secrets never need to hold the key itself. */
export const HASHED_KEY_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Tenant names end up in cache keys, Redis keys, spans and logs, so they are kept to a safe alphabet. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const apiKey = z
  .string()
  .refine((key) => HASHED_KEY_PATTERN.test(key) || (key.length >= 8 && !key.startsWith('sha256:') && !/\s/.test(key)), {
    message: 'each key must be "sha256:<64 lowercase hex digits>" or a plain key of at least 8 characters without spaces',
  });

export const apiKeysSchema = z
  .record(apiKey, z.string().regex(TENANT_PATTERN, 'tenant names are 1-128 letters, digits and . _ : - (starting with a letter or digit)'))
  .refine((keys) => Object.keys(keys).length > 0, 'at least one API key is required');

/** Reads API_KEYS_FILE (e.g. a mounted Kubernetes secret); a bad file stops start-up naming the setting. */
export function loadApiKeysFile(path: string, read: (path: string) => string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(path));
  } catch (err) {
    throw new ConfigError('api-gateway', [`API_KEYS_FILE: cannot read a JSON object from ${path} (${err instanceof Error ? err.message : String(err)})`]);
  }
  const result = apiKeysSchema.safeParse(parsed);
  // Issue paths would name the offending key, so only the messages are reported.
  if (!result.success) throw new ConfigError('api-gateway', result.error.issues.map((issue) => `API_KEYS_FILE: ${issue.message}`));
  return result.data;
}
