import net from 'node:net';
import { setTimeout as waitFor } from 'node:timers/promises';
import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { modelRouterV1 } from '@switchyard/contracts';
import { service as healthService } from 'grpc-health-check';
import pino from 'pino';
import {
  Cancelled,
  DeadlineExpired,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
  PermissionDenied,
  ResourceExhausted,
  Unauthenticated,
  Unavailable,
  type SwitchyardError,
} from './errors';
import { createClient, type PromiseClient } from './grpc-client';
import { startGrpcServer, type GrpcServerOptions, type RunningGrpcServer } from './grpc-server';
import { RETRY_AFTER_MS_KEY } from './grpc-status';
import { unary, type CallContext } from './unary-handler';

type SelectRequest = modelRouterV1.SelectRequest;
type SelectResponse = modelRouterV1.SelectResponse;
type RouterClient = PromiseClient<typeof modelRouterV1.ModelRouterServiceService>;

const ROUTER = 'switchyard.modelrouter.v1.ModelRouterService';
const silent = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function answer(model: string, reason = ''): SelectResponse {
  return { model, tier: 'standard', reason, fallbacks: [], complexity: 0, estimatedInputTokens: 0 };
}

function request(partial: Partial<SelectRequest> = {}): SelectRequest {
  return modelRouterV1.SelectRequest.fromPartial(partial);
}

async function startRouter(
  select: (req: SelectRequest, ctx: CallContext) => Promise<SelectResponse>,
  options: Partial<GrpcServerOptions> = {},
): Promise<RunningGrpcServer> {
  const server = await startGrpcServer({
    service: 'model-router',
    host: '127.0.0.1',
    port: 0,
    logger: silent,
    bindings: [
      {
        name: ROUTER,
        definition: modelRouterV1.ModelRouterServiceService,
        implementation: {
          select: unary(silent, 'Select', select),
          listModels: unary(silent, 'ListModels', async () => ({ models: [] })),
        },
      },
    ],
    ...options,
  });
  // A test that already shut the server down gets the same promise back.
  cleanups.push(() => server.shutdown(0));
  return server;
}

function routerClient(address: string, defaultTimeoutMs?: number): RouterClient {
  const client = createClient(modelRouterV1.ModelRouterServiceService, address, { dependency: 'model-router', defaultTimeoutMs });
  cleanups.push(() => client.close());
  return client;
}

interface HealthClient extends Client {
  check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
  watch(req: { service: string }): NodeJS.EventEmitter & { cancel(): void };
}

function healthClient(address: string): HealthClient {
  const Health = makeGenericClientConstructor(healthService, 'Health');
  const client = new Health(address, credentials.createInsecure()) as unknown as HealthClient;
  cleanups.push(() => client.close());
  return client;
}

function check(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))));
}

