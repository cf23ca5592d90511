import { sendJson } from './openai-errors';
import type { RequestContext } from './request-context';
import { parseFaultPatch } from './request-schemas';

/** GET /admin/faults shows the current faults; POST changes the fields it names and leaves the rest. */
export async function handleFaults(ctx: RequestContext): Promise<void> {
  if (ctx.req.method === 'POST') {
    const faults = ctx.simulator.updateFaults(parseFaultPatch(await ctx.readJson()));
    ctx.log.faults = faults;
    sendJson(ctx.res, 200, faults);
    return;
  }
  sendJson(ctx.res, 200, ctx.simulator.faults());
}

export function handleStats(ctx: RequestContext): void {
  sendJson(ctx.res, 200, ctx.simulator.stats());
}

/** Back to the configured state: faults, an empty rate window, zero counters, the PRNG at its seed. */
export function handleReset(ctx: RequestContext): void {
  ctx.simulator.reset();
  sendJson(ctx.res, 200, { reset: true, faults: ctx.simulator.faults() });
}
