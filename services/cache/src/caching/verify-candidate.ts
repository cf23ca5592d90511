import type { QuestionSignature } from './question-signature';

/**
 * `standard`: numbers, negations, named entities, question words, tense, person and the order of shared key terms
 * must agree. `strict` (the default): also the same content words, so only rewordings of the same
 * question pass. `off`: similarity alone decides (not recommended; the vCache paper shows why).
 */
export type VerificationMode = 'strict' | 'standard' | 'off';

export type RejectionReason =
  | 'numbers differ'
  | 'negation differs'
  | 'entities differ'
  | 'question words differ'
  | 'tense differs'
  | 'person differs'
  | 'key term order differs'
  | 'content words differ'
  | 'no signature';

export type Verdict = { accepted: true } | { accepted: false; reason: RejectionReason };

const ACCEPTED: Verdict = { accepted: true };
const reject = (reason: RejectionReason): Verdict => ({ accepted: false, reason });

/**
 * The cheap second opinion on a semantic candidate: similar-looking questions that differ in a number,
 * a negation, one entity or the direction of a relation ("from A to B" / "from B to A") get different
 * answers, and embedding similarity alone cannot tell them apart.
 */
export function verifyCandidate(
  query: QuestionSignature,
  candidate: QuestionSignature | undefined,
  mode: VerificationMode,
): Verdict {
  if (mode === 'off') return ACCEPTED;
  if (!candidate) return reject('no signature');
  if (!sameList(query.n, candidate.n)) return reject('numbers differ');
  if (query.g !== candidate.g) return reject('negation differs');
  if (!containsAll(candidate.w, query.e) || !containsAll(query.w, candidate.e)) return reject('entities differ');
  if (!sameList(query.q, candidate.q)) return reject('question words differ');
  if (query.p !== candidate.p) return reject('tense differs');
  if (query.r !== candidate.r) return reject('person differs');
  if (!sameOrderOfShared(query.t, candidate.t)) return reject('key term order differs');
  if (mode === 'strict' && !sameSet(query.t, candidate.t)) return reject('content words differ');
  return ACCEPTED;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setA].every((x) => setB.has(x));
}

function containsAll(haystack: readonly string[], needles: readonly string[]): boolean {
  const set = new Set(haystack);
  return needles.every((needle) => set.has(needle));
}

/** The terms both sides use appear in the same order on both sides. */
function sameOrderOfShared(a: readonly string[], b: readonly string[]): boolean {
  const inB = new Set(b);
  const inA = new Set(a);
  const sharedA = a.filter((t) => inB.has(t));
  const sharedB = b.filter((t) => inA.has(t));
  return sameList(sharedA, sharedB);
}
