import { Unauthenticated } from '@switchyard/service-kit/errors';
import { apiKeysSchema, loadApiKeysFile } from './api-key-config';
import { ApiKeyAuthenticator, hashApiKey } from './api-keys';

describe('ApiKeyAuthenticator', () => {
  const auth = new ApiKeyAuthenticator({ 'sk-switchyard-dev-a': 'team-a', [hashApiKey('sk-only-its-hash-is-configured')]: 'team-c' });

  it('maps each bearer key to its tenant, whether configured plainly or as its sha256 digest', () => {
    expect(auth.tenantFor('Bearer sk-switchyard-dev-a')).toBe('team-a');
    expect(auth.tenantFor('bearer   sk-switchyard-dev-a ')).toBe('team-a');
    expect(auth.tenantFor('Bearer sk-only-its-hash-is-configured')).toBe('team-c');
  });

  it('does not accept the digest itself as a key', () => {
    expect(() => auth.tenantFor(`Bearer ${hashApiKey('sk-only-its-hash-is-configured')}`)).toThrow(Unauthenticated);
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

  it('hashes keys as sha256:<hex>', () => {
    expect(hashApiKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('API key configuration', () => {
  it('accepts digests and plain keys, and refuses malformed digests, short keys and odd tenant names', () => {
    expect(apiKeysSchema.safeParse({ [hashApiKey('x')]: 'team-a', 'sk-long-enough': 'team-b' }).success).toBe(true);
    expect(apiKeysSchema.safeParse({ 'sha256:abc': 'team-a' }).success).toBe(false);
    expect(apiKeysSchema.safeParse({ short: 'team-a' }).success).toBe(false);
    expect(apiKeysSchema.safeParse({ 'sk-long-enough': 'team a' }).success).toBe(false);
    expect(apiKeysSchema.safeParse({}).success).toBe(false);
  });

  it('reads API_KEYS_FILE and names the setting when the file is wrong, without quoting keys', () => {
    expect(loadApiKeysFile('/secrets/keys.json', () => '{"sk-from-a-file":"team-f"}')).toEqual({ 'sk-from-a-file': 'team-f' });
    expect(() => loadApiKeysFile('/secrets/keys.json', () => 'not json')).toThrow(/API_KEYS_FILE: cannot read a JSON object/);
    let message = '';
    try {
      loadApiKeysFile('/secrets/keys.json', () => '{"tiny":"team-f"}');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/API_KEYS_FILE/);
    expect(message).not.toContain('tiny');
  });
});
