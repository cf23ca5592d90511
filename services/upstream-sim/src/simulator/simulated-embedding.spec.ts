import { DEFAULT_EMBEDDING_DIMENSIONS, encodeEmbeddingBase64, simulateEmbedding } from './simulated-embedding';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (norm(a) * norm(b));

describe('simulateEmbedding', () => {
  it('returns the same vector for the same text', () => {
    expect(simulateEmbedding('hello world')).toEqual(simulateEmbedding('hello world'));
  });

  it('returns unit vectors of the default 1536 dimensions', () => {
    const v = simulateEmbedding('hello world');
    expect(v).toHaveLength(DEFAULT_EMBEDDING_DIMENSIONS);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('honours the requested dimensions', () => {
    for (const dimensions of [1, 8, 256, 3072]) {
      const v = simulateEmbedding('some text', dimensions);
      expect(v).toHaveLength(dimensions);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('gives texts without words (empty, punctuation) a unit vector too', () => {
    expect(norm(simulateEmbedding('', 64))).toBeCloseTo(1, 5);
    expect(norm(simulateEmbedding('?!', 64))).toBeCloseTo(1, 5);
  });

  it('rejects dimensions outside 1..3072', () => {
    expect(() => simulateEmbedding('x', 0)).toThrow(RangeError);
    expect(() => simulateEmbedding('x', 3073)).toThrow(RangeError);
  });

  it('places texts with the same words close together and unrelated texts far apart', () => {
    const a = simulateEmbedding('What is the capital of France?');
    const sameWords = simulateEmbedding('what is the capital of france');
    const unrelated = simulateEmbedding('Summarise this quarterly sales report');
    expect(cosine(a, sameWords)).toBeGreaterThan(0.95);
    expect(cosine(a, sameWords)).toBeLessThan(0.9999);
    expect(Math.abs(cosine(a, unrelated))).toBeLessThan(0.2);
  });

  it('encodes float32 little-endian bytes as base64, decodable to the same values', () => {
    const v = simulateEmbedding('hello', 16);
    const bytes = Buffer.from(encodeEmbeddingBase64(v), 'base64');
    const decoded = Array.from({ length: 16 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(v);
  });
});
