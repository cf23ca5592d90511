import { modelRouterV1 } from '@switchyard/contracts';
import pino from 'pino';
import { runInCallScope } from './call-scope';
import { Cancelled, DeadlineExpired, InvalidArgument, ResourceExhausted } from './errors';
import { createInProcessClient } from './in-process-client';
import { unary, type CallContext } from './unary-handler';

type SelectRequest = modelRouterV1.SelectRequest;
type SelectResponse = modelRouterV1.SelectResponse;

const silent = pino({ level: 'silent' });

function answer(model: string, reason = ''): SelectResponse {
  return { model, tier: 'standard', reason, fallbacks: [], complexity: 0, estimatedInputTokens: 0 };
}

function boundRouter(select: (req: SelectRequest, ctx: CallContext) => Promise<SelectResponse>) {
  return createInProcessClient(
    modelRouterV1.ModelRouterServiceService,
    { select: unary(silent, 'Select', select), listModels: unary(silent, 'ListModels', async () => ({ models: [] })) },
    { dependency: 'model-router' },
  );
}

const request = (partial: Partial<SelectRequest> = {}) => modelRouterV1.SelectRequest.fromPartial(partial);

describe('in-process client', () => {
  it('calls the same handler the gRPC server would, and returns its answer', async () => {
    const client = boundRouter(async (req) => answer(`for-${req.tenant}`));
    await expect(client.select(request({ tenant: 'team-a' }))).resolves.toMatchObject({ model: 'for-team-a' });
  });

  it("propagates the incoming call's deadline to the handler", async () => {
    let seen: Date | undefined;
    const client = boundRouter(async (_req, ctx) => {
      seen = ctx.deadline;
      return answer('m');
    });
    const deadline = new Date(Date.now() + 4_321);
    await runInCallScope({ deadline, signal: new AbortController().signal }, () => client.select(request()));
    expect(seen?.getTime()).toBe(deadline.getTime());
  });

  it('maps handler errors to the same domain errors a network client would give', async () => {
    const invalid = boundRouter(async () => {
      throw new InvalidArgument('model', 'unknown model "x"');
    });
    const error = await invalid.select(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as InvalidArgument).field).toBe('model');

    const exhausted = boundRouter(async () => {
      throw new ResourceExhausted('queue full', 1500);
    });
    const shed = await exhausted.select(request()).catch((e: unknown) => e);
    expect(shed).toBeInstanceOf(ResourceExhausted);
    expect((shed as ResourceExhausted).retryAfterMs).toBe(1500);
  });

  it('answers DEADLINE_EXCEEDED when the deadline passes and aborts the handler', async () => {
    let aborted: unknown;
    const client = boundRouter(
      (_req, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = ctx.signal.reason;
            reject(ctx.signal.reason);
          }),
        ),
    );
    await expect(client.select(request(), { deadline: new Date(Date.now() + 20) })).rejects.toBeInstanceOf(DeadlineExpired);
    expect(aborted).toBeInstanceOf(DeadlineExpired);
  });

  it('cancels the handler when the caller aborts', async () => {
    let handlerSawAbort = false;
    const client = boundRouter(
      (_req, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => {
            handlerSawAbort = true;
            reject(ctx.signal.reason);
          }),
        ),
    );
    const controller = new AbortController();
    const call = client.select(request(), { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(Cancelled);
    expect(handlerSawAbort).toBe(true);
  });
});
