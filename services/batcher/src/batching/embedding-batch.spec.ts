import { mergeEmbeddingCalls, splitEmbeddingResponse } from './embedding-batch';

// One token per word keeps the expected usage shares readable.
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;
const vectorOf = (text: string) => [text.length, countWords(text)];

describe('embedding merge and split', () => {
  const calls = [{ inputs: ['one', 'two words'] }, { inputs: ['three little words'] }, { inputs: ['a', 'b', 'c'] }];

  it('merges every call into one upstream input list, in call order', () => {
    expect(mergeEmbeddingCalls(calls, countWords)).toEqual({
      inputs: ['one', 'two words', 'three little words', 'a', 'b', 'c'],
      inputCounts: [2, 1, 3],
      tokenEstimates: [3, 3, 3],
    });
  });

  it('hands each call back its own vectors in order, with usage shared by input tokens', () => {
    const merged = mergeEmbeddingCalls(calls, countWords);
    const outcomes = splitEmbeddingResponse(merged, { vectors: merged.inputs.map(vectorOf), usage: { inputTokens: 10, outputTokens: 0 } });

    expect(outcomes).toEqual([
      { ok: true, value: { vectors: [vectorOf('one'), vectorOf('two words')], usage: { inputTokens: 4, outputTokens: 0 } } },
      { ok: true, value: { vectors: [vectorOf('three little words')], usage: { inputTokens: 3, outputTokens: 0 } } },
      { ok: true, value: { vectors: [vectorOf('a'), vectorOf('b'), vectorOf('c')], usage: { inputTokens: 3, outputTokens: 0 } } },
    ]);
  });

  it('bills a call with more tokens a larger share', () => {
    const merged = mergeEmbeddingCalls([{ inputs: ['x'] }, { inputs: ['x x x x x x x x x'] }], countWords);
    const outcomes = splitEmbeddingResponse(merged, { vectors: [[1], [2]], usage: { inputTokens: 20, outputTokens: 0 } });
    expect(outcomes.map((o) => (o.ok ? o.value.usage.inputTokens : -1))).toEqual([2, 18]);
  });

  it('counts tokens with the o200k tokenizer by default', () => {
    const merged = mergeEmbeddingCalls([{ inputs: ['hello world'] }]);
    expect(merged.tokenEstimates[0]).toBeGreaterThan(0);
  });

  it('fails every call when the upstream returns a different number of vectors than inputs', () => {
    const merged = mergeEmbeddingCalls(calls, countWords);
    const outcomes = splitEmbeddingResponse(merged, { vectors: merged.inputs.slice(1).map(vectorOf), usage: { inputTokens: 10, outputTokens: 0 } });

    expect(outcomes).toHaveLength(3);
    for (const outcome of outcomes) {
      expect(outcome).toEqual({ ok: false, error: new Error('upstream returned 5 embeddings for 6 inputs') });
    }
  });
});
