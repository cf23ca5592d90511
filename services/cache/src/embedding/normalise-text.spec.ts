import { normaliseText } from './normalise-text';

describe('normaliseText', () => {
  it('lowercases, strips punctuation and collapses whitespace', () => {
    expect(normaliseText('  What is   the Capital,\tof FRANCE?!  ')).toBe('what is the capital of france');
  });

  it.each([
    ["what's", 'what is'],
    ["it's", 'it is'],
    ["don't", 'do not'],
    ["doesn't", 'does not'],
    ["can't", 'can not'],
    ['cannot', 'can not'],
    ["won't", 'will not'],
    ["I'm", 'i am'],
    ["you're", 'you are'],
    ["they've", 'they have'],
    ["we'll", 'we will'],
    ["I'd", 'i would'],
    ["let's", 'let us'],
    ["isn't", 'is not'],
  ])('expands the contraction %s to "%s"', (contraction, expansion) => {
    expect(normaliseText(contraction)).toBe(expansion);
  });

  it('treats typographic apostrophes like straight ones', () => {
    expect(normaliseText('What\u2019s up? I don\u2019t know')).toBe('what is up i do not know');
  });

  it('drops a possessive s instead of reading it as "is"', () => {
    expect(normaliseText("France's capital")).toBe('france capital');
  });

  it('keeps letters and digits from other scripts', () => {
    expect(normaliseText('Größe von 3 Äpfeln?')).toBe('größe von 3 äpfeln');
  });

  it('normalises punctuation-only text to the empty string', () => {
    expect(normaliseText(' ?! ... ')).toBe('');
  });
});
