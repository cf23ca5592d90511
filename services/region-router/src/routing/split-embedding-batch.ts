import type { EmbeddingValue } from './dispatch-request';

/**
 * Splits one upstream embeddings answer back into the items that were sent together. The upstream reports
 * one token total, so each item gets a share proportional to its own (locally counted) tokens; shares are
 * whole numbers that add up to the total (largest remainder), so per-item usage sums to what was billed.
 */
export function splitEmbeddingBatch(
  inputsPerItem: readonly number[],
  localTokensPerItem: readonly number[],
  vectors: readonly number[][],
  totalInputTokens: number,
): EmbeddingValue[] {
  const shares = proportionalShares(localTokensPerItem, totalInputTokens);
  const values: EmbeddingValue[] = [];
  let offset = 0;
  inputsPerItem.forEach((count, index) => {
    values.push({ vectors: vectors.slice(offset, offset + count), inputTokens: shares[index] });
    offset += count;
  });
  return values;
}

function proportionalShares(weights: readonly number[], total: number): number[] {
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  const exact = weights.map((w) => (weightSum > 0 ? (w / weightSum) * total : total / weights.length));
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    shares[i] += 1;
    left -= 1;
  }
  return shares;
}
