import type { HttpContext } from './http-context';
import { HttpRefusal } from './openai-error';
import { modelList, modelObject } from './openai-responses';

/** GET /v1/models: the model router's catalog. */
export async function handleListModels(ctx: HttpContext): Promise<void> {
  ctx.sendJson(200, modelList(await ctx.frontDoor.listModels(ctx.call())));
}

/** GET /v1/models/{id}. */
export async function handleGetModel(ctx: HttpContext, id: string): Promise<void> {
  const model = (await ctx.frontDoor.listModels(ctx.call())).find((m) => m.name === id);
  if (!model) throw new HttpRefusal(404, `the model "${id.slice(0, 128)}" does not exist in this gateway's catalog`, 'model_not_found');
  ctx.sendJson(200, modelObject(model));
}
