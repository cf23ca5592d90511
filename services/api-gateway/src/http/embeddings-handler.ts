import { asOpenAIField, parseEmbeddingRequest } from './embedding-request';
import type { HttpContext } from './http-context';
import { embeddingList } from './openai-responses';
import { quotaHeaders, routeHeaders } from './switchyard-headers';

/** POST /v1/embeddings. */
export function handleEmbeddings(ctx: HttpContext): Promise<void> {
  return ctx.measured('embed', async (observed) => {
    const { headers, body } = await ctx.admitAndRead();
    const request = parseEmbeddingRequest(body, headers);
    const served = await ctx.frontDoor.embed(ctx.call(headers.deadline, observed), request.input).catch((err: unknown) => {
      throw asOpenAIField(err);
    });
    ctx.sendJson(200, embeddingList(served.result, request.encoding), { ...routeHeaders(served.result.route, false), ...quotaHeaders(served.quota) });
  });
}
