import { InvalidArgument } from '@switchyard/service-kit/errors';
import { priorityOf, validateComplete, validateEmbed, type CompleteInput } from './validate-request';

const limits = { maxMessages: 4, maxEmbedInputs: 2 };
const base: CompleteInput = {
  messages: [{ role: 'user', content: 'hi' }],
  priority: 0,
  model: '',
  userRegion: 'eastus',
  requireReasoning: false,
  maxLatencyMs: 0,
  temperature: 0,
  maxTokens: 0,
  cacheSimilarityThreshold: 0,
  cacheBypass: false,
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgument) return err.field;
    throw err;
  }
  throw new Error('expected InvalidArgument');
}

describe('request validation', () => {
  it('treats PRIORITY_UNSPECIFIED as NORMAL and keeps explicit priorities', () => {
    expect(validateComplete(base, limits).priority).toBe(3);
    expect(priorityOf(1)).toBe(1);
    expect(priorityOf(5)).toBe(5);
  });

  it('names the offending field', () => {
    expect(fieldOf(() => validateComplete({ ...base, messages: [] }, limits))).toBe('messages');
    expect(fieldOf(() => validateComplete({ ...base, messages: Array(5).fill({ role: 'user', content: 'x' }) }, limits))).toBe('messages');
    expect(fieldOf(() => validateComplete({ ...base, messages: [{ role: 'robot', content: 'x' }] }, limits))).toBe('messages[0].role');
    expect(fieldOf(() => validateComplete({ ...base, messages: [{ role: 'system', content: 'x' }] }, limits))).toBe('messages');
    expect(fieldOf(() => validateComplete({ ...base, temperature: 3 }, limits))).toBe('temperature');
    expect(fieldOf(() => validateComplete({ ...base, maxTokens: 10_000_000 }, limits))).toBe('max_tokens');
    expect(fieldOf(() => validateComplete({ ...base, cacheSimilarityThreshold: 1.5 }, limits))).toBe('cache_similarity_threshold');
    expect(fieldOf(() => validateComplete({ ...base, priority: 9 }, limits))).toBe('priority');
    expect(fieldOf(() => validateComplete({ ...base, userRegion: 'East US!' }, limits))).toBe('user_region');
  });

  it('validates embedding inputs', () => {
    const embed = { inputs: ['a'], model: '', priority: 2, userRegion: '' };
    expect(validateEmbed(embed, limits).priority).toBe(2);
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: [] }, limits))).toBe('inputs');
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: ['a', 'b', 'c'] }, limits))).toBe('inputs');
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: ['a', ' '] }, limits))).toBe('inputs[1]');
  });
});
