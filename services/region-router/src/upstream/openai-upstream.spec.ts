import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@switchyard/service-kit';
import { UpstreamError, type RegionConfig } from '../routing';
import { OpenAIUpstream } from './openai-upstream';
import { parseDuration, parseRateLimitHeaders } from './rate-limit-headers';
import { parseRetryAfter } from './retry-after';

const SECRET = 'sk-test-secret-1234567890';

const QUOTA_OUT = {
  'x-ratelimit-limit-requests': '60',
  'x-ratelimit-remaining-requests': '0',
  'x-ratelimit-reset-requests': '1m0s',
  'x-ratelimit-remaining-tokens': '1200',
};

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  apiKey: string | undefined;
  body: Record<string, unknown>;
}

/** Just enough of the OpenAI HTTP API to check what the adapter sends and how it reads the answers. */
function fakeOpenAI(seen: Seen[]) {
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const chat = (content: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'length' }],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
  });

  return async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      apiKey: req.headers['api-key'] as string | undefined,
      body,
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
    if (azure) return json(res, 200, chat(`azure deployment ${azure[1]}`));
    if (url.pathname === '/v1/embeddings') {
      const inputs = body.input as string[];
      // Out of order on purpose: the index field, not the position, says which input a vector belongs to.
      const data = inputs.map((_, i) => ({ object: 'embedding', index: i, embedding: [i, i + 0.5] })).reverse();
      return json(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: 5, total_tokens: 5 } });
    }
    if (url.pathname !== '/v1/chat/completions') return json(res, 404, { error: { message: 'no such route' } });
    switch (body.model) {
      case 'limited':
        return json(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after': '2', ...QUOTA_OUT });
      case 'quota':
        return json(res, 200, chat('Paris.'), { 'x-ratelimit-limit-tokens': '90000', 'x-ratelimit-remaining-tokens': '89000', 'x-ratelimit-reset-tokens': '666ms' });
      case 'limited-ms':
        return json(res, 429, { error: { message: 'Rate limit reached' } }, { 'retry-after-ms': '250', 'retry-after': '1' });
      case 'bad-key':
        return json(res, 401, { error: { message: `Incorrect API key provided: ${SECRET}.`, code: 'invalid_api_key' } });
      case 'bad-request':
        return json(res, 400, { error: { message: `Invalid value for 'temperature'; key ${SECRET} is fine` } });
      case 'broken':
        return json(res, 503, { error: { message: 'overloaded' } });
      case 'slow':
        return; // never answers: the adapter's timeout must end the call
      default:
        return json(res, 200, chat('Paris.'));
    }
  };
}

