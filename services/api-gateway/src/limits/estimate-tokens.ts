/**
 * A cheap upper-leaning guess of prompt tokens for admission (about 4 bytes per token, plus a few per message
 * for the chat format). Admission only needs the order of magnitude: the real usage corrects the count after.
 */
export function estimateTokens(texts: readonly string[]): number {
  let total = 3;
  for (const text of texts) total += 4 + Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
  return total;
}
