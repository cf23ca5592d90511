import { APIError } from 'openai';
import { startTestSimulator, type TestSimulator } from './start-test-simulator';

const messages = [{ role: 'user' as const, content: 'Tell me something.' }];

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof APIError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('rate limits', () => {
  let sim: TestSimulator;
  afterEach(() => sim.close());

  it('answers 429 with retry-after once the tokens-per-minute limit is used up', async () => {
    // Measure what one request costs, then allow one and a half of it per minute.
    sim = await startTestSimulator();
    const cost = (await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages })).usage!.total_tokens;
    await sim.close();
    const limit = Math.floor(cost * 1.5);
    sim = await startTestSimulator({ SIM_TPM_LIMIT: String(limit) });
    const first = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });

    const err = await rejection(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(err.status).toBe(429);
    expect(err.code).toBe('rate_limit_exceeded');
    expect(err.type).toBe('rate_limit_exceeded');
    expect(err.message).toMatch(/tokens per min/);
    const retryAfter = err.headers!.get('retry-after')!;
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(59);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    const retryAfterMs = Number(err.headers!.get('retry-after-ms'));
    expect(Math.ceil(retryAfterMs / 1000)).toBe(Number(retryAfter));
    expect(err.headers!.get('x-ratelimit-remaining-tokens')).toBe(String(limit - cost));
    expect(err.headers!.get('x-ratelimit-remaining-requests')).toBe('9999');

    const stats = (await sim.call('GET', '/admin/stats')).body;
    expect(stats).toMatchObject({ requests: 2, rateLimited: 1, window: { tokens: first.usage!.total_tokens, requests: 1 } });
  });

  it('answers 429 once the requests-per-minute limit is used up', async () => {
    sim = await startTestSimulator({ SIM_RPM_LIMIT: '2' });
    await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'a' });
    await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'b' });
    const err = await rejection(sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'c' }));
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/requests per min/);
    expect(err.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('throttles every request at run time through POST /admin/faults, and stops when told', async () => {
    sim = await startTestSimulator();
    const set = await sim.call('POST', '/admin/faults', { throttle: true, throttleRetryAfterMs: 2500 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ throttle: true, throttleRetryAfterMs: 2500 });

    const err = await rejection(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(err.status).toBe(429);
    expect(err.headers!.get('retry-after')).toBe('3');
    expect(err.headers!.get('retry-after-ms')).toBe('2500');

    await sim.call('POST', '/admin/faults', { throttle: false });
    await expect(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages })).resolves.toBeDefined();
  });
});

describe('error injection', () => {
  let sim: TestSimulator;
  afterEach(() => sim.close());

  it('answers the injected 500 in OpenAI error shape after POST /admin/faults', async () => {
    sim = await startTestSimulator();
    await sim.call('POST', '/admin/faults', { errorRate: 1 });
    const err = await rejection(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(err.status).toBe(500);
    expect(err.type).toBe('server_error');
    const stats = (await sim.call('GET', '/admin/stats')).body;
    expect(stats).toMatchObject({ injectedErrors: 1, window: { requests: 0 } });
  });

  it('injects the configured status from SIM_ERROR_RATE and SIM_ERROR_STATUS', async () => {
    sim = await startTestSimulator({ SIM_ERROR_RATE: '1', SIM_ERROR_STATUS: '503' });
    const err = await rejection(sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    expect(err.status).toBe(503);
    expect(err.headers!.get('retry-after')).toBe('1');
  });

  it('fails the same requests on every run with the same seed', async () => {
    const pattern = async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        outcomes.push(
          await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }).then(
            () => 'ok',
            (err: APIError) => String(err.status),
          ),
        );
      }
      return outcomes;
    };
    sim = await startTestSimulator({ SIM_ERROR_RATE: '0.4', SIM_SEED: '7' });
    const first = await pattern();
    await sim.close();
    sim = await startTestSimulator({ SIM_ERROR_RATE: '0.4', SIM_SEED: '7' });
    expect(await pattern()).toEqual(first);
    expect(first).toContain('500');
    expect(first).toContain('ok');

    // POST /admin/reset replays the sequence in the same process.
    await sim.call('POST', '/admin/reset');
    expect(await pattern()).toEqual(first);
  });

  it('rejects unknown or out-of-range fault settings with 400', async () => {
    sim = await startTestSimulator();
    expect((await sim.call('POST', '/admin/faults', { errorRate: 2 })).body.error.param).toBe('errorRate');
    expect((await sim.call('POST', '/admin/faults', { errrorRate: 0.5 })).status).toBe(400);
    expect((await sim.call('GET', '/admin/faults')).body.errorRate).toBe(0);
  });
});
