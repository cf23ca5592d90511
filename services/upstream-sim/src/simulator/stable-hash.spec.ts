import { stableHash } from './stable-hash';

describe('stableHash', () => {
  it('is stable across calls and sensitive to one character', () => {
    expect(stableHash('hello')).toBe(stableHash('hello'));
    expect(stableHash('hello')).not.toBe(stableHash('hellp'));
    expect(stableHash('hello', 1)).not.toBe(stableHash('hello', 2));
  });

  it('returns an unsigned 32-bit integer', () => {
    for (const text of ['', 'a', 'ü漢字', 'x'.repeat(1000)]) {
      const h = stableHash(text);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(0xffffffff);
    }
  });
});
