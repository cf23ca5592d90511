import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamError, type UpstreamCompletionRequest } from '../routing';
import type { StreamPart } from '../streaming/streaming-upstream';
import { OpenAIStreamingUpstream } from './openai-stream';

interface Behaviour {
  status?: number;
  headers?: Record<string, string>;
  pieces?: string[];
  usage?: boolean;
  gapMs?: number;
  /** Keep the stream open after the pieces (until the client goes away). */
  hang?: boolean;
}

let behaviour: Behaviour = {};
let lastBody: Record<string, unknown> = {};
const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', async () => {
    lastBody = JSON.parse(raw) as Record<string, unknown>;
    if (behaviour.status && behaviour.status !== 200) {
      res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', ...behaviour.headers });
    const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (const piece of behaviour.pieces ?? []) {
      if (behaviour.gapMs) await new Promise((resolve) => setTimeout(resolve, behaviour.gapMs));
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    if (behaviour.hang) return;
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    if (behaviour.usage) send({ ...base, choices: [], usage: { prompt_tokens: 21, completion_tokens: 7, total_tokens: 28 } });
    res.end('data: [DONE]\n\n');
  });
});

let upstream: OpenAIStreamingUpstream;
const request: UpstreamCompletionRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], temperature: 0, maxTokens: 32 };

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  upstream = new OpenAIStreamingUpstream({ regions: [{ name: 'local', provider: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, capacityTpm: 1000 }], timeoutMs: 300 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function readAll(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

describe('OpenAIStreamingUpstream', () => {
  it('asks for a stream with usage and yields the deltas, then the reported usage', async () => {
    behaviour = { pieces: ['Hel', 'lo'], usage: true, headers: { 'x-ratelimit-remaining-tokens': '900' } };
    const opened = await upstream.openStream('local', request, { signal: new AbortController().signal });
    expect(opened.rateLimit).toMatchObject({ remainingTokens: 900 });
    expect(await readAll(opened.parts)).toEqual([
      { type: 'delta', content: 'Hel' },
      { type: 'delta', content: 'lo' },
      { type: 'end', finishReason: 'stop', inputTokens: 21, outputTokens: 7 },
    ]);
    expect(lastBody).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, max_tokens: 32 });
  });

  it('counts tokens locally when the server reports no usage', async () => {
    behaviour = { pieces: ['one', ' two'] };
    const parts = await readAll((await upstream.openStream('local', request, { signal: new AbortController().signal })).parts);
    expect(parts.at(-1)).toMatchObject({ type: 'end', finishReason: 'stop' });
    expect((parts.at(-1) as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
    expect((parts.at(-1) as { outputTokens: number }).outputTokens).toBe(2);
  });

  it('lets an answer stream for longer than the opening timeout', async () => {
    behaviour = { pieces: ['a', 'b', 'c', 'd'], gapMs: 150 };
    const parts = await readAll((await upstream.openStream('local', request, { signal: new AbortController().signal })).parts);
    expect(parts.map((p) => p.type)).toEqual(['delta', 'delta', 'delta', 'delta', 'end']);
  });

  it('rejects the opening with the HTTP status and retry hint of a refusal', async () => {
    behaviour = { status: 429, headers: { 'retry-after-ms': '1500' } };
    const err = await upstream.openStream('local', request, { signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 1500 });
  });

  it('stops reading when its signal aborts mid-stream', async () => {
    behaviour = { pieces: ['first'], hang: true };
    const controller = new AbortController();
    const opened = await upstream.openStream('local', request, { signal: controller.signal });
    const seen: StreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of opened.parts) {
          seen.push(part);
          controller.abort();
        }
      })(),
    ).rejects.toBeInstanceOf(UpstreamError);
    expect(seen).toEqual([{ type: 'delta', content: 'first' }]);
  });
});