describe('OpenAIUpstream', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => void fakeOpenAI(seen)(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => (seen.length = 0));

  const region = (overrides: Partial<RegionConfig> = {}): RegionConfig => ({
    name: 'eastus',
    baseUrl: `${baseUrl}/v1`,
    provider: 'openai',
    capacityTpm: 1_000,
    apiKeyEnv: 'EASTUS_KEY',
    ...overrides,
  });
  const upstreamFor = (config: RegionConfig, timeoutMs?: number) =>
    new OpenAIUpstream({ regions: [config], env: { EASTUS_KEY: SECRET }, timeoutMs });
  const hello = (model: string) => ({
    model,
    messages: [{ role: 'user' as const, content: 'capital of France?' }],
    temperature: 0.1,
    maxTokens: 20,
  });

  async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
    try {
      await promise;
    } catch (err) {
      if (err instanceof UpstreamError) return err;
      throw err;
    }
    throw new Error('expected the call to fail');
  }

  it('maps a chat completion: content, usage, finish reason; sends the key and no SDK retries', async () => {
    const result = await upstreamFor(region()).complete('eastus', hello('gpt-4o-mini'));
    expect(result).toEqual({ content: 'Paris.', inputTokens: 11, outputTokens: 7, finishReason: 'length' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      authorization: `Bearer ${SECRET}`,
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'capital of France?' }], temperature: 0.1, max_tokens: 20 },
    });
  });

  it('maps embeddings to vectors in input order', async () => {
    const result = await upstreamFor(region()).embed('eastus', { model: 'text-embedding-3-small', inputs: ['a', 'b', 'c'] });
    expect(result).toEqual({
      vectors: [
        [0, 0.5],
        [1, 1.5],
        [2, 2.5],
      ],
      inputTokens: 5,
    });
    expect(seen[0].body).toMatchObject({ input: ['a', 'b', 'c'], encoding_format: 'float' });
  });

  it('maps a 429 to UpstreamError with retry-after in ms, after one request', async () => {
    const error = await upstreamError(upstreamFor(region()).complete('eastus', hello('limited')));
    expect(error).toMatchObject({ status: 429, retryAfterMs: 2_000 });
    expect(error.rateLimit).toEqual({ limitRequests: 60, remainingRequests: 0, resetRequestsMs: 60_000, remainingTokens: 1_200 });
    expect(error.retriable).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('passes on the quota an answer reports in its x-ratelimit-* headers', async () => {
    const result = await upstreamFor(region()).complete('eastus', hello('quota'));
    expect(result.rateLimit).toEqual({ limitTokens: 90_000, remainingTokens: 89_000, resetTokensMs: 666 });
  });

  it('prefers retry-after-ms over retry-after', async () => {
    const error = await upstreamError(upstreamFor(region()).complete('eastus', hello('limited-ms')));
    expect(error).toMatchObject({ status: 429, retryAfterMs: 250 });
  });

  it('keeps the API key out of error messages', async () => {
    const unauthorised = await upstreamError(upstreamFor(region()).complete('eastus', hello('bad-key')));
    expect(unauthorised).toMatchObject({ status: 401 });
    expect(unauthorised.message).not.toContain('sk-test');
    const badRequest = await upstreamError(upstreamFor(region()).complete('eastus', hello('bad-request')));
    expect(badRequest).toMatchObject({ status: 400 });
    expect(badRequest.retriable).toBe(false);
    expect(badRequest.message).toContain("Invalid value for 'temperature'");
    expect(badRequest.message).not.toContain(SECRET);
  });

  it('maps a 5xx to a retriable UpstreamError', async () => {
    const error = await upstreamError(upstreamFor(region()).complete('eastus', hello('broken')));
    expect(error).toMatchObject({ status: 503 });
    expect(error.retriable).toBe(true);
  });

  it('maps an unreachable endpoint to a network UpstreamError without status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await upstreamError(
      upstreamFor(region({ baseUrl: `http://127.0.0.1:${port}/v1` })).complete('eastus', hello('gpt-4o-mini')),
    );
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/^cannot reach upstream: .*ECONNREFUSED/);
    expect(error.retriable).toBe(true);
  });

  it('ends the call when the time left to the deadline runs out', async () => {
    const error = await upstreamError(upstreamFor(region(), 10_000).complete('eastus', hello('slow'), { timeoutMs: 50 }));
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('upstream did not answer within 50 ms');
    expect(error.timedOut).toBe(true);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    const pending = upstreamFor(region()).complete('eastus', hello('slow'), { signal: controller.signal });
    controller.abort();
    const error = await upstreamError(pending);
    expect(error.message).toBe('upstream call aborted');
  });

  it('speaks Azure: deployment path from the model, api-version query, api-key header', async () => {
    const azure = region({ provider: 'azure', baseUrl: `${baseUrl}/`, apiVersion: '2024-10-21' });
    const result = await upstreamFor(azure).complete('eastus', hello('gpt-4o'));
    expect(result.content).toBe('azure deployment gpt-4o');
    expect(seen[0].url).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(seen[0].apiKey).toBe(SECRET);
  });

  it('sends an Azure region its deployment name for the model', async () => {
    const azure = region({ provider: 'azure', baseUrl: `${baseUrl}/`, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'gpt4o-eu-prod' } });
    const result = await upstreamFor(azure).complete('eastus', hello('gpt-4o'));
    expect(result.content).toBe('azure deployment gpt4o-eu-prod');
    expect(seen[0].url).toBe('/openai/deployments/gpt4o-eu-prod/chat/completions?api-version=2024-10-21');
  });

  it('refuses to start when a region names a key variable that is not set, without printing any key', () => {
    expect(() => new OpenAIUpstream({ regions: [region()], env: {} })).toThrow(ConfigError);
    expect(() => new OpenAIUpstream({ regions: [region()], env: {} })).toThrow(/EASTUS_KEY, which is not set/);
  });
});

describe('parseRetryAfter', () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '120.4' }))).toBe(121);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3_000);
  });

  it('returns undefined for missing or unreadable values', () => {
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('x-ratelimit-* headers', () => {
  it("reads OpenAI's reset durations", () => {
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('2')).toBe(2_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
  });

  it('keeps only the headers present and well formed', () => {
    expect(parseRateLimitHeaders(new Headers({ 'x-ratelimit-remaining-requests': '7', 'x-ratelimit-limit-tokens': 'lots' }))).toEqual({ remainingRequests: 7 });
    expect(parseRateLimitHeaders(new Headers({}))).toBeUndefined();
    expect(parseRateLimitHeaders(undefined)).toBeUndefined();
  });
});
