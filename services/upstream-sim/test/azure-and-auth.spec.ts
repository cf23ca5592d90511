import OpenAI, { AzureOpenAI } from 'openai';
import { startTestSimulator, type TestSimulator } from './start-test-simulator';

const messages = [{ role: 'user' as const, content: 'Hello from Azure' }];

describe('Azure deployment paths through the AzureOpenAI client', () => {
  let sim: TestSimulator;
  let azure: AzureOpenAI;
  beforeAll(async () => {
    sim = await startTestSimulator({ SIM_REGION: 'westeurope' });
    azure = new AzureOpenAI({ endpoint: sim.url, apiKey: 'x', apiVersion: '2024-10-21', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  it('answers chat completions with the deployment as the model', async () => {
    const completion = await azure.chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion.model).toBe('gpt-4o');
    expect(completion.choices[0]!.message.content).toMatch(/^Simulated answer from westeurope \(gpt-4o\): /);
    const viaOpenAIPath = await sim.client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion.choices[0]!.message.content).toBe(viaOpenAIPath.choices[0]!.message.content);
  });

  it('uses the deployment in the path even when the body names another model', async () => {
    const bound = new AzureOpenAI({ endpoint: sim.url, apiKey: 'x', apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 });
    const completion = await bound.chat.completions.create({ model: 'ignored', messages });
    expect(completion.model).toBe('gpt-4o-mini');
  });

  it('streams on the deployment path', async () => {
    const stream = await azure.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toMatch(/^Simulated answer from westeurope \(gpt-4o\): /);
  });

  it('answers embeddings on the deployment path', async () => {
    const response = await azure.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 64 });
    expect(response.model).toBe('text-embedding-3-small');
    expect(response.data[0]!.embedding).toHaveLength(64);
  });

  it('requires the api-version query parameter', async () => {
    const response = await sim.call('POST', '/openai/deployments/gpt-4o/chat/completions', { messages });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('api-version');
  });

  it('answers 404 for a deployment the region does not have', async () => {
    await expect(azure.chat.completions.create({ model: 'gpt-35-turbo', messages })).rejects.toMatchObject({ status: 404 });
  });
});

describe('API key', () => {
  let sim: TestSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ SIM_API_KEY: 'sim-secret' });
  });
  afterAll(() => sim.close());

  it('answers 401 to a wrong bearer key and serves the right one', async () => {
    const wrong = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    await expect(sim.client.chat.completions.create({ model: 'gpt-4o-mini', messages })).resolves.toBeDefined();
  });

  it("accepts Azure's api-key header and rejects a wrong one", async () => {
    const right = new AzureOpenAI({ endpoint: sim.url, apiKey: 'sim-secret', apiVersion: '2024-10-21', maxRetries: 0 });
    await expect(right.chat.completions.create({ model: 'gpt-4o', messages })).resolves.toBeDefined();
    const wrong = new AzureOpenAI({ endpoint: sim.url, apiKey: 'nope', apiVersion: '2024-10-21', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toMatchObject({ status: 401 });
  });

  it('answers 401 without any key, on admin endpoints too, but keeps /healthz open', async () => {
    const noKey = { authorization: '' };
    expect((await sim.call('POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages }, noKey)).status).toBe(401);
    expect((await sim.call('GET', '/admin/stats', undefined, noKey)).status).toBe(401);
    expect((await sim.call('GET', '/healthz', undefined, noKey)).status).toBe(200);
    expect((await sim.call('GET', '/admin/stats')).body.rejected.unauthorized).toBeGreaterThanOrEqual(4);
  });
});
