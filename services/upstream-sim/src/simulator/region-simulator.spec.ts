import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import { ModelNotFound, RegionSimulator, type RegionSettings } from './region-simulator';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const settings = (overrides: Partial<RegionSettings> = {}): RegionSettings => ({
  region: 'eastus',
  models: ['gpt-4o-mini', 'text-embedding-3-small'],
  latencyPerTokenMs: 2,
  limits: { tokensPerMinute: 1_000_000, requestsPerMinute: 10_000 },
  faults: { errorRate: 0, errorStatus: 500, latencyMs: 50, throttle: false, throttleRate: 0, throttleRetryAfterMs: 1500, hangRate: 0 },
  seed: 1,
  ...overrides,
});

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] };

describe('RegionSimulator', () => {
  it('plans a completion with token counts and latency of base plus per-token time', () => {
    const clock = fakeClock();
    const sim = new RegionSimulator(settings(), clock);
    const decision = sim.planCompletion(chat);
    if (decision.outcome !== 'ok') throw new Error(`expected ok, got ${decision.outcome}`);
    const { plan } = decision;
    expect(plan.promptTokens).toBe(countChatTokens(chat.messages));
    expect(plan.completionTokens).toBe(countTextTokens(plan.content));
    expect(plan.firstTokenDelayMs).toBe(50);
    expect(plan.totalLatencyMs).toBe(50 + 2 * plan.completionTokens);
    expect(plan.created).toBe(1_700_000_000);
    expect(plan.content).toMatch(/^Simulated answer from eastus \(gpt-4o-mini\): /);
  });

  it('gives each completion its own id', () => {
    const sim = new RegionSimulator(settings(), fakeClock());
    const a = sim.planCompletion(chat);
    const b = sim.planCompletion(chat);
    if (a.outcome !== 'ok' || b.outcome !== 'ok') throw new Error('expected ok');
    expect(a.plan.id).not.toBe(b.plan.id);
    expect(a.plan.content).toBe(b.plan.content);
  });

  it('charges prompt plus completion tokens to the window and answers 429 once TPM is used up', () => {
    const first = new RegionSimulator(settings(), fakeClock()).planCompletion(chat);
    if (first.outcome !== 'ok') throw new Error('expected ok');
    const cost = first.plan.promptTokens + first.plan.completionTokens;
    const clock = fakeClock();
    const sim = new RegionSimulator(settings({ limits: { tokensPerMinute: cost * 2, requestsPerMinute: 100 } }), clock);
    expect(sim.planCompletion(chat).outcome).toBe('ok');
    clock.advance(1_000);
    expect(sim.planCompletion(chat).outcome).toBe('ok');
    const limited = sim.planCompletion(chat);
    expect(limited).toMatchObject({ outcome: 'rate-limited', limitedBy: 'tokens', retryAfterMs: 59_000 });
    expect(sim.stats()).toMatchObject({ requests: 3, rateLimited: 1, window: { tokens: cost * 2, requests: 2 } });
  });

  it('answers every request with 429 while throttled, with the configured retry-after', () => {
    const sim = new RegionSimulator(settings(), fakeClock());
    sim.updateFaults({ throttle: true });
    const decision = sim.planCompletion(chat);
    expect(decision).toMatchObject({ outcome: 'rate-limited', retryAfterMs: 1500 });
    expect(decision.rate.remainingRequests).toBe(0);
    expect(sim.stats().window.requests).toBe(0);
  });

  it('injects errors from the seeded PRNG without charging the window', () => {
    const sim = new RegionSimulator(settings({ faults: { ...settings().faults, errorRate: 1, errorStatus: 503 } }), fakeClock());
    expect(sim.planEmbedding({ model: 'text-embedding-3-small', inputs: ['x'] })).toMatchObject({ outcome: 'injected-error', status: 503 });
    expect(sim.stats()).toMatchObject({ injectedErrors: 1, window: { tokens: 0, requests: 0 } });
  });

  it('replays the same injected failures after reset', () => {
    const sim = new RegionSimulator(settings({ faults: { ...settings().faults, errorRate: 0.5 } }), fakeClock());
    const run = () => Array.from({ length: 30 }, () => sim.planCompletion(chat).outcome);
    const first = run();
    sim.reset();
    expect(run()).toEqual(first);
    expect(first).toContain('injected-error');
    expect(first).toContain('ok');
  });

  it('plans embeddings with one unit vector per input and summed token usage', () => {
    const sim = new RegionSimulator(settings(), fakeClock());
    const decision = sim.planEmbedding({ model: 'text-embedding-3-small', inputs: ['hello', 'hello world'], dimensions: 8 });
    if (decision.outcome !== 'ok') throw new Error('expected ok');
    expect(decision.plan.vectors).toHaveLength(2);
    expect(decision.plan.vectors[0]).toHaveLength(8);
    expect(decision.plan.promptTokens).toBe(countTextTokens('hello') + countTextTokens('hello world'));
    expect(decision.plan.latencyMs).toBe(50);
  });

  it('rejects models the region does not serve and models of the wrong kind', () => {
    const sim = new RegionSimulator(settings(), fakeClock());
    expect(() => sim.planCompletion({ ...chat, model: 'gpt-5' })).toThrow(ModelNotFound);
    expect(() => sim.planCompletion({ ...chat, model: 'text-embedding-3-small' })).toThrow(InvalidArgument);
    expect(() => sim.planEmbedding({ model: 'gpt-4o-mini', inputs: ['x'] })).toThrow(InvalidArgument);
    expect(sim.stats().requests).toBe(0);
  });

  it('uses the latency set at run time', () => {
    const sim = new RegionSimulator(settings(), fakeClock());
    sim.updateFaults({ latencyMs: 700 });
    const decision = sim.planCompletion(chat);
    if (decision.outcome !== 'ok') throw new Error('expected ok');
    expect(decision.plan.firstTokenDelayMs).toBe(700);
  });

  it('counts cancellations and rejections, and reset zeroes the counters and the window', () => {
    const sim = new RegionSimulator(settings(), fakeClock());
    sim.planCompletion(chat);
    sim.recordCancelled();
    sim.recordRejected('unauthorized');
    expect(sim.stats()).toMatchObject({ cancelled: 1, rejected: { unauthorized: 1 } });
    sim.reset();
    expect(sim.stats()).toMatchObject({ requests: 0, cancelled: 0, rejected: { unauthorized: 0 }, window: { tokens: 0 } });
  });
});
