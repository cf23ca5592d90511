import { seededRandom } from '@switchyard/service-kit/seeded-random';
import { stableHash } from './stable-hash';

export const DEFAULT_EMBEDDING_DIMENSIONS = 1536;
export const MAX_EMBEDDING_DIMENSIONS = 3072;

// Each word touches this many signed positions (feature hashing), so shared words give shared direction.
const POSITIONS_PER_WORD = 16;
// Weight of the word part against the part seeded by the whole text. The whole-text part keeps different texts
// with the same words apart (cosine about 0.98) and gives texts without words a direction at all.
const WORD_WEIGHT = 0.99;
const TEXT_WEIGHT = Math.sqrt(1 - WORD_WEIGHT * WORD_WEIGHT);

/**
 * A deterministic unit vector for `text`: the same text always gives the same vector, texts sharing many words
 * point in similar directions (lexical overlap, not meaning). Values are float32, as OpenAI returns them.
 */
export function simulateEmbedding(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_EMBEDDING_DIMENSIONS) {
    throw new RangeError(`dimensions must be an integer in 1..${MAX_EMBEDDING_DIMENSIONS}`);
  }
  const words = new Float64Array(dimensions);
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    const random = seededRandom(stableHash(word, 0x5eed));
    for (let j = 0; j < POSITIONS_PER_WORD; j++) {
      const index = Math.floor(random() * dimensions);
      words[index] += random() < 0.5 ? -1 : 1;
    }
  }
  const whole = new Float64Array(dimensions);
  const random = seededRandom(stableHash(text));
  for (let i = 0; i < dimensions; i++) whole[i] = random() * 2 - 1;

  normalise(words);
  normalise(whole);
  const mixed = new Float64Array(dimensions);
  for (let i = 0; i < dimensions; i++) mixed[i] = WORD_WEIGHT * words[i] + TEXT_WEIGHT * whole[i];
  normalise(mixed);
  return Array.from(mixed, (v) => Math.fround(v));
}

/** Float32 little-endian bytes in base64, OpenAI's `encoding_format: "base64"`. */
export function encodeEmbeddingBase64(vector: readonly number[]): string {
  const bytes = Buffer.from(new Float32Array(vector).buffer);
  return bytes.toString('base64');
}

function normalise(v: Float64Array): void {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum === 0) return;
  const norm = Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
}
