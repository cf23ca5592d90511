import { canonicalNumber, CARDINALS, FUNCTION_WORDS, foldPlural, ORDINALS } from '../embedding/lexicon';
import { normaliseText } from '../embedding/normalise-text';

/**
 * What the verification stage compares between a question and a semantic candidate. Tokens are kept
 * only as short hashes, so a stored signature does not hold the question's words in clear.
 */
export interface QuestionSignature {
  /** Format version; a signature of another version never verifies (the entry stays exact-only). */
  v: 1;
  /** Numbers (digits, number words, ordinals), canonical and sorted. */
  n: string[];
  /** How many negations ("not", "no", "never", "without", ...). */
  g: number;
  /** Named entities: capitalised or all-caps words, words mixing letters and digits. */
  e: string[];
  /** Key terms (content words, numbers, entities) in order of first appearance. */
  t: string[];
  /** Every word, for checking that the other side's entities appear. */
  w: string[];
  /** Question words that change what is asked (who, when, where, why, how). */
  q: string[];
  /** Whether the question is in the past tense (was, were, did, had). */
  p: boolean;
  /** Grammatical persons referred to: "1" (I, we), "2" (you), "12" or "". */
  r: string;
}

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'nowhere', 'neither', 'nor', 'without']);
const QUESTION_WORDS = new Set(['who', 'whom', 'whose', 'when', 'where', 'why', 'how']);
const PAST_MARKERS = new Set(['was', 'were', 'did', 'had']);
// Who a question is about: "how old are you" and "how old am I" look alike and are not.
const FIRST_PERSON = new Set(['i', 'me', 'my', 'mine', 'myself', 'we', 'us', 'our', 'ours']);
const SECOND_PERSON = new Set(['you', 'your', 'yours', 'yourself']);

// Longest question the signature describes in full; longer ones are exact-only by policy anyway.
const MAX_TOKENS = 512;

/** Describes a question for the verification stage; deterministic and cheap (microseconds). */
export function questionSignature(text: string): QuestionSignature {
  const prepared = text
    .normalize('NFKC')
    .replace(/%/g, ' percent ')
    .replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'");
  const numbers: string[] = [];
  const entities = new Set<string>();
  const terms: string[] = [];
  const seenTerms = new Set<string>();
  const words = new Set<string>();
  const questionWords = new Set<string>();
  const person = new Set<string>();
  let negations = 0;
  let past = false;

  const addTerm = (term: string) => {
    if (seenTerms.has(term) || terms.length >= MAX_TOKENS) return;
    seenTerms.add(term);
    terms.push(term);
  };

  let tokens = 0;
  for (const sentence of prepared.split(/(?<=[.!?;:])\s+|\n+/)) {
    let position = 0;
    for (const match of sentence.matchAll(/[-+]?\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?|[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu)) {
      if (++tokens > MAX_TOKENS) break;
      const raw = match[0];
      const first = position++ === 0;
      // A sign glued to a word ("x-5") is a hyphen, not a minus.
      const signed = match.index === 0 || !/[\p{L}\p{N}]/u.test(sentence[match.index - 1]!);
      const number = canonicalNumber(raw, signed);
      if (number !== undefined) {
        numbers.push(number);
        words.add(number);
        addTerm(`#${number}`);
        continue;
      }
      for (const word of normaliseText(raw).split(' ')) {
        if (word === '') continue;
        words.add(word);
        if (NEGATIONS.has(word)) negations++;
        if (PAST_MARKERS.has(word)) past = true;
        if (QUESTION_WORDS.has(word)) questionWords.add(word === 'whom' ? 'who' : word);
        if (FIRST_PERSON.has(word)) person.add('1');
        if (SECOND_PERSON.has(word)) person.add('2');
        const spelled = CARDINALS.get(word) ?? ORDINALS.get(word);
        if (spelled !== undefined) {
          numbers.push(spelled);
          addTerm(`#${spelled}`);
          continue;
        }
        if (looksLikeEntity(raw, first)) entities.add(word);
        if (!FUNCTION_WORDS.has(word) && !NEGATIONS.has(word) && !PAST_MARKERS.has(word)) addTerm(foldPlural(word));
      }
    }
  }

  return {
    v: 1,
    n: numbers.map(hashToken).sort(),
    g: negations,
    e: [...entities].map(hashToken).sort(),
    t: terms.map(hashToken),
    w: [...words].map(hashToken).sort(),
    q: [...questionWords].sort(),
    p: past,
    r: [...person].sort().join(''),
  };
}

/** Proper nouns and acronyms: capitalised past a sentence's first word, ALL CAPS, or letters mixed with digits. */
function looksLikeEntity(raw: string, sentenceStart: boolean): boolean {
  if (raw === 'I' || raw.startsWith("I'")) return false;
  if (/\p{L}/u.test(raw) && /\p{N}/u.test(raw)) return true;
  const letters = raw.replace(/'.*$/, '');
  if (letters.length >= 2 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) return true;
  if (/.\p{Lu}/u.test(letters)) return true; // iPhone, McDonald, macOS-style inner capitals
  return !sentenceStart && /^\p{Lu}/u.test(letters);
}

/** 32-bit FNV-1a in base 36: enough to compare the few dozen tokens of two questions. */
function hashToken(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** Parses a stored signature; undefined when it is not one this version understands. */
export function parseSignature(json: string): QuestionSignature | undefined {
  try {
    const value = JSON.parse(json) as Partial<QuestionSignature>;
    const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
    if (value.v !== 1 || typeof value.g !== 'number' || typeof value.p !== 'boolean' || typeof value.r !== 'string') return undefined;
    if (![value.n, value.e, value.t, value.w, value.q].every(strings)) return undefined;
    return value as QuestionSignature;
  } catch {
    return undefined;
  }
}
