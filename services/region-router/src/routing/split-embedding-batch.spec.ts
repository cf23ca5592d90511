import { splitEmbeddingBatch } from './split-embedding-batch';

describe('splitEmbeddingBatch', () => {
  it('hands each item its own vectors in order', () => {
    const values = splitEmbeddingBatch([1, 2], [1, 1], [[1], [2], [3]], 6);
    expect(values.map((v) => v.vectors)).toEqual([[[1]], [[2], [3]]]);
  });

  it('shares the token total in proportion to each item and keeps the sum exact', () => {
    const values = splitEmbeddingBatch([1, 1, 1], [1, 1, 1], [[0], [0], [0]], 10);
    expect(values.map((v) => v.inputTokens)).toEqual([4, 3, 3]);
    const weighted = splitEmbeddingBatch([1, 1], [30, 10], [[0], [0]], 41);
    expect(weighted.map((v) => v.inputTokens)).toEqual([31, 10]);
  });
});
