import { Unauthenticated } from '@switchyard/service-kit/errors';
import { ApiKeyAuthenticator } from './api-keys';

describe('ApiKeyAuthenticator', () => {
  const auth = new ApiKeyAuthenticator({ 'sk-switchyard-dev-a': 'team-a', 'sk-switchyard-dev-b': 'team-b' });

  it('maps each bearer key to its tenant', () => {
    expect(auth.tenantFor('Bearer sk-switchyard-dev-a')).toBe('team-a');
    expect(auth.tenantFor('bearer   sk-switchyard-dev-b ')).toBe('team-b');
  });

  it('rejects a missing, malformed or unknown key without echoing it', () => {
    expect(() => auth.tenantFor(undefined)).toThrow(Unauthenticated);
    expect(() => auth.tenantFor('sk-switchyard-dev-a')).toThrow(/malformed/);
    let message = '';
    try {
      auth.tenantFor('Bearer sk-secret-guess-123');
    } catch (err) {
      expect(err).toBeInstanceOf(Unauthenticated);
      message = (err as Error).message;
    }
    expect(message).toMatch(/unknown API key/);
    expect(message).not.toContain('sk-secret-guess-123');
  });
});
