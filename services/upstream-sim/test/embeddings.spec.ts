import { countTextTokens } from '@switchyard/tokens';
import { startTestSimulator, type TestSimulator } from './start-test-simulator';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('POST /v1/embeddings through the openai SDK', () => {
  let sim: TestSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  it('returns the same unit vector of 1536 dimensions for the same text', async () => {
    const a = await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    const b = await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    expect(a.object).toBe('list');
    expect(a.model).toBe('text-embedding-3-small');
    expect(a.data[0]!.object).toBe('embedding');
    expect(a.data[0]!.embedding).toHaveLength(1536);
    expect(norm(a.data[0]!.embedding)).toBeCloseTo(1, 5);
    expect(b.data[0]!.embedding).toEqual(a.data[0]!.embedding);
    expect(a.usage).toEqual({ prompt_tokens: countTextTokens('hello world'), total_tokens: countTextTokens('hello world') });
  });

  it('honours the dimensions parameter', async () => {
    const response = await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 256 });
    expect(response.data[0]!.embedding).toHaveLength(256);
    expect(norm(response.data[0]!.embedding)).toBeCloseTo(1, 5);
  });

  it('gives the same vectors in float and base64 encodings', async () => {
    // The SDK asks for base64 by default and decodes it; asking for float gets JSON numbers.
    const viaBase64 = await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'same text' });
    const viaFloat = await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: 'same text', encoding_format: 'float' });
    expect(viaFloat.data[0]!.embedding).toEqual(viaBase64.data[0]!.embedding);
  });

  it('embeds a batch of inputs in order with summed usage', async () => {
    const inputs = ['first text', 'second text', 'first text'];
    const response = await sim.client.embeddings.create({ model: 'text-embedding-3-small', input: inputs, dimensions: 32 });
    expect(response.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(response.data[2]!.embedding).toEqual(response.data[0]!.embedding);
    expect(response.data[1]!.embedding).not.toEqual(response.data[0]!.embedding);
    expect(response.usage.prompt_tokens).toBe(inputs.reduce((s, t) => s + countTextTokens(t), 0));
  });

  it('rejects a chat model and an empty input with 400', async () => {
    await expect(sim.client.embeddings.create({ model: 'gpt-4o', input: 'x' })).rejects.toMatchObject({ status: 400, param: 'model' });
    await expect(sim.client.embeddings.create({ model: 'text-embedding-3-small', input: '' })).rejects.toMatchObject({
      status: 400,
      param: 'input',
    });
  });
});
