import { InvalidArgument } from '@switchyard/service-kit/errors';
import { batchKey, parseBatchKey } from './batch-key';

describe('batchKey', () => {
  it('gives embeddings and completions of the same model and region different keys', () => {
    expect(batchKey({ kind: 'embedding', model: 'm', userRegion: 'eu' })).not.toBe(batchKey({ kind: 'completion', model: 'm', userRegion: 'eu' }));
  });

  it('gives different home regions different keys', () => {
    expect(batchKey({ kind: 'embedding', model: 'm', userRegion: 'eu' })).not.toBe(batchKey({ kind: 'embedding', model: 'm', userRegion: 'us' }));
  });

  it('gives equal parts equal keys', () => {
    expect(batchKey({ kind: 'completion', model: 'gpt-4o', userRegion: 'eu' })).toBe(batchKey({ kind: 'completion', model: 'gpt-4o', userRegion: 'eu' }));
  });

  it('cannot be fooled into a collision by separators inside model or region', () => {
    const a = batchKey({ kind: 'embedding', model: 'a:b', userRegion: 'c' });
    const b = batchKey({ kind: 'embedding', model: 'a', userRegion: 'b:c' });
    expect(a).not.toBe(b);
  });

  it('parses back to the parts it was made of, including an empty region', () => {
    for (const parts of [
      { kind: 'embedding' as const, model: 'ft:gpt-4o:org:x', userRegion: 'eu west/1' },
      { kind: 'completion' as const, model: 'gpt-4o-mini', userRegion: '' },
    ]) {
      expect(parseBatchKey(batchKey(parts))).toEqual(parts);
    }
  });

  it('refuses an unknown kind or an empty model with InvalidArgument naming the field', () => {
    expect(() => batchKey({ kind: 'image' as never, model: 'm', userRegion: '' })).toThrow(expect.objectContaining({ constructor: InvalidArgument, field: 'kind' }));
    expect(() => batchKey({ kind: 'embedding', model: '', userRegion: '' })).toThrow(expect.objectContaining({ constructor: InvalidArgument, field: 'model' }));
  });

  it('refuses to parse a string that batchKey did not make', () => {
    expect(() => parseBatchKey('embedding:m')).toThrow(InvalidArgument);
    expect(() => parseBatchKey('image:m:eu')).toThrow(InvalidArgument);
  });
});
