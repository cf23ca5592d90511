import { ScopedVectorIndex } from './scoped-vector-index';

const DIMS = 16;
function randomUnit(seed: number): Float32Array {
  let state = seed * 2654435761;
  const v = Float32Array.from({ length: DIMS }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  });
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
const entry = (scope: string, seed: number, expiresAt = Number.MAX_SAFE_INTEGER, tenant = 'team-a') => ({
  tenant,
  scope,
  vector: randomUnit(seed),
  expiresAt,
});

describe('ScopedVectorIndex', () => {
  it('only ever returns candidates of the scope searched', () => {
    const index = new ScopedVectorIndex();
    index.upsert('a', entry('s1', 1));
    index.upsert('b', entry('s2', 1));
    expect(index.search('s1', randomUnit(1), 5, 0).map((c) => c.key)).toEqual(['a']);
    expect(index.search('s3', randomUnit(1), 5, 0)).toEqual([]);
  });

  it('finds the same nearest neighbour after a scope outgrows the flat limit and moves to HNSW', () => {
    const index = new ScopedVectorIndex({ flatLimit: 50 });
    for (let i = 0; i < 300; i++) index.upsert(`k${i}`, entry('s', i));
    expect(index.stats()).toMatchObject({ vectors: 300, scopes: 1, hnswScopes: 1 });
    let found = 0;
    for (let i = 0; i < 300; i += 7) {
      const [best] = index.search('s', randomUnit(i), 1, 0);
      if (best?.key === `k${i}`) found++;
      expect(best!.similarity).toBeGreaterThan(0.9);
    }
    expect(found).toBe(Math.ceil(300 / 7));
  });

  it('loads many entries at once into the same HNSW scope a one-by-one load would build', () => {
    const index = new ScopedVectorIndex({ flatLimit: 20 });
    index.upsert('k0', entry('s', 0));
    index.upsertMany(Array.from({ length: 299 }, (_, i) => [`k${i + 1}`, entry('s', i + 1)] as const));
    index.upsertMany([['small', entry('tiny', 1)], ['k0', entry('s', 0, 5)]]);
    expect(index.stats()).toMatchObject({ vectors: 301, scopes: 2, hnswScopes: 1 });
    for (let i = 1; i < 300; i += 13) expect(index.search('s', randomUnit(i), 1, 0)[0]?.key).toBe(`k${i}`);
    expect(index.search('s', randomUnit(0), 1, 10).map((c) => c.key)).not.toContain('k0');
  });

  it('skips entries past their expiry even before they are removed', () => {
    const index = new ScopedVectorIndex();
    index.upsert('old', entry('s', 1, 1_000));
    index.upsert('new', entry('s', 2, 5_000));
    expect(index.search('s', randomUnit(1), 2, 999).map((c) => c.key)).toEqual(['old', 'new']);
    expect(index.search('s', randomUnit(1), 2, 1_000).map((c) => c.key)).toEqual(['new']);
  });

  it('refreshes the expiry of an unchanged entry without re-inserting it, and moves a changed one', () => {
    const index = new ScopedVectorIndex();
    index.upsert('k', entry('s', 1, 1_000));
    index.upsert('k', entry('s', 1, 9_000));
    expect(index.search('s', randomUnit(1), 1, 5_000).map((c) => c.key)).toEqual(['k']);
    index.upsert('k', entry('t', 1, 9_000));
    expect(index.search('s', randomUnit(1), 1, 0)).toEqual([]);
    expect(index.stats()).toMatchObject({ vectors: 1, scopes: 1 });
  });

  it('removes entries by key, by scope and by tenant, dropping empty scopes', () => {
    const index = new ScopedVectorIndex({ flatLimit: 4 });
    for (let i = 0; i < 10; i++) index.upsert(`a${i}`, entry('sa', i));
    index.upsert('a-other', entry('sa2', 1));
    index.upsert('b', entry('sb', 1, Number.MAX_SAFE_INTEGER, 'team-b'));
    expect(index.remove('a0')).toBe(true);
    expect(index.remove('a0')).toBe(false);
    expect(index.removeScope('sa').sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
    expect(index.removeTenant('team-a')).toEqual(['a-other']);
    expect(index.stats()).toMatchObject({ vectors: 1, scopes: 1 });
    expect(index.search('sb', randomUnit(1), 1, 0).map((c) => c.key)).toEqual(['b']);
  });

  it('refuses a vector whose length differs from its scope', () => {
    const index = new ScopedVectorIndex();
    index.upsert('a', entry('s', 1));
    expect(index.upsert('b', { tenant: 'team-a', scope: 's', vector: new Float32Array(8), expiresAt: 1e15 })).toBe(false);
    expect(index.search('s', new Float32Array(8), 1, 0)).toEqual([]);
  });
});
