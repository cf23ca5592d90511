import { APIError, AzureOpenAI } from 'openai';
import { eventually, startTestSimulator, type TestSimulator } from './start-test-simulator';

const messages = [{ role: 'user' as const, content: 'Are you there?' }];

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (err instanceof APIError && err.status !== undefined) return String(err.status);
    return 'failed';
  }
}

describe('runtime fault injection: hang, 429 storms, Azure deployment names', () => {
  let sim: TestSimulator;
  afterEach(() => sim.close());

  it('holds a hung request open with no answer until the client gives up, charging no quota', async () => {
    sim = await startTestSimulator();
    expect((await sim.call('POST', '/admin/faults', { hangRate: 1 })).body).toMatchObject({ hangRate: 1 });
    const controller = new AbortController();
    const pending = outcome(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal: controller.signal }));
    await eventually(() => sim.simulator.stats().hung === 1);
    controller.abort();
    expect(await pending).toBe('failed');
    await eventually(() => sim.simulator.stats().cancelled === 1);
    expect(sim.simulator.stats().window.requests).toBe(0);

    await sim.call('POST', '/admin/faults', { hangRate: 0 });
    expect(await outcome(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }))).toBe('ok');
  });

  it('drops hung requests when it shuts down, so close() never waits on them', async () => {
    sim = await startTestSimulator();
    await sim.call('POST', '/admin/faults', { hangRate: 1 });
    const pending = outcome(sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    await eventually(() => sim.simulator.stats().hung === 1);
    await sim.close();
    expect(await pending).toBe('failed');
  });

  it('answers a share of requests 429 with retry-after during a storm, reproducibly for a seed', async () => {
    sim = await startTestSimulator({ SIM_SEED: '11' });
    await sim.call('POST', '/admin/faults', { throttleRate: 0.5, throttleRetryAfterMs: 1200 });
    const run = async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < 30; i++) outcomes.push(await outcome(sim.client.embeddings.create({ model: 'text-embedding-3-small', input: `x${i}` })));
      return outcomes;
    };
    const first = await run();
    expect(first).toContain('429');
    expect(first).toContain('ok');
    let throttled;
    for (let i = 0; i < 30 && throttled === undefined; i++) {
      const response = await sim.call('POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'probe' });
      if (response.status === 429) throttled = response;
    }
    expect(throttled?.headers.get('retry-after-ms')).toBe('1200');
    expect(throttled?.headers.get('retry-after')).toBe('2');

    await sim.call('POST', '/admin/reset');
    await sim.call('POST', '/admin/faults', { throttleRate: 0.5, throttleRetryAfterMs: 1200 });
    expect(await run()).toEqual(first);
  });

  it('serves an Azure deployment under the model SIM_DEPLOYMENTS maps it to', async () => {
    sim = await startTestSimulator({ SIM_REGION: 'swedencentral', SIM_DEPLOYMENTS: JSON.stringify({ 'chat-prod': 'gpt-4o-mini' }) });
    const azure = new AzureOpenAI({ endpoint: sim.url, apiKey: 'x', apiVersion: '2024-10-21', maxRetries: 0 });
    const completion = await azure.chat.completions.create({ model: 'chat-prod', messages });
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]!.message.content).toMatch(/^Simulated answer from swedencentral \(gpt-4o-mini\)/);
    await expect(azure.chat.completions.create({ model: 'chat-staging', messages })).rejects.toMatchObject({ status: 404 });
  });
});
