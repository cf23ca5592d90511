import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeHttpFetch } from './node-http-fetch';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A real HTTP server on a free port that counts the TCP connections it accepted. */
async function serve(handler: Handler): Promise<{ url: string; connections: () => number; server: Server }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, body, res));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('createNodeHttpFetch', () => {
  it('sends method, headers and body, and answers with status, headers and a JSON body', async () => {
    const seen: { method?: string; auth?: string; type?: string; length?: string; body?: string }[] = [];
    const { url, server } = await serve((req, body, res) => {
      seen.push({ method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], length: req.headers['content-length'], body });
      res.writeHead(201, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '7' });
      res.end(JSON.stringify({ ok: true, echoed: JSON.parse(body) }));
    });
    servers.push(server);
    const fetch = createNodeHttpFetch();
    const headers = new Headers({ Authorization: 'Bearer sk-1', 'Content-Type': 'application/json' });
    const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', n: 'é' }) });

    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('7');
    await expect(response.json()).resolves.toEqual({ ok: true, echoed: { model: 'm', n: 'é' } });
    // content-length counts bytes, not characters.
    expect(seen).toEqual([{ method: 'POST', auth: 'Bearer sk-1', type: 'application/json', length: String(Buffer.byteLength('{"model":"m","n":"é"}')), body: '{"model":"m","n":"é"}' }]);
  });

  it('reuses one keep-alive connection for calls that follow each other', async () => {
    const { url, connections, server } = await serve((_req, _body, res) => res.end('{}'));
    servers.push(server);
    const fetch = createNodeHttpFetch();
    for (let i = 0; i < 5; i++) await (await fetch(url, { method: 'POST', body: '{}' })).json();
    expect(connections()).toBe(1);
  });

  it('passes an error status through as a response, not a rejection', async () => {
    const { url, server } = await serve((_req, _body, res) => {
      res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
      res.end('{"error":{"message":"slow down"}}');
    });
    servers.push(server);
    const response = await createNodeHttpFetch()(url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    await expect(response.text()).resolves.toContain('slow down');
  });

  it('hands an event stream over as it arrives, before the server has finished', async () => {
    let finish: () => void = () => undefined;
    const { url, server } = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      finish = () => res.end('data: [DONE]\n\n');
    });
    servers.push(server);
    const response = await createNodeHttpFetch()(url, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('data: one\n\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('answers 204 with no body', async () => {
    const { url, server } = await serve((_req, _body, res) => {
      res.writeHead(204);
      res.end();
    });
    servers.push(server);
    const response = await createNodeHttpFetch()(url, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects with an AbortError when the signal aborts while waiting, and closes the request', async () => {
    let closed = false;
    const { url, server } = await serve((req) => req.socket.on('close', () => (closed = true)));
    servers.push(server);
    const controller = new AbortController();
    const pending = createNodeHttpFetch()(url, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it('rejects at once with an AbortError when the signal has already aborted', async () => {
    const { url, connections, server } = await serve((_req, _body, res) => res.end('{}'));
    servers.push(server);
    await expect(createNodeHttpFetch()(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(connections()).toBe(0);
  });

  it('rejects with TypeError "fetch failed" and the cause when nothing listens', async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const failure = createNodeHttpFetch()(url, { method: 'POST', body: '{}' });
    await expect(failure).rejects.toBeInstanceOf(TypeError);
    await expect(failure).rejects.toMatchObject({ message: 'fetch failed', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
  });

  it('refuses a body it cannot send in one piece, without sending anything', async () => {
    const { url, connections, server } = await serve((_req, _body, res) => res.end('{}'));
    servers.push(server);
    await expect(createNodeHttpFetch()(url, { method: 'POST', body: new FormData() })).rejects.toThrow(/unsupported request body/);
    expect(connections()).toBe(0);
  });
});
