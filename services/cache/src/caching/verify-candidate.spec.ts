import { parseSignature, questionSignature } from './question-signature';
import { questionText } from './question-text';
import { verifyCandidate, type VerificationMode } from './verify-candidate';

const verdict = (stored: string, asked: string, mode: VerificationMode = 'standard') =>
  verifyCandidate(questionSignature(asked), questionSignature(stored), mode);

describe('verifyCandidate', () => {
  it.each([
    ['What is the capital of France?', "what's the capital of france"],
    ['How do I merge two dictionaries?', 'How do I merge 2 dictionaries?'],
    ['Who was the 1st president of the United States?', 'Who was the first president of the United States?'],
    ['What is 1,000 times 3?', 'what is 1000 times 3'],
    ['Is 3.50 dollars enough?', 'is 3.5 dollars enough'],
    ['What is 10% of 250?', 'what is 10 percent of 250'],
    ["Why doesn't my code compile?", 'Why does my code not compile?'],
    ['HOW DO I RESET MY PASSWORD', 'how do i reset my password?'],
    ['How do I sort a list of strings?', 'How do I sort a list of string?'],
  ])('accepts the rewording "%s" / "%s" in strict mode', (stored, asked) => {
    expect(verdict(stored, asked, 'strict')).toEqual({ accepted: true });
  });

  it.each([
    ['How many days are in 2 weeks?', 'How many days are in 3 weeks?', 'numbers differ'],
    ['Give me two examples', 'Give me five examples', 'numbers differ'],
    ['What is the second largest planet?', 'What is the third largest planet?', 'numbers differ'],
    ['Subtract 7 from 10', 'Subtract -7 from 10', 'numbers differ'],
    ['I can log in', "I can't log in", 'negation differs'],
    ['Coffee with sugar', 'Coffee without sugar', 'negation differs'],
    ['What is the capital of France?', 'What is the capital of Germany?', 'entities differ'],
    ['Explain TCP congestion control', 'Explain UDP congestion control', 'entities differ'],
    ['Battery life of the iPhone 14', 'Battery life of the iPhone 15', 'numbers differ'],
    ['When was the tower built?', 'Why was the tower built?', 'question words differ'],
    ['Who is the president?', 'Who was the president?', 'tense differs'],
    ['How old are you?', 'How old am I?', 'person differs'],
    ['cheap flights from London to Paris', 'cheap flights from Paris to London', 'key term order differs'],
    ['Is a dolphin bigger than a shark?', 'Is a shark bigger than a dolphin?', 'key term order differs'],
  ])('refuses "%s" for "%s": %s', (stored, asked, reason) => {
    expect(verdict(stored, asked)).toEqual({ accepted: false, reason });
  });

  it('refuses a changed content word only in strict mode', () => {
    expect(verdict('How do I reset my password?', 'How do I reset my username?', 'standard')).toEqual({ accepted: true });
    expect(verdict('How do I reset my password?', 'How do I reset my username?', 'strict')).toEqual({
      accepted: false,
      reason: 'content words differ',
    });
  });

  it('accepts anything when off, and refuses a candidate without a usable signature otherwise', () => {
    expect(verdict('What is 2+2?', 'What is 3+3?', 'off')).toEqual({ accepted: true });
    expect(verifyCandidate(questionSignature('a'), undefined, 'standard')).toEqual({ accepted: false, reason: 'no signature' });
  });
});

describe('questionSignature', () => {
  it('keeps words only as hashes', () => {
    const json = JSON.stringify(questionSignature('What is the capital of France?'));
    expect(json).not.toMatch(/capital|france/i);
  });

  it('round-trips through JSON and refuses other versions or shapes', () => {
    const signature = questionSignature('How many moons does Jupiter have?');
    expect(parseSignature(JSON.stringify(signature))).toEqual(signature);
    expect(parseSignature(JSON.stringify({ ...signature, v: 2 }))).toBeUndefined();
    expect(parseSignature('{"v":1}')).toBeUndefined();
    expect(parseSignature('not json')).toBeUndefined();
  });

  it('treats a word like "constructor" as a word, not an Object.prototype member', () => {
    expect(questionSignature('what is a constructor').n).toEqual([]);
  });
});

describe('questionText', () => {
  it.each([
    ['Can you explain recursion?', 'explain recursion?'],
    ['Hi, quick question: what is a black hole?', 'what is a black hole?'],
    ['Please tell me the capital of France', 'the capital of France'],
    ['Could you please tell me what Docker is?', 'what Docker is?'],
    ['I want to know what the tallest mountain is', 'what the tallest mountain is'],
    ['List the planets please', 'List the planets'],
    ['What is the capital of France?', 'What is the capital of France?'],
    ['Please', 'Please'],
  ])('reads "%s" as "%s"', (message, question) => {
    expect(questionText(message)).toBe(question);
  });
});
