import { ModelNotFound } from '../simulator';
import { sendJson } from './openai-errors';
import type { RequestContext } from './request-context';

// A fixed creation time keeps the listing identical across runs.
const CREATED = 1_700_000_000;

const describe = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'upstream-sim' });

export function handleListModels(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { object: 'list', data: ctx.simulator.listModels().map(describe) });
}

export function handleGetModel(ctx: RequestContext, id: string): void {
  if (!ctx.simulator.listModels().includes(id)) throw new ModelNotFound(id, ctx.simulator.region);
  sendJson(ctx.res, 200, describe(id));
}
