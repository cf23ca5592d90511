import { UpstreamEmbedder } from './upstream-embedder';

describe('UpstreamEmbedder', () => {
  it('passes all texts in one call and L2-normalises each returned vector', async () => {
    const calls: string[][] = [];
    const embedder = new UpstreamEmbedder(
      async (texts) => {
        calls.push(texts);
        return texts.map((_, i) => [3 * (i + 1), 4 * (i + 1)]);
      },
      { name: 'upstream:test-embedding', dimensions: 2 },
    );

    const vectors = await embedder.embed(['a', 'b']);

    expect(calls).toEqual([['a', 'b']]);
    expect(Array.from(vectors[0])).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(vectors[1])).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(embedder.name).toBe('upstream:test-embedding');
    expect(embedder.dimensions).toBe(2);
  });

  it('does not call the upstream for an empty batch', async () => {
    const embedTexts = jest.fn(async () => [] as number[][]);
    await expect(new UpstreamEmbedder(embedTexts, { name: 'u', dimensions: 2 }).embed([])).resolves.toEqual([]);
    expect(embedTexts).not.toHaveBeenCalled();
  });

  it('refuses an answer with a different number of vectors than texts', async () => {
    const embedder = new UpstreamEmbedder(async () => [[1, 0]], { name: 'u', dimensions: 2 });
    await expect(embedder.embed(['a', 'b'])).rejects.toThrow('returned 1 vectors for 2 texts');
  });

  it('refuses vectors of the wrong dimension', async () => {
    const embedder = new UpstreamEmbedder(async () => [[1, 0, 0]], { name: 'u', dimensions: 2 });
    await expect(embedder.embed(['a'])).rejects.toThrow('returned 3 dimensions for text 0, expected 2');
  });

  it('propagates upstream failures to the caller', async () => {
    const embedder = new UpstreamEmbedder(
      async () => {
        throw new Error('batcher unavailable');
      },
      { name: 'u', dimensions: 2 },
    );
    await expect(embedder.embed(['a'])).rejects.toThrow('batcher unavailable');
  });
});
