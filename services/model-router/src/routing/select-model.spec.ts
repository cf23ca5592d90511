import { FailedPrecondition, InvalidArgument } from '@switchyard/service-kit/errors';
import { countChatTokens } from '@switchyard/tokens';
import { defaultCatalog } from '../catalog/default-catalog';
import type { ModelEntry } from '../catalog/model-entry';
import type { RouteRequest } from './route-request';
import { selectModel } from './select-model';

function request(overrides: Partial<RouteRequest> = {}): RouteRequest {
  return {
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
    requireReasoning: false,
    maxLatencyMs: 0,
    maxTokens: 0,
    tenant: 'acme',
    ...overrides,
  };
}

function ask(content: string, overrides: Partial<RouteRequest> = {}): RouteRequest {
  return request({ messages: [{ role: 'user', content }], ...overrides });
}

function model(name: string, extra: Partial<ModelEntry> = {}): ModelEntry {
  return {
    name,
    tier: 'standard',
    costPer1kInput: 0.001,
    costPer1kOutput: 0.002,
    latencyMs: 500,
    quality: 0.9,
    contextWindow: 128_000,
    capabilities: [],
    ...extra,
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

// Filler free of the complexity keywords, so only the ones a test adds are counted.
const filler = (chars: number) =>
  'the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(chars / 45)).slice(0, chars);

describe('selectModel with the default catalog', () => {
  it('sends a short simple question to the simple tier and says the complexity rule decided', () => {
    const decision = selectModel(request(), defaultCatalog);
    const text = 'What is the capital of France?';
    expect(decision).toMatchObject({ model: 'gpt-4o-mini', tier: 'simple' });
    expect(decision.complexity).toBeCloseTo((text.length / 5000 + 0 + 0.2) / 3, 10);
    expect(decision.reason).toBe('complexity 0.07 → simple tier: chose gpt-4o-mini (cheapest in tier)');
  });

  it('reports the estimated input tokens of the whole chat', () => {
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hello' },
    ];
    expect(selectModel(request({ messages }), defaultCatalog).estimatedInputTokens).toBe(countChatTokens(messages));
  });

  it('sends a 3000-character prompt with four keywords to the standard tier, as the formula says', () => {
    const text = `Please analyze, compare, design and optimize this. ${filler(3000)}`.slice(0, 3000);
    const expected = (Math.min(3000 / 5000, 1) + Math.min(4 / 3, 1) + 0.2) / 3; // 0.6
    const decision = selectModel(ask(text), defaultCatalog);
    expect(decision.complexity).toBeCloseTo(expected, 10);
    expect(decision).toMatchObject({ model: 'gpt-4o', tier: 'standard' });
    expect(decision.reason).toContain('complexity 0.60 → standard tier');
  });

  it('sends a 6000-character prompt with three keywords to the reasoning tier, as the formula says', () => {
    const text = `Debug this, then design and optimize a fix. ${filler(6000)}`;
    const expected = (Math.min(text.length / 5000, 1) + Math.min(3 / 3, 1) + 0.2) / 3; // 0.733
    const decision = selectModel(ask(text), defaultCatalog);
    expect(decision.complexity).toBeCloseTo(expected, 10);
    expect(decision).toMatchObject({ model: 'o1-preview', tier: 'reasoning' });
    expect(decision.reason).toContain('complexity 0.73 → reasoning tier');
  });

  it('scores only what the user wrote, not the system prompt', () => {
    const decision = selectModel(
      request({
        messages: [
          { role: 'system', content: 'You analyze, compare, design and optimize. '.repeat(100) },
          { role: 'user', content: 'hi' },
        ],
      }),
      defaultCatalog,
    );
    expect(decision.complexity).toBeCloseTo((2 / 5000 + 0 + 0.2) / 3, 10);
    expect(decision.model).toBe('gpt-4o-mini');
  });

  it('honours an explicit model over every other rule and says it was requested', () => {
    const pinned = request({ model: 'gpt-4o', requireReasoning: true, maxLatencyMs: 100 });
    const decision = selectModel(pinned, defaultCatalog);
    expect(decision).toMatchObject({ model: 'gpt-4o', tier: 'standard', fallbacks: [] });
    expect(decision.reason).toBe('requested: "gpt-4o" was asked for by the caller');
  });

  it('rejects an unknown explicit model on the model field, listing the known chat models', () => {
    const err = thrown(() => selectModel(request({ model: 'gpt-5-ultra' }), defaultCatalog));
    expect(err).toBeInstanceOf(InvalidArgument);
    expect(err).toMatchObject({ field: 'model' });
    expect((err as Error).message).toBe('model: unknown model "gpt-5-ultra"; known: gpt-4o-mini, gpt-4o, o1-preview');
  });

  it('rejects an embedding model requested for chat', () => {
    const err = thrown(() => selectModel(request({ model: 'text-embedding-3-small' }), defaultCatalog));
    expect(err).toMatchObject({ field: 'model' });
    expect((err as Error).message).toContain('is an embedding model');
    expect((err as Error).message).toContain('known: gpt-4o-mini, gpt-4o, o1-preview');
  });

  it('chooses o1-preview for require_reasoning even for a trivial prompt', () => {
    const decision = selectModel(request({ requireReasoning: true }), defaultCatalog);
    expect(decision).toMatchObject({ model: 'o1-preview', tier: 'reasoning', fallbacks: [] });
    expect(decision.reason).toBe('require_reasoning: chose o1-preview (reasoning tier)');
  });

  it('lets require_reasoning win over a latency budget no reasoning model meets, and says so', () => {
    const decision = selectModel(request({ requireReasoning: true, maxLatencyMs: 250 }), defaultCatalog);
    expect(decision.model).toBe('o1-preview');
    expect(decision.reason).toContain('no reasoning model meets max_latency_ms 250');
  });

  it('chooses gpt-4o-mini under max_latency_ms 250 even for a complex prompt', () => {
    const complex = ask(`Debug, design and optimize. ${filler(6000)}`, { maxLatencyMs: 250 });
    const decision = selectModel(complex, defaultCatalog);
    expect(decision).toMatchObject({ model: 'gpt-4o-mini', fallbacks: [] });
    expect(decision.reason).toBe('max_latency_ms 250: chose gpt-4o-mini, the only model within 250 ms typical latency');
  });

  it('chooses the fastest model when none meets the latency budget, and says so', () => {
    const decision = selectModel(request({ maxLatencyMs: 50 }), defaultCatalog);
    expect(decision.model).toBe('gpt-4o-mini');
    expect(decision.reason).toBe(
      'max_latency_ms 50: no model is that fast; chose the fastest, gpt-4o-mini (200 ms typical)',
    );
  });

  it('applies complexity among the models a latency budget leaves', () => {
    const complex = ask(`Debug, design and optimize. ${filler(6000)}`, { maxLatencyMs: 600 });
    const decision = selectModel(complex, defaultCatalog);
    // Reasoning tier is out of budget and nothing within it ranks as high, so the best remaining model wins.
    expect(decision).toMatchObject({ model: 'gpt-4o', fallbacks: ['gpt-4o-mini'] });
    expect(decision.reason).toMatch(/^max_latency_ms 600 left gpt-4o-mini, gpt-4o; complexity 0\.73 → reasoning tier/);
  });

  it('orders fallbacks by quality, never listing the chosen or embedding models', () => {
    expect(selectModel(request(), defaultCatalog).fallbacks).toEqual(['o1-preview', 'gpt-4o']);
  });
});

describe('selectModel with context limits', () => {
  const catalog: ModelEntry[] = [
    model('small', { tier: 'simple', quality: 0.85, contextWindow: 2_000, costPer1kInput: 0.0001 }),
    model('medium', { tier: 'standard', quality: 0.95, contextWindow: 16_000 }),
    model('large', { tier: 'reasoning', quality: 0.98, contextWindow: 64_000, capabilities: ['reasoning'] }),
  ];

  it('excludes models whose window cannot hold prompt plus max_tokens, from the choice and the fallbacks', () => {
    const decision = selectModel(request({ maxTokens: 5_000 }), catalog);
    expect(decision.model).toBe('medium');
    expect(decision.fallbacks).toEqual(['large']);
    expect(decision.reason).toBe(
      'complexity 0.07 → simple tier has no eligible model; chose medium, the nearest higher-quality model; ' +
        'excluded as too small for the prompt: small',
    );
  });

  it('reserves defaultMaxOutputTokens when max_tokens is 0', () => {
    const tokens = countChatTokens(request().messages);
    const tight = [
      model('tight', { tier: 'simple', contextWindow: tokens + 100 }),
      model('roomy', { tier: 'simple', quality: 0.5 }),
    ];
    expect(selectModel(request(), tight, { defaultMaxOutputTokens: 100 }).model).toBe('tight');
    expect(selectModel(request(), tight, { defaultMaxOutputTokens: 101 }).model).toBe('roomy');
  });

  it('fails on messages with the prompt size and largest window when no model fits', () => {
    const messages = [{ role: 'user', content: filler(400_000) }];
    const tokens = countChatTokens(messages);
    expect(tokens).toBeGreaterThan(64_000);
    const err = thrown(() => selectModel(request({ messages, maxTokens: 10 }), catalog));
    expect(err).toBeInstanceOf(InvalidArgument);
    expect(err).toMatchObject({ field: 'messages' });
    expect((err as Error).message).toContain(
      `prompt of ${tokens} tokens (+10 reserved for output) exceeds every model's context window (largest: 64000)`,
    );
  });

  it('fails on messages when an explicit model is too small for the prompt', () => {
    const err = thrown(() => selectModel(request({ model: 'small', maxTokens: 5_000 }), catalog));
    expect(err).toMatchObject({ field: 'messages' });
    expect((err as Error).message).toContain('exceeds the context window of "small" (2000 tokens)');
  });

  it('fails on messages when require_reasoning is set but no reasoning model fits', () => {
    const messages = [{ role: 'user', content: filler(40_000) }];
    const tokens = countChatTokens(messages);
    const tooSmallForReasoning = [
      model('long', { contextWindow: 200_000 }),
      model('r', { contextWindow: tokens, capabilities: ['reasoning'] }),
    ];
    const err = thrown(() => selectModel(request({ messages, requireReasoning: true }), tooSmallForReasoning));
    expect(err).toMatchObject({ field: 'messages' });
    expect((err as Error).message).toContain(`every reasoning model (largest: ${tokens})`);
  });
});

describe('selectModel tie-breaks and configuration', () => {
  it('picks the highest-quality reasoning model, then the cheaper of equals', () => {
    const catalog = [
      model('deep', { quality: 0.97, capabilities: ['reasoning'] }),
      model('deep-pricey', { quality: 0.99, capabilities: ['reasoning'], costPer1kInput: 0.1 }),
      model('deep-cheap', { quality: 0.99, capabilities: ['reasoning'], costPer1kInput: 0.01 }),
      model('plain', { quality: 1 }),
    ];
    const decision = selectModel(request({ requireReasoning: true }), catalog);
    expect(decision.model).toBe('deep-cheap');
    expect(decision.fallbacks).toEqual(['deep-pricey', 'deep']);
  });

  it('orders fallbacks of equal quality by cost for this request', () => {
    const catalog = [
      model('chosen', { tier: 'simple', quality: 0.5 }),
      model('dear', { quality: 0.9, costPer1kOutput: 0.5 }),
      model('cheap', { quality: 0.9, costPer1kOutput: 0.01 }),
      model('best', { quality: 0.99 }),
    ];
    expect(selectModel(request(), catalog).fallbacks).toEqual(['best', 'cheap', 'dear']);
  });

  it('picks the cheapest model within the target tier', () => {
    const catalog = [
      model('mini-a', { tier: 'simple', costPer1kInput: 0.002 }),
      model('mini-b', { tier: 'simple', costPer1kInput: 0.001 }),
    ];
    expect(selectModel(request(), catalog).model).toBe('mini-b');
  });

  it('moves the tier boundaries when thresholds are configured', () => {
    expect(selectModel(request(), defaultCatalog, { simpleBelow: 0.05 }).model).toBe('gpt-4o');
  });

  it('fails with FailedPrecondition when require_reasoning meets a catalog without reasoning models', () => {
    const err = thrown(() => selectModel(request({ requireReasoning: true }), [model('plain')]));
    expect(err).toBeInstanceOf(FailedPrecondition);
  });
});

describe('selectModel request validation', () => {
  it.each([
    [{ messages: [] }, 'messages'],
    [{ messages: [{ role: '', content: 'x' }] }, 'messages[0].role'],
    [{ maxTokens: -1 }, 'max_tokens'],
    [{ maxLatencyMs: 1.5 }, 'max_latency_ms'],
  ] as const)('rejects %j on field %s', (overrides, field) => {
    const err = thrown(() => selectModel(request(overrides as Partial<RouteRequest>), defaultCatalog));
    expect(err).toBeInstanceOf(InvalidArgument);
    expect(err).toMatchObject({ field });
  });
});
