import type { RequestContext } from './request-context';

/**
 * An injected hang: the request is accepted and never answered, like an upstream that stopped responding
 * mid-request. It ends only when the client gives up (its timeout) or the simulator shuts down, which
 * drops the connection so the client sees a failure rather than an answer.
 */
export async function holdOpen(ctx: RequestContext): Promise<void> {
  ctx.log.outcome = 'hung';
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted || ctx.closing.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    ctx.closing.addEventListener('abort', () => resolve(), { once: true });
  });
  if (!ctx.signal.aborted) ctx.res.destroy();
  ctx.simulator.recordCancelled();
}
