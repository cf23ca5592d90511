/** Scales a vector to length 1; a zero vector stays zero (it is similar to nothing). */
export function toUnitVector(values: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let i = 0; i < values.length; i++) sumOfSquares += values[i] * values[i];
  const unit = new Float32Array(values.length);
  if (sumOfSquares === 0 || !Number.isFinite(sumOfSquares)) return unit;
  const norm = Math.sqrt(sumOfSquares);
  for (let i = 0; i < values.length; i++) unit[i] = values[i] / norm;
  return unit;
}

/**
 * Cosine similarity of two unit vectors (their dot product), clamped to [-1, 1] because float32
 * rounding can land a hair outside. Vectors of different lengths are unrelated: similarity 0.
 */
export function cosineOfUnitVectors(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.max(-1, Math.min(1, dot));
}
