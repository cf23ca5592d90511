import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import { startTestSimulator, type TestSimulator } from './start-test-simulator';

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'What is the capital of France?' },
];

describe('POST /v1/chat/completions through the openai SDK', () => {
  let sim: TestSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ SIM_REGION: 'eastus' });
  });
  afterAll(() => sim.close());

  it('answers in the OpenAI chat.completion shape with usage counted by @switchyard/tokens', async () => {
    const completion = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(typeof completion.created).toBe('number');
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice!.message.role).toBe('assistant');
    expect(choice!.finish_reason).toBe('stop');
    const content = choice!.message.content!;
    expect(content).toMatch(/^Simulated answer from eastus \(gpt-4o-mini\): /);
    expect(completion.usage).toEqual({
      prompt_tokens: countChatTokens(messages),
      completion_tokens: countTextTokens(content),
      total_tokens: countChatTokens(messages) + countTextTokens(content),
    });
  });

  it('answers the same prompt with the same content every time', async () => {
    const a = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const b = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
    expect(b.id).not.toBe(a.id);
  });

  it('truncates to max_tokens with finish_reason length', async () => {
    const completion = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(5);
  });

  it('honours max_completion_tokens as reasoning models use it', async () => {
    const completion = await sim.client.chat.completions.create({ model: 'o1-preview', messages, max_completion_tokens: 7 });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(7);
  });

  it('streams the same content as the non-streaming answer, then the usage chunk', async () => {
    const whole = await sim.client.chat.completions.create({ model: 'gpt-4o', messages });
    const stream = await sim.client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const finishReasons: string[] = [];
    let usage: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      for (const choice of chunk.choices) {
        content += choice.delta.content ?? '';
        if (choice.finish_reason) finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe(whole.choices[0]!.message.content);
    expect(finishReasons).toEqual(['stop']);
    expect(usage).toEqual(whole.usage);
    expect(chunks).toBeGreaterThan(5);
  });

  it('sends no usage chunk when include_usage is not asked for', async () => {
    const stream = await sim.client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, max_tokens: 4 });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => !c.usage)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
  });

  it('accepts content given as an array of text parts', async () => {
    const asParts = await sim.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] }],
    });
    const asString = await sim.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(asParts.choices[0]!.message.content).toBe(asString.choices[0]!.message.content);
  });

  it('sends rate-limit and region headers with every answer', async () => {
    const { response } = await sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(response.headers.get('x-sim-region')).toBe('eastus');
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(1_000_000);
    expect(Number(response.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(10_000);
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('1000000');
  });

  it('answers 404 model_not_found for a model the region does not serve', async () => {
    await expect(sim.client.chat.completions.create({ model: 'gpt-5-turbo', messages })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('lists the configured models and reports healthy', async () => {
    const models = [];
    for await (const model of sim.client.models.list()) models.push(model.id);
    expect(models).toEqual(['gpt-4o-mini', 'gpt-4o', 'o1-preview', 'text-embedding-3-small']);
    expect((await sim.client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    expect((await sim.call('GET', '/healthz')).status).toBe(200);
  });
});
