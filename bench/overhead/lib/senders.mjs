// What the overhead scripts send, and how: the payloads (a unique prompt per request keeps the cache out of the way:
// every lookup misses, both tiers run) and one sender per protocol. Shared by run.mjs, ab.mjs and profile.mjs so the
// three measure the same requests.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const { gatewayV1 } = require('@switchyard/contracts');

export const API_KEY = 'sk-switchyard-dev-a';
export const REQUEST_TIMEOUT_MS = 5_000;
export const COMPLETE_PATH = gatewayV1.GatewayService.complete.path;

/** `--name value` from the command line, or the fallback. */
export const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

let seq = 0;
export const prompt = () => `Benchmark question ${process.pid}-${seq++}: summarise the trade-offs of open-loop load generation in two sentences.`;
/** An encoded gatewayV1.CompleteRequest naming its model, with a fresh prompt. */
export const completeRequest = () =>
  Buffer.from(
    gatewayV1.CompleteRequest.encode(
      gatewayV1.CompleteRequest.fromPartial({ messages: [{ role: 'user', content: prompt() }], model: 'gpt-4o-mini', userRegion: 'eastus', maxTokens: 64 }),
    ).finish(),
  );
/** An OpenAI chat completion body with a fresh prompt and no temperature (OpenAI's default). */
export const chatBody = () => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt() }], max_tokens: 64 });

/** Unary gRPC calls of already encoded bodies; `withKey` adds the gateway's bearer key. */
export function grpcSender(address, pathName = COMPLETE_PATH, body = completeRequest, withKey = true) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (b) => b;
  return {
    send: () =>
      new Promise((resolve, reject) => {
        const md = new grpc.Metadata();
        if (withKey) md.set('authorization', `Bearer ${API_KEY}`);
        client.makeUnaryRequest(pathName, identity, identity, body(), md, { deadline: Date.now() + REQUEST_TIMEOUT_MS }, (err) => (err ? reject(err) : resolve()));
      }),
    close: () => client.close(),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
/** POST /v1/chat/completions over keep-alive HTTP/1.1; an answer without choices counts as an error. */
export function httpSender(baseUrl, headers = { authorization: `Bearer ${API_KEY}` }) {
  const url = new URL(`${baseUrl}/v1/chat/completions`);
  return {
    send: () =>
      new Promise((resolve, reject) => {
        const body = chatBody();
        const req = http.request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, timeout: REQUEST_TIMEOUT_MS, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
          (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString();
              if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
              if (!text.includes('"choices"')) return reject(new Error(`no choices: ${text.slice(0, 200)}`));
              resolve();
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body);
      }),
    close: () => undefined,
  };
}
