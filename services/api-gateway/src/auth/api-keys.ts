import { createHash, timingSafeEqual } from 'node:crypto';
import { Unauthenticated } from '@switchyard/service-kit/errors';

/**
 * Resolves `authorization: Bearer <key>` to a tenant. Keys are held only as SHA-256 digests and compared
 * in constant time, so neither memory dumps nor timing reveal them; error messages never echo the key.
 */
export class ApiKeyAuthenticator {
  private readonly tenants: { digest: Buffer; tenant: string }[];

  constructor(keys: Record<string, string>) {
    this.tenants = Object.entries(keys).map(([key, tenant]) => ({ digest: digestOf(key), tenant }));
  }

  tenantFor(authorization: string | undefined): string {
    if (!authorization) throw new Unauthenticated('missing API key: send metadata "authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new Unauthenticated('malformed authorization: expected "Bearer <api key>"');
    const digest = digestOf(match[1]!);
    let tenant: string | undefined;
    for (const entry of this.tenants) if (timingSafeEqual(entry.digest, digest)) tenant = entry.tenant;
    if (!tenant) throw new Unauthenticated('unknown API key: check the key or ask your Switchyard operator for one');
    return tenant;
  }
}

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
