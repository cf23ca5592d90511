import { encodeEmbeddingBase64 } from '../simulator';
import { modelOfDeployment, requireApiVersion } from './azure-api-version';
import { holdOpen } from './hold-open';
import { sendJson } from './openai-errors';
import { rateLimitHeaders } from './rate-limit-headers';
import { sendRefusal } from './refusal';
import type { RequestContext } from './request-context';
import { parseEmbeddingRequest } from './request-schemas';
import { waitUnlessAborted } from './wait-unless-aborted';

/** POST /v1/embeddings and /openai/deployments/{deployment}/embeddings. */
export async function handleEmbeddings(ctx: RequestContext, deployment?: string): Promise<void> {
  if (deployment !== undefined) requireApiVersion(ctx.url);
  const request = parseEmbeddingRequest(await ctx.readJson(), modelOfDeployment(ctx, deployment));
  ctx.log.model = request.model;
  ctx.log.inputs = request.inputs.length;
  const decision = ctx.simulator.planEmbedding(request);
  if (decision.outcome === 'hang') return holdOpen(ctx);
  if (decision.outcome !== 'ok') {
    sendRefusal(ctx, decision);
    return;
  }
  const { plan } = decision;
  ctx.log.prompt_tokens = plan.promptTokens;
  if (!(await waitUnlessAborted(plan.latencyMs, ctx.signal))) {
    ctx.log.outcome = 'cancelled';
    ctx.simulator.recordCancelled();
    return;
  }
  ctx.log.outcome = 'ok';
  sendJson(
    ctx.res,
    200,
    {
      object: 'list',
      data: plan.vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: request.encoding === 'base64' ? encodeEmbeddingBase64(vector) : vector,
      })),
      model: plan.model,
      usage: { prompt_tokens: plan.promptTokens, total_tokens: plan.promptTokens },
    },
    { ...ctx.responseHeaders, ...rateLimitHeaders(decision.rate) },
  );
}
