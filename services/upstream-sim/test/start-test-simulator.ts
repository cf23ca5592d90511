import OpenAI from 'openai';
import { loadSimulatorConfig } from '../src/config';
import { startSimulator, type StartedSimulator } from '../src/http/start-simulator';

export interface TestSimulator extends StartedSimulator {
  /** An OpenAI SDK client pointed at the simulator, without retries so every status reaches the test. */
  client: OpenAI;
  /** Calls an admin or raw endpoint and returns status, headers and parsed JSON body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RawResponse>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** One simulator region on a free port with no latency unless the test asks for it. */
export async function startTestSimulator(env: Record<string, string> = {}): Promise<TestSimulator> {
  const started = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_LATENCY_MS: '0', ...env }));
  const apiKey = env.SIM_API_KEY ?? 'x';
  return {
    ...started,
    client: new OpenAI({ baseURL: `${started.url}/v1`, apiKey, maxRetries: 0 }),
    async call(method, path, body, headers = {}) {
      const response = await fetch(started.url + path, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (an event stream, say): the test reads the text.
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes; waiting on an outcome, not on a fixed time. */
export async function eventually(condition: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
