// Small English word lists shared by the local embedder and the verification stage, so both read a
// question the same way. Deliberately short: every word here is one whose change never changes what
// a question asks. Words that flip meaning (on/off, in/out, up/down, not, from/to) are NOT function words.

/** Articles, auxiliaries, pronouns, politeness and filler. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the this that these those is are am be been being do does doing have has having it its ' +
    'i me my mine myself you your yours yourself we us our ours they them their theirs he him his she her hers ' +
    'of for with about as at by into through during just also really please kindly tell know ' +
    'what which there here some any so then can could would will may might shall hey hi hello thanks thank ' +
    'quick question wondering exactly actually basically simply'
  ).split(' '),
);

/** Spelled-out numbers, as the digits they stand for (multipliers prefixed with x). */
const CARDINAL_TABLE: Readonly<Record<string, string>> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16',
  seventeen: '17', eighteen: '18', nineteen: '19', twenty: '20', thirty: '30', forty: '40', fifty: '50',
  sixty: '60', seventy: '70', eighty: '80', ninety: '90', hundred: '100', thousand: '1000', million: '1000000',
  billion: '1000000000', dozen: '12', half: '0.5', twice: 'x2', double: 'x2', triple: 'x3', once: 'x1',
};

/** Ordinals, as o<n> so "2nd" and "second" agree and neither equals the cardinal 2. */
const ORDINAL_TABLE: Readonly<Record<string, string>> = {
  first: 'o1', second: 'o2', third: 'o3', fourth: 'o4', fifth: 'o5', sixth: 'o6', seventh: 'o7', eighth: 'o8',
  ninth: 'o9', tenth: 'o10', last: 'olast',
};

// Maps, not the objects: a word like "constructor" must not find Object.prototype's members.
export const CARDINALS: ReadonlyMap<string, string> = new Map(Object.entries(CARDINAL_TABLE));
export const ORDINALS: ReadonlyMap<string, string> = new Map(Object.entries(ORDINAL_TABLE));

/** Plural folding only: "passwords" = "password", "queries" = "query"; anything bolder changes meanings. */
export function foldPlural(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is|ous)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * A number written in digits, canonical: "1,000" = "1000", "3.50" = "3.5", "2nd" = "o2"; undefined for
 * anything else. `signed` says whether a leading minus is a sign (not a hyphen glued to a word).
 */
export function canonicalNumber(token: string, signed = true): string | undefined {
  const match = /^([-+]?)(\d[\d,]*(?:\.\d+)?)(st|nd|rd|th)?$/.exec(token);
  if (!match) return undefined;
  let digits = match[2]!;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(digits)) digits = digits.replace(/,/g, '');
  const parsed = digits.includes(',') ? digits : String(Number(digits));
  const value = parsed === 'NaN' ? digits : parsed;
  if (match[3]) return `o${value}`;
  return signed && match[1] === '-' ? `-${value}` : value;
}

/** A word as a number ("two" -> "2", "second" -> "o2", "12" -> "12"), or undefined. */
export function numberOfWord(word: string): string | undefined {
  return CARDINALS.get(word) ?? ORDINALS.get(word) ?? canonicalNumber(word, false);
}
