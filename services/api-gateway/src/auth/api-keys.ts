import { createHash, timingSafeEqual } from 'node:crypto';
import { Unauthenticated } from '@switchyard/service-kit/errors';
import { HASHED_KEY_PATTERN } from './api-key-config';

/**
 * Resolves `authorization: Bearer <key>` to a tenant. Keys are held only as SHA-256 digests (configured as
 * `sha256:<hex>`, or hashed at start-up when given plainly) and compared in constant time, so neither config,
 * memory dumps nor timing reveal them; error messages never echo the key.
 */
export class ApiKeyAuthenticator {
  private readonly tenants: { digest: Buffer; tenant: string }[];

  constructor(keys: Record<string, string>) {
    this.tenants = Object.entries(keys).map(([key, tenant]) => ({ digest: configuredDigest(key), tenant }));
  }

  tenantFor(authorization: string | undefined): string {
    if (!authorization) throw new Unauthenticated('missing API key: send "authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new Unauthenticated('malformed authorization: expected "Bearer <api key>"');
    const digest = digestOf(match[1]!);
    let tenant: string | undefined;
    // Every entry is compared, so the time taken does not depend on which (if any) matched.
    for (const entry of this.tenants) if (timingSafeEqual(entry.digest, digest)) tenant = entry.tenant;
    if (!tenant) throw new Unauthenticated('unknown API key: check the key or ask your Switchyard operator for one');
    return tenant;
  }
}

/** The `sha256:<hex>` form of a key, for putting it in API_KEYS without the key itself. */
export function hashApiKey(key: string): string {
  return `sha256:${digestOf(key).toString('hex')}`;
}

function configuredDigest(key: string): Buffer {
  return HASHED_KEY_PATTERN.test(key) ? Buffer.from(key.slice('sha256:'.length), 'hex') : digestOf(key);
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