/** A promise plus the function that settles it, for holding a handler open until the test lets it go. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Polls `condition` until it holds, failing after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('unary calls through startGrpcServer and createClient', () => {
  it('round-trips a request and its response over a real channel', async () => {
    const server = await startRouter(async (req) => answer(`echo:${req.model}`, `${req.messages.length} messages for ${req.tenant}`));
    const client = routerClient(server.address);

    const res = await client.select(request({ model: 'gpt-4o-mini', tenant: 'acme', messages: [{ role: 'user', content: 'hi' }] }));

    expect(res).toEqual(answer('echo:gpt-4o-mini', '1 messages for acme'));
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('hands the caller deadline to the handler', async () => {
    let seen: Date | undefined;
    const server = await startRouter(async (_req, ctx) => {
      seen = ctx.deadline;
      return answer('ok');
    });
    const deadline = new Date(Date.now() + 4_000);

    await routerClient(server.address).select(request(), { deadline });

    expect(seen).toBeInstanceOf(Date);
    expect(Math.abs(seen!.getTime() - deadline.getTime())).toBeLessThan(250);
  });

  it('gives an outgoing call made inside a handler the incoming deadline', async () => {
    let innerDeadline: Date | undefined;
    const inner = await startRouter(async (_req, ctx) => {
      innerDeadline = ctx.deadline;
      return answer('from-inner');
    });
    // The outer client's own default would be 60 s; the propagated deadline is ~3 s away.
    const innerClient = routerClient(inner.address, 60_000);
    const outer = await startRouter(async (req) => {
      const res = await innerClient.select(req);
      return answer(`outer+${res.model}`);
    });
    const deadline = new Date(Date.now() + 3_000);

    const res = await routerClient(outer.address).select(request(), { deadline });

    expect(res.model).toBe('outer+from-inner');
    expect(innerDeadline).toBeInstanceOf(Date);
    expect(Math.abs(innerDeadline!.getTime() - deadline.getTime())).toBeLessThan(250);
  });

  it('uses the client default timeout when neither caller nor incoming call set a deadline', async () => {
    let seen: Date | undefined;
    const server = await startRouter(async (_req, ctx) => {
      seen = ctx.deadline;
      return answer('ok');
    });
    const before = Date.now();

    await routerClient(server.address, 2_000).select(request());

    expect(seen!.getTime() - before).toBeGreaterThan(1_500);
    expect(seen!.getTime() - before).toBeLessThan(2_500);
  });

  it('aborts the handler signal when the client cancels, and the client sees Cancelled', async () => {
    const entered = gate();
    let abortReason: unknown;
    const server = await startRouter(async (_req, ctx) => {
      entered.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      abortReason = ctx.signal.reason;
      throw ctx.signal.reason;
    });
    const controller = new AbortController();
    const call = routerClient(server.address).select(request(), { signal: controller.signal });

    await entered.promise;
    controller.abort();

    expect(await rejectionOf(call)).toBeInstanceOf(Cancelled);
    await eventually(() => abortReason !== undefined);
    expect(abortReason).toBeInstanceOf(Cancelled);
  });

  it('aborts the handler signal with DeadlineExpired when the deadline passes, and the client sees DeadlineExpired', async () => {
    let abortReason: unknown;
    const server = await startRouter(async (_req, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      abortReason = ctx.signal.reason;
      throw ctx.signal.reason;
    });

    const err = await rejectionOf(routerClient(server.address).select(request(), { deadline: new Date(Date.now() + 150) }));

    expect(err).toBeInstanceOf(DeadlineExpired);
    await eventually(() => abortReason !== undefined);
    expect(abortReason).toBeInstanceOf(DeadlineExpired);
  });

  it('cancels the nested outgoing call when the incoming caller cancels', async () => {
    const innerEntered = gate();
    let innerAborted = false;
    const inner = await startRouter(async (_req, ctx) => {
      innerEntered.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      innerAborted = true;
      throw ctx.signal.reason;
    });
    const innerClient = routerClient(inner.address);
    let outerError: unknown;
    const outer = await startRouter(async (req) => {
      try {
        return await innerClient.select(req);
      } catch (err) {
        outerError = err;
        throw err;
      }
    });
    const controller = new AbortController();
    const call = routerClient(outer.address).select(request(), { signal: controller.signal });

    await innerEntered.promise;
    controller.abort();

    expect(await rejectionOf(call)).toBeInstanceOf(Cancelled);
    await eventually(() => innerAborted && outerError !== undefined);
    expect(outerError).toBeInstanceOf(Cancelled);
  });

  it('keeps the signal of a handler that already answered from aborting when the stream closes', async () => {
    const answered = gate<AbortSignal>();
    const server = await startRouter(async (_req, ctx) => {
      answered.open(ctx.signal);
      return answer('ok');
    });

    await routerClient(server.address).select(request());
    const signal = await answered.promise;
    // Give the stream time to close on the server; a work item left running after the reply keeps going.
    await check(healthClient(server.address), '');

    expect(signal.aborted).toBe(false);
  });

  it('maps a synchronous throw from a handler like a rejected promise', async () => {
    const server = await startRouter(() => {
      throw new InvalidArgument('model', 'is not in the catalog');
    });

    const err = await rejectionOf(routerClient(server.address).select(request()));

    expect(err).toBeInstanceOf(InvalidArgument);
    expect((err as InvalidArgument).field).toBe('model');
  });

  it('treats a handler that gave up on its aborted signal as cancelled work, not a failure to log as an error', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    let gaveUp = false;
    const server = await startGrpcServer({
      service: 'model-router',
      host: '127.0.0.1',
      port: 0,
      logger,
      bindings: [
        {
          name: ROUTER,
          definition: modelRouterV1.ModelRouterServiceService,
          implementation: {
            select: unary(logger, 'Select', async (_req: SelectRequest, ctx: CallContext) => {
              try {
                // Rejects with a DOMException AbortError once the deadline passes.
                await waitFor(60_000, undefined, { signal: ctx.signal });
              } finally {
                gaveUp = true;
              }
              return answer('never');
            }),
          },
        },
      ],
    });
    cleanups.push(() => server.shutdown(0));

    const err = await rejectionOf(routerClient(server.address).select(request(), { deadline: new Date(Date.now() + 100) }));
    await eventually(() => gaveUp && lines.some((line) => line.msg === 'handler rejected request'));

    expect(err).toBeInstanceOf(DeadlineExpired);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.find((line) => line.msg === 'handler rejected request')).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  });

  it('does not leave abort listeners behind on a long-lived signal', async () => {
    const server = await startRouter(async () => answer('ok'));
    const client = routerClient(server.address);
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners += 1;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners -= 1;
      remove(...args);
    }) as typeof remove;

    for (let i = 0; i < 20; i += 1) await client.select(request(), { signal: controller.signal });

    expect(listeners).toBe(0);
  });
});

describe('errors across the wire', () => {
  const cases: Array<[string, () => SwitchyardError, new (...args: never[]) => SwitchyardError, status]> = [
    ['InvalidArgument', () => new InvalidArgument('messages', 'must not be empty'), InvalidArgument, status.INVALID_ARGUMENT],
    ['Unauthenticated', () => new Unauthenticated('no API key'), Unauthenticated, status.UNAUTHENTICATED],
    ['PermissionDenied', () => new PermissionDenied('tenant may not use this model'), PermissionDenied, status.PERMISSION_DENIED],
    ['NotFound', () => new NotFound('model gpt-9 is not in the catalog'), NotFound, status.NOT_FOUND],
    ['DeadlineExpired', () => new DeadlineExpired('deadline passed in the queue'), DeadlineExpired, status.DEADLINE_EXCEEDED],
    ['ResourceExhausted', () => new ResourceExhausted('queue is full', 1500), ResourceExhausted, status.RESOURCE_EXHAUSTED],
    ['Unavailable', () => new Unavailable('redis is down', 250), Unavailable, status.UNAVAILABLE],
    ['Cancelled', () => new Cancelled('lease revoked'), Cancelled, status.CANCELLED],
    ['FailedPrecondition', () => new FailedPrecondition('lease already released'), FailedPrecondition, status.FAILED_PRECONDITION],
  ];

  it.each(cases)('sends %s with its status code and it comes back as the same class', async (_name, make, Kind, code) => {
    const server = await startRouter(async () => {
      throw make();
    });
    const raw = await rawSelect(server.address);
    const err = await rejectionOf(routerClient(server.address).select(request()));

    expect(raw.code).toBe(code);
    expect(err).toBeInstanceOf(Kind);
    expect((err as Error).message).toContain(make().message);
  });

  it('keeps retryAfterMs of ResourceExhausted through the retry-after-ms trailer', async () => {
    const server = await startRouter(async () => {
      throw new ResourceExhausted('queue is full', 1234.2);
    });

    const raw = await rawSelect(server.address);
    const err = await rejectionOf(routerClient(server.address).select(request()));

    expect(raw.metadata.get(RETRY_AFTER_MS_KEY)).toEqual(['1235']);
    expect(err).toBeInstanceOf(ResourceExhausted);
    expect((err as ResourceExhausted).retryAfterMs).toBe(1235);
    expect((err as ResourceExhausted).message).toBe('queue is full');
  });

  it('keeps the field of InvalidArgument', async () => {
    const server = await startRouter(async () => {
      throw new InvalidArgument('max_tokens', 'must be at most 4096');
    });

    const err = await rejectionOf(routerClient(server.address).select(request()));

    expect(err).toBeInstanceOf(InvalidArgument);
    expect((err as InvalidArgument).field).toBe('max_tokens');
    expect((err as InvalidArgument).message).toBe('max_tokens: must be at most 4096');
  });

  it('turns a plain Error into INTERNAL without leaking its message', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const server = await startGrpcServer({
      service: 'model-router',
      host: '127.0.0.1',
      port: 0,
      logger,
      bindings: [
        {
          name: ROUTER,
          definition: modelRouterV1.ModelRouterServiceService,
          implementation: {
            select: unary(logger, 'Select', async () => {
              throw new Error('password=hunter2 rejected by db');
            }),
          },
        },
      ],
    });
    cleanups.push(() => server.shutdown(0));

    const raw = await rawSelect(server.address);
    const err = await rejectionOf(routerClient(server.address).select(request()));

    expect(raw.code).toBe(status.INTERNAL);
    expect(raw.details).not.toContain('hunter2');
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Error).message).toContain('model-router');
    expect((err as Error).message).toContain('INTERNAL');
    expect((err as Error).message).not.toContain('hunter2');
    // The service's own log keeps the cause for whoever operates it.
    expect(lines.some((line) => line.includes('handler failed') && line.includes('hunter2'))).toBe(true);
  });

  it('rejects a request larger than maxMessageBytes with RESOURCE_EXHAUSTED', async () => {
    let called = false;
    const server = await startRouter(
      async () => {
        called = true;
        return answer('ok');
      },
      { maxMessageBytes: 1024 },
    );

    const err = await rejectionOf(routerClient(server.address).select(request({ model: 'x'.repeat(4096) })));

    expect(err).toBeInstanceOf(ResourceExhausted);
    expect(called).toBe(false);
  });

  it('rejects a response larger than the client maxMessageBytes with RESOURCE_EXHAUSTED', async () => {
    const server = await startRouter(async () => answer('y'.repeat(4096)));
    const client = createClient(modelRouterV1.ModelRouterServiceService, server.address, { dependency: 'model-router', maxMessageBytes: 1024 });
    cleanups.push(() => client.close());

    expect(await rejectionOf(client.select(request()))).toBeInstanceOf(ResourceExhausted);
  });

  it('reports an unreachable address as Unavailable naming the dependency', async () => {
    const port = await closedPort();

    const err = await rejectionOf(routerClient(`127.0.0.1:${port}`).select(request(), { deadline: new Date(Date.now() + 5_000) }));

    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Error).message).toMatch(/^model-router is unavailable: /);
  });
});

describe('health and shutdown', () => {
  it('answers SERVING for the server as a whole and for each bound service', async () => {
    const server = await startRouter(async () => answer('ok'));
    const health = healthClient(server.address);

    expect(await check(health, '')).toBe('SERVING');
    expect(await check(health, ROUTER)).toBe('SERVING');
    await expect(check(health, 'switchyard.nope.v1.Nope')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('turns NOT_SERVING when shutdown starts and waits for the in-flight call to finish', async () => {
    const entered = gate();
    const release = gate();
    const server = await startRouter(async () => {
      entered.open();
      await release.promise;
      return answer('finished');
    });
    const health = healthClient(server.address);
    expect(await check(health, '')).toBe('SERVING');
    const inFlight = routerClient(server.address).select(request());
    await entered.promise;

    let shutDown = false;
    const stopping = server.shutdown(10_000).then(() => {
      shutDown = true;
    });

    expect(await check(health, '')).toBe('NOT_SERVING');
    expect(await check(health, ROUTER)).toBe('NOT_SERVING');
    expect(shutDown).toBe(false);

    release.open();
    expect((await inFlight).model).toBe('finished');
    await stopping;
    expect(shutDown).toBe(true);
    // Closed for good: a new channel finds nobody listening.
    await expect(check(healthClient(server.address), '')).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it('tells health watchers NOT_SERVING and does not let their open stream hold shutdown up', async () => {
    const server = await startRouter(async () => answer('ok'));
    const statuses: string[] = [];
    const watch = healthClient(server.address).watch({ service: '' });
    watch.on('data', (res: { status: string }) => statuses.push(res.status));
    watch.on('error', () => undefined);
    await eventually(() => statuses.length === 1);

    const started = Date.now();
    await server.shutdown(20_000);

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
  });

  it('cancels calls that outlive the grace period and still resolves', async () => {
    const entered = gate();
    let aborted = false;
    const server = await startRouter(async (_req, ctx) => {
      entered.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      aborted = true;
      throw ctx.signal.reason;
    });
    const stuck = routerClient(server.address).select(request());
    await entered.promise;

    await server.shutdown(200);

    expect(await rejectionOf(stuck)).toBeInstanceOf(Error);
    await eventually(() => aborted);
  });

  it('returns the same shutdown to every caller', async () => {
    const server = await startRouter(async () => answer('ok'));
    expect(server.shutdown()).toBe(server.shutdown(0));
    await server.shutdown();
  });
});

function rawSelect(address: string): Promise<ServiceError> {
  const Router = makeGenericClientConstructor(modelRouterV1.ModelRouterServiceService, 'ModelRouter');
  const client = new Router(address, credentials.createInsecure());
  const method = modelRouterV1.ModelRouterServiceService.select;
  return new Promise<ServiceError>((resolve, reject) =>
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request(), new Metadata(), {}, (err) => {
      client.close();
      if (err) resolve(err);
      else reject(new Error('expected the call to fail'));
    }),
  );
}
