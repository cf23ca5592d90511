import { startTestSimulator, type TestSimulator } from './start-test-simulator';

describe('bad input', () => {
  let sim: TestSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ SIM_MAX_BODY_BYTES: '2048' });
  });
  afterAll(() => sim.close());

  it('answers 400 in OpenAI error shape to a body that is not JSON', async () => {
    const response = await sim.call('POST', '/v1/chat/completions', '{"model": "gpt-4o-mini", messages');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { message: expect.stringMatching(/JSON/), type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('names the missing field', async () => {
    const noMessages = await sim.call('POST', '/v1/chat/completions', { model: 'gpt-4o-mini' });
    expect(noMessages.status).toBe(400);
    expect(noMessages.body.error.param).toBe('messages');
    const noModel = await sim.call('POST', '/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    expect(noModel.body.error.param).toBe('model');
    const noInput = await sim.call('POST', '/v1/embeddings', { model: 'text-embedding-3-small' });
    expect(noInput.body.error.param).toBe('input');
  });

  it('names a bad field inside a message', async () => {
    const response = await sim.call('POST', '/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'ok' }, { role: 'robot', content: 'x' }],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('messages[1].role');
  });

  it('rejects max_tokens below 1 and n above 1', async () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect((await sim.call('POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages, max_tokens: 0 })).body.error.param).toBe(
      'max_tokens',
    );
    expect((await sim.call('POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages, n: 2 })).body.error.param).toBe('n');
  });

  it('answers 413 to a body over the size limit', async () => {
    const response = await sim.call('POST', '/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(4096) }],
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('request_too_large');
    // The connection stays usable after the oversized body was drained.
    expect((await sim.call('GET', '/healthz')).status).toBe(200);
  });

  it('answers 404 to unknown paths and 405 to wrong methods', async () => {
    expect((await sim.call('GET', '/v1/nothing')).status).toBe(404);
    const wrongMethod = await sim.call('GET', '/v1/chat/completions');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('counts rejected requests in the stats', async () => {
    const stats = (await sim.call('GET', '/admin/stats')).body;
    expect(stats.rejected['bad-request']).toBeGreaterThanOrEqual(7);
    expect(stats.requests).toBe(0);
  });
});
