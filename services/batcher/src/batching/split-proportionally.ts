/**
 * Splits a whole number `total` into whole shares proportional to `weights` that add up to exactly `total`
 * (largest-remainder method; ties go to the earlier share). All-zero weights split evenly.
 */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const whole = Math.max(0, Math.round(total));
  const sum = weights.reduce((a, w) => a + Math.max(0, w), 0);
  const exact = weights.map((w) => (sum > 0 ? (whole * Math.max(0, w)) / sum : whole / weights.length));
  const shares = exact.map(Math.floor);
  let left = whole - shares.reduce((a, s) => a + s, 0);
  const byRemainder = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}
