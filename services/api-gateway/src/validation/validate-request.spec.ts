import { InvalidArgument } from '@switchyard/service-kit/errors';
import { priorityOf, validateComplete, validateEmbed, type CompleteInput, type RequestLimits } from './validate-request';

const limits: RequestLimits = { maxMessages: 4, maxEmbedInputs: 2, maxMessageBytes: 100, maxRequestBytes: 250, maxOutputTokens: 1000 };
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
  cacheNoStore: false,
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
    expect(fieldOf(() => validateComplete({ ...base, messages: [{ role: 'tool', content: 'x' }] }, limits))).toBe('messages[0].role');
    expect(fieldOf(() => validateComplete({ ...base, messages: [{ role: 'system', content: 'x' }] }, limits))).toBe('messages');
    expect(fieldOf(() => validateComplete({ ...base, temperature: 3 }, limits))).toBe('temperature');
    expect(fieldOf(() => validateComplete({ ...base, temperature: NaN }, limits))).toBe('temperature');
    expect(fieldOf(() => validateComplete({ ...base, maxTokens: 1001 }, limits))).toBe('max_tokens');
    expect(fieldOf(() => validateComplete({ ...base, maxLatencyMs: -1 }, limits))).toBe('max_latency_ms');
    expect(fieldOf(() => validateComplete({ ...base, cacheSimilarityThreshold: 1.5 }, limits))).toBe('cache_similarity_threshold');
    expect(fieldOf(() => validateComplete({ ...base, priority: 9 }, limits))).toBe('priority');
    expect(fieldOf(() => validateComplete({ ...base, userRegion: 'East US!' }, limits))).toBe('user_region');
    expect(fieldOf(() => validateComplete({ ...base, model: 'a model with spaces' }, limits))).toBe('model');
  });

  it('limits the size of each message and of all messages together', () => {
    const big = 'x'.repeat(101);
    expect(fieldOf(() => validateComplete({ ...base, messages: [{ role: 'user', content: big }] }, limits))).toBe('messages[0].content');
    // Bytes, not characters: 34 three-byte characters are 102 bytes.
    expect(fieldOf(() => validateComplete({ ...base, messages: [{ role: 'user', content: '€'.repeat(34) }] }, limits))).toBe('messages[0].content');
    const ninety = { role: 'user', content: 'y'.repeat(90) };
    expect(fieldOf(() => validateComplete({ ...base, messages: [ninety, ninety, ninety] }, limits))).toBe('messages');
    expect(validateComplete({ ...base, messages: [ninety, ninety] }, limits).messages).toHaveLength(2);
  });

  it('does not quote a long bad role back in full', () => {
    expect(() => validateComplete({ ...base, messages: [{ role: 'r'.repeat(1000), content: 'x' }] }, limits)).toThrow(/"r{32}\.\.\."/);
  });

  it('makes no-store imply skipping the lookup', () => {
    expect(validateComplete({ ...base, cacheNoStore: true }, limits).cacheBypass).toBe(true);
  });

  it('validates embedding inputs', () => {
    const embed = { inputs: ['a'], model: '', priority: 2, userRegion: '' };
    expect(validateEmbed(embed, limits).priority).toBe(2);
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: [] }, limits))).toBe('inputs');
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: ['a', 'b', 'c'] }, limits))).toBe('inputs');
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: ['a', ' '] }, limits))).toBe('inputs[1]');
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: ['z'.repeat(101)] }, limits))).toBe('inputs[0]');
    expect(fieldOf(() => validateEmbed({ ...embed, inputs: ['z'.repeat(100), 'z'.repeat(100), 'z'] }, { ...limits, maxEmbedInputs: 5, maxRequestBytes: 150 }))).toBe('inputs');
  });
});
