import { countTextTokens } from '@switchyard/tokens';
import { MAX_ANSWER_WORDS, MIN_ANSWER_WORDS, simulateAnswer, truncateToTokens } from './simulated-answer';
import { splitIntoStreamChunks } from './stream-chunks';

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is the capital of France?' },
];

describe('simulateAnswer', () => {
  it('gives the same answer for the same model and messages', () => {
    const a = simulateAnswer({ region: 'eastus', model: 'gpt-4o-mini', messages });
    const b = simulateAnswer({ region: 'eastus', model: 'gpt-4o-mini', messages: messages.map((m) => ({ ...m })) });
    expect(b).toEqual(a);
  });

  it('labels the answer with region and model so nobody mistakes it for a model output', () => {
    const { content } = simulateAnswer({ region: 'westeurope', model: 'gpt-4o', messages });
    expect(content.startsWith('Simulated answer from westeurope (gpt-4o): ')).toBe(true);
  });

  it('gives a different answer for a different prompt or model', () => {
    const base = simulateAnswer({ region: 'r', model: 'gpt-4o-mini', messages }).content;
    const otherPrompt = simulateAnswer({ region: 'r', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Other?' }] });
    const otherModel = simulateAnswer({ region: 'r', model: 'gpt-4o', messages }).content;
    expect(otherPrompt.content).not.toBe(base);
    expect(otherModel.replace('gpt-4o)', '')).not.toBe(base.replace('gpt-4o-mini)', ''));
  });

  it('varies the length with the prompt, within the configured word range', () => {
    const lengths = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const { content } = simulateAnswer({ region: 'r', model: 'm', messages: [{ role: 'user', content: `question ${i}` }] });
      const words = content.slice(content.indexOf(': ') + 2).split(' ').length;
      expect(words).toBeGreaterThanOrEqual(MIN_ANSWER_WORDS);
      expect(words).toBeLessThanOrEqual(MAX_ANSWER_WORDS);
      lengths.add(words);
    }
    expect(lengths.size).toBeGreaterThan(10);
  });

  it('reports finish_reason stop and the exact token count when the answer fits', () => {
    const answer = simulateAnswer({ region: 'r', model: 'm', messages });
    expect(answer.finishReason).toBe('stop');
    expect(answer.completionTokens).toBe(countTextTokens(answer.content));
  });

  it('truncates to max tokens and reports finish_reason length', () => {
    const full = simulateAnswer({ region: 'r', model: 'm', messages });
    const cut = simulateAnswer({ region: 'r', model: 'm', messages, maxTokens: 10 });
    expect(cut.finishReason).toBe('length');
    expect(cut.completionTokens).toBeLessThanOrEqual(10);
    expect(cut.completionTokens).toBeGreaterThanOrEqual(8);
    expect(full.content.startsWith(cut.content)).toBe(true);
  });

  it('still answers something with max tokens of 1', () => {
    const cut = simulateAnswer({ region: 'r', model: 'm', messages, maxTokens: 1 });
    expect(cut.completionTokens).toBe(1);
    expect(cut.content.length).toBeGreaterThan(0);
  });
});

describe('truncateToTokens', () => {
  it('returns text that already fits unchanged', () => {
    expect(truncateToTokens('hello world', 5)).toBe('hello world');
  });
});

describe('splitIntoStreamChunks', () => {
  it('splits into words whose concatenation is the original text', () => {
    const text = 'Simulated answer from r (m): lorem  ipsum.';
    const chunks = splitIntoStreamChunks(text);
    expect(chunks.join('')).toBe(text);
    expect(chunks[0]).toBe('Simulated');
    expect(chunks[1]).toBe(' answer');
  });

  it('gives no chunks for empty text', () => {
    expect(splitIntoStreamChunks('')).toEqual([]);
  });
});
