import { SpanStatusCode } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import type { AttemptInfo, AttemptResult } from './routing';
import { aroundUpstreamAttempt } from './upstream-span';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
provider.register({ propagator: null });

afterEach(() => exporter.reset());
afterAll(() => provider.shutdown());

const FIRST = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const SECOND = '00-1bf7651916cd43dd8448eb211c80319d-c7ad6b7169203332-01';

const info = (overrides: Partial<AttemptInfo> = {}): AttemptInfo => ({
  region: 'eastus',
  kind: 'completion',
  model: 'gpt-4o-mini',
  attempt: 1,
  itemIndexes: [0, 1],
  reason: 'user region eastus has headroom (load 0.10 < 0.8)',
  probe: false,
  timeoutMs: 1_500,
  ...overrides,
});

describe('upstream attempt span', () => {
  it('joins the first request, links the others and carries GenAI usage for a success', async () => {
    const result: AttemptResult<{ finishReason: string }> = {
      report: { outcome: 'ok', durationMs: 12, description: 'ok' },
      effects: { breakerOpened: false, breakerClosed: true, note: 'breaker closed after a successful probe' },
      value: { finishReason: 'stop' },
      usage: { inputTokens: 14, outputTokens: 3 },
    };
    await aroundUpstreamAttempt([FIRST, SECOND])(info({ probe: true }), async () => result);
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span!.links.map((l) => l.context.traceId)).toEqual(['1bf7651916cd43dd8448eb211c80319d']);
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 14,
      'gen_ai.usage.output_tokens': 3,
      'switchyard.region': 'eastus',
      'switchyard.breaker.probe': true,
      'switchyard.attempt.timeout_ms': 1_500,
      'switchyard.upstream.outcome': 'ok',
    });
    expect(span!.events.map((e) => e.name)).toEqual(['switchyard.breaker.closed']);
  });

  it('marks a throttled attempt as an error and records the cool-down and the breaker as events', async () => {
    await aroundUpstreamAttempt([FIRST])(info({ itemIndexes: [0] }), async () => ({
      report: { outcome: 'throttled', httpStatus: 429, durationMs: 3, retryAfterMs: 2_000, description: 'http 429' },
      effects: { cooldownMs: 2_000, breakerOpened: false, breakerClosed: false, note: 'cooling down 2000 ms (retry-after)' },
    }));
    await aroundUpstreamAttempt([FIRST])(info({ itemIndexes: [0], region: 'westus', attempt: 2 }), async () => ({
      report: { outcome: 'server_error', httpStatus: 503, durationMs: 3, description: 'http 503' },
      effects: { breakerOpened: true, breakerClosed: false, note: 'breaker opened: 5 of 8 recent requests failed (last: http 503)' },
    }));
    const [throttled, failed] = exporter.getFinishedSpans();
    expect(throttled!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'http 429' });
    expect(throttled!.attributes).toMatchObject({ 'error.type': 'throttled', 'http.response.status_code': 429 });
    expect(throttled!.events[0]).toMatchObject({ name: 'switchyard.region.cooldown', attributes: { 'switchyard.region': 'eastus', 'switchyard.cooldown_ms': 2_000 } });
    expect(failed!.events[0]).toMatchObject({ name: 'switchyard.breaker.opened', attributes: { 'switchyard.region': 'westus' } });
    expect(failed!.attributes['switchyard.attempt']).toBe(2);
  });
});
