// Contractions whose expansion is not "stem + suffix rule".
const IRREGULAR_CONTRACTIONS: Readonly<Record<string, string>> = {
  "can't": 'can not',
  "won't": 'will not',
  "shan't": 'shall not',
  "ain't": 'is not',
  "let's": 'let us',
  "y'all": 'you all',
};

// "'s" means "is" only after these words; elsewhere it is a possessive and is dropped ("france's" -> "france").
const IS_CONTRACTION_STEMS = new Set([
  'it', 'that', 'what', 'who', 'where', 'when', 'why', 'how', 'there', 'here', 'he', 'she', 'this', 'which',
]);

const SUFFIX_EXPANSIONS: ReadonlyArray<readonly [suffix: string, expansion: string]> = [
  ["n't", ' not'],
  ["'re", ' are'],
  ["'ve", ' have'],
  ["'ll", ' will'],
  ["'m", ' am'],
  ["'d", ' would'],
];

function expandContraction(word: string): string {
  const irregular = IRREGULAR_CONTRACTIONS[word];
  if (irregular !== undefined) return irregular;
  for (const [suffix, expansion] of SUFFIX_EXPANSIONS) {
    if (word.endsWith(suffix)) return word.slice(0, -suffix.length) + expansion;
  }
  if (word.endsWith("'s")) {
    const stem = word.slice(0, -2);
    return IS_CONTRACTION_STEMS.has(stem) ? `${stem} is` : stem;
  }
  return word;
}

/**
 * Canonical form of a question for lexical comparison: lowercase, common English contractions expanded
 * ("what's" -> "what is", "can't" and "cannot" -> "can not"), punctuation removed, whitespace collapsed.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'")
    .replace(/[\p{L}\p{N}]+(?:'[\p{L}]+)+/gu, expandContraction)
    .replace(/\bcannot\b/g, 'can not')
    .replace(/'/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
