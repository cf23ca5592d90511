import type { ServiceDefinition } from '@grpc/grpc-js';
import pino from 'pino';
import { runInCallScope } from './call-scope';
import { Cancelled, DeadlineExpired, ResourceExhausted, isSwitchyardError } from './errors';
import { createStreamingClient, type StreamingClient } from './grpc-stream-client';
import { createInProcessStreamingClient } from './in-process-stream-client';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server';
import { serverStream } from './server-stream-handler';
import type { CallContext } from './unary-handler';

interface CountRequest {
  upTo: number;
  failAfter?: number;
  /** Wait for the caller to cancel after this many messages. */
  hangAfter?: number;
}
interface CountMessage {
  n: number;
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (buffer: Buffer) => JSON.parse(buffer.toString('utf8')) as never,
};

// A hand-written definition keeps this test independent of any service's contract.
const CounterService = {
  count: {
    path: '/test.Counter/Count',
    requestStream: false as const,
    responseStream: true as const,
    requestSerialize: json.serialize as (value: CountRequest) => Buffer,
    requestDeserialize: json.deserialize as (value: Buffer) => CountRequest,
    responseSerialize: json.serialize as (value: CountMessage) => Buffer,
    responseDeserialize: json.deserialize as (value: Buffer) => CountMessage,
  },
} satisfies ServiceDefinition;

const silent = pino({ level: 'silent' });

// The same behaviour over the network and bound in process (the one-process topology).
describe.each(['grpc', 'in-process'] as const)('server-streaming handler and streaming client (%s)', (transport) => {
  let server: RunningGrpcServer;
  let client: StreamingClient<typeof CounterService>;
  const ended: Array<{ upTo: number; reason: string }> = [];
  let lastCtx: CallContext | undefined;

  // The handler's closure records what it saw; the same object is served over gRPC and bound in process.
  const implementation = {
    count: serverStream<CountRequest, CountMessage>(silent, 'Count', async (request, ctx, send) => {
      lastCtx = ctx;
      try {
        for (let n = 1; n <= request.upTo; n++) {
          if (request.failAfter !== undefined && n > request.failAfter) throw new ResourceExhausted('no more numbers today', 1500);
          if (request.hangAfter !== undefined && n > request.hangAfter) {
            await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
          }
          await send({ n });
        }
        ended.push({ upTo: request.upTo, reason: 'complete' });
      } catch (err) {
        ended.push({ upTo: request.upTo, reason: isSwitchyardError(err) ? err.kind : 'other' });
        throw err;
      }
    }),
  };

  beforeAll(async () => {
    server = await startGrpcServer({
      service: 'counter',
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      lameDuckMs: 0,
      bindings: [{ name: 'test.Counter', definition: CounterService, implementation }],
    });
    client =
      transport === 'grpc'
        ? createStreamingClient(CounterService, server.address, { dependency: 'counter' })
        : createInProcessStreamingClient(CounterService, implementation, { dependency: 'counter' });
  });

  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  async function collect(iterable: AsyncIterable<CountMessage>): Promise<number[]> {
    const out: number[] = [];
    for await (const message of iterable) out.push(message.n);
    return out;
  }

  it('delivers every message in order and ends cleanly', async () => {
    expect(await collect(client.count({ upTo: 500 }))).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  });

  it('ends the stream with the status of a thrown domain error, after the messages already sent', async () => {
    const received: number[] = [];
    let failure: unknown;
    try {
      for await (const message of client.count({ upTo: 10, failAfter: 3 })) received.push(message.n);
    } catch (err) {
      failure = err;
    }
    expect(received).toEqual([1, 2, 3]);
    expect(failure).toBeInstanceOf(ResourceExhausted);
    expect((failure as ResourceExhausted).retryAfterMs).toBe(1500);
  });

  it('cancels the call when the consumer stops iterating, and the handler sees the cancellation', async () => {
    for await (const message of client.count({ upTo: 11, hangAfter: 2 })) {
      if (message.n === 2) break;
    }
    await waitFor(() => ended.some((e) => e.upTo === 11));
    expect(ended.find((e) => e.upTo === 11)?.reason).toBe('cancelled');
    expect(lastCtx?.signal.reason).toBeInstanceOf(Cancelled);
  });

  it("propagates the current call scope's cancellation to the stream", async () => {
    const controller = new AbortController();
    const received: number[] = [];
    const run = runInCallScope({ signal: controller.signal }, async () => {
      for await (const message of client.count({ upTo: 12, hangAfter: 1 })) {
        received.push(message.n);
        controller.abort();
      }
    });
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    expect(received).toEqual([1]);
  });

  it('reports a passed deadline as DeadlineExpired', async () => {
    const iterable = client.count({ upTo: 13, hangAfter: 1 }, { deadline: new Date(Date.now() + 200) });
    await expect(collect(iterable)).rejects.toBeInstanceOf(DeadlineExpired);
    // The handler stops too (as a deadline or a cancel, depending on which side noticed first).
    await waitFor(() => ended.some((e) => e.upTo === 13));
  });

  it('does not start the call until iteration starts', async () => {
    client.count({ upTo: 14 });
    expect(await collect(client.count({ upTo: 1 }))).toEqual([1]);
    expect(ended.some((e) => e.upTo === 14)).toBe(false);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
