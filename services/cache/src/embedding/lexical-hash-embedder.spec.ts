import { LexicalHashEmbedder } from './lexical-hash-embedder';
import { cosineOfUnitVectors } from './unit-vector';

const embedder = new LexicalHashEmbedder();
const similarity = (a: string, b: string) => cosineOfUnitVectors(embedder.embedOne(a), embedder.embedOne(b));

describe('LexicalHashEmbedder', () => {
  it('produces unit vectors of the configured size and names its vector space', async () => {
    const [vector] = await new LexicalHashEmbedder({ dimensions: 128 }).embed(['hello world']);
    expect(vector).toHaveLength(128);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(new LexicalHashEmbedder({ dimensions: 128 }).name).toBe('lexical-hash-v2-128');
    expect(embedder.dimensions).toBe(384);
  });

  it('is deterministic across instances', async () => {
    const [a] = await new LexicalHashEmbedder().embed(['What is the capital of France?']);
    const [b] = await new LexicalHashEmbedder().embed(['What is the capital of France?']);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('embeds several texts in order', async () => {
    const vectors = await embedder.embed(['one question', 'another question']);
    expect(vectors).toHaveLength(2);
    expect(cosineOfUnitVectors(vectors[0], embedder.embedOne('one question'))).toBeCloseTo(1, 5);
  });

  it('maps text with no words to the zero vector, similar to nothing', () => {
    const empty = embedder.embedOne('?!');
    expect(Array.from(empty).every((x) => x === 0)).toBe(true);
    expect(cosineOfUnitVectors(empty, embedder.embedOne('anything'))).toBe(0);
  });

  it.each([
    ['What is the capital of France?', "what's the capital of france"],
    ["What's the weather like today?", 'What is the weather like today'],
    ["I can't log in to my account", 'I cannot log in to my account!'],
    ["Don't  forget the milk.", 'do not forget the milk'],
    ['HOW DO I RESET MY PASSWORD', 'how do i reset my password?'],
  ])('scores the rewording "%s" / "%s" at or above 0.95', (a, b) => {
    expect(similarity(a, b)).toBeGreaterThanOrEqual(0.95);
  });

  it.each([
    ['What is the capital of France?', 'What is the capital of Germany?'],
    ['What is the capital of France?', 'What is the population of France?'],
    ['What is the capital of France?', 'How do I bake sourdough bread?'],
    ['How do I reset my password?', 'How do I reset my username?'],
    ['I can log in to my account', "I can't log in to my account"],
    ['Explain TCP congestion control', 'Explain UDP congestion control'],
  ])('scores the different question "%s" / "%s" below 0.95', (a, b) => {
    expect(similarity(a, b)).toBeLessThan(0.95);
  });

  it('scores unrelated questions near zero', () => {
    expect(Math.abs(similarity('What is the capital of France?', 'How do I bake sourdough bread?'))).toBeLessThan(0.2);
  });

  it('rejects a dimension count too small for feature hashing', () => {
    expect(() => new LexicalHashEmbedder({ dimensions: 4 })).toThrow(RangeError);
  });
});
