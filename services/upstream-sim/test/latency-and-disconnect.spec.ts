import { eventually, startTestSimulator, type TestSimulator } from './start-test-simulator';

const messages = [{ role: 'user' as const, content: 'Take your time.' }];

describe('latency and client disconnects', () => {
  let sim: TestSimulator;
  afterEach(() => sim.close());

  it('waits at least the base latency before answering', async () => {
    sim = await startTestSimulator({ SIM_LATENCY_MS: '150' });
    const started = Date.now();
    await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('adds per-output-token latency', async () => {
    sim = await startTestSimulator({ SIM_LATENCY_PER_TOKEN_MS: '3' });
    const started = Date.now();
    const completion = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * completion.usage!.completion_tokens - 5);
  });

  it('stops working on a request whose client went away during the latency', async () => {
    sim = await startTestSimulator({ SIM_LATENCY_MS: '60000' });
    const controller = new AbortController();
    const pending = sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal: controller.signal });
    pending.catch(() => undefined);
    await eventually(() => sim.simulator.stats().requests === 1);
    controller.abort();
    await eventually(() => sim.simulator.stats().cancelled === 1);
  });

  it('stops streaming when the client goes away mid-stream', async () => {
    sim = await startTestSimulator({ SIM_LATENCY_PER_TOKEN_MS: '1000' });
    const controller = new AbortController();
    const stream = await sim.client.chat.completions.create(
      { model: 'gpt-4o-mini', messages, stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.choices[0].delta.role).toBe('assistant');
    controller.abort();
    await eventually(() => sim.simulator.stats().cancelled === 1);
  });

  it('lets an in-flight answer finish when closed, then stops', async () => {
    sim = await startTestSimulator({ SIM_LATENCY_MS: '100' });
    const pending = sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await eventually(() => sim.simulator.stats().requests === 1);
    const closed = sim.close();
    await expect(pending).resolves.toBeDefined();
    await closed;
  });
});
