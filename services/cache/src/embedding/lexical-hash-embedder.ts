import type { Embedder } from './embedder';
import { foldPlural, FUNCTION_WORDS, numberOfWord } from './lexicon';
import { normaliseText } from './normalise-text';
import { toUnitVector } from './unit-vector';

export interface LexicalHashEmbedderOptions {
  /** Length of the vectors; 384 keeps hash collisions rare for question-sized texts. */
  dimensions?: number;
}

// How much each feature family counts. Words and word pairs decide meaning (one changed entity must
// drop below a 0.95 threshold); character n-grams only soften typos and inflections.
const WORD_WEIGHT = 1;
const WORD_PAIR_WEIGHT = 0.8;
const CHAR_NGRAM_WEIGHT = 0.35;
const CHAR_NGRAM_SIZES = [3, 4, 5] as const;
// Articles, auxiliaries and politeness count this much of a content word: "how do I X" and "how can I X"
// should stay close, while a changed content word still moves the vector far.
const FUNCTION_WORD_WEIGHT = 0.3;

/**
 * An OFFLINE DEVELOPMENT embedder, not a language model: it hashes words, adjacent word pairs and
 * character 3-5-grams of the normalised text into a fixed-size vector (signed feature hashing), then
 * L2-normalises it. Numbers are canonical ("two" = "2"), plurals are folded and function words weigh
 * less, so it recognises rewordings that differ in case, punctuation, contractions, number spelling,
 * plurals and filler; it knows no synonyms, and a one-word change in a long text still scores high
 * (the verification stage catches those). Use the upstream embedder where real semantic matching matters.
 */
export class LexicalHashEmbedder implements Embedder {
  readonly dimensions: number;
  readonly name: string;

  constructor(options: LexicalHashEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(dimensions) || dimensions < 16) {
      throw new RangeError(`LexicalHashEmbedder dimensions must be an integer >= 16, got ${dimensions}`);
    }
    this.dimensions = dimensions;
    // The version names the vector space: vectors of another version are never compared (canonical-key.ts).
    this.name = `lexical-hash-v2-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): Float32Array {
    const words = normaliseText(text)
      .split(' ')
      .filter((word) => word.length > 0)
      .map((word) => numberOfWord(word) ?? foldPlural(word));
    const weights = words.map((word) => (FUNCTION_WORDS.has(word) ? FUNCTION_WORD_WEIGHT : 1));
    const wordFeatures = new Float64Array(this.dimensions);
    const pairFeatures = new Float64Array(this.dimensions);
    const charFeatures = new Float64Array(this.dimensions);

    for (let i = 0; i < words.length; i++) {
      const weight = weights[i]!;
      this.addFeature(wordFeatures, `w:${words[i]}`, weight);
      if (i + 1 < words.length) this.addFeature(pairFeatures, `p:${words[i]} ${words[i + 1]}`, Math.min(weight, weights[i + 1]!));
      const padded = `<${words[i]}>`;
      for (const size of CHAR_NGRAM_SIZES) {
        for (let start = 0; start + size <= padded.length; start++) {
          this.addFeature(charFeatures, `c:${padded.slice(start, start + size)}`, weight);
        }
      }
    }

    // Each family is normalised on its own first, so their balance does not drift with text length.
    const combined = new Float64Array(this.dimensions);
    const families: Array<readonly [Float64Array, number]> = [
      [wordFeatures, WORD_WEIGHT],
      [pairFeatures, WORD_PAIR_WEIGHT],
      [charFeatures, CHAR_NGRAM_WEIGHT],
    ];
    for (const [features, familyWeight] of families) {
      const unit = toUnitVector(features);
      for (let i = 0; i < this.dimensions; i++) combined[i] += familyWeight * unit[i];
    }
    return toUnitVector(combined);
  }

  private addFeature(vector: Float64Array, feature: string, weight: number): void {
    const hash = fnv1a32(feature);
    const index = mix32(hash) % this.dimensions;
    // The sign comes from an independent mix so colliding features cancel on average instead of piling up.
    const sign = mix32(hash ^ 0x9e3779b9) & 1 ? 1 : -1;
    vector[index] += sign * weight;
  }
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// MurmurHash3's finaliser: spreads FNV's weak low bits before the modulo.
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
