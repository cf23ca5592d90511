import { inferenceV1, type regionV1 } from '@switchyard/contracts';
import { errorFromStatus, type CallOpts } from '@switchyard/service-kit';
import { failed, mergeEmbeddingCalls, parseBatchKey, splitEmbeddingResponse, succeeded, type BatchKey, type ItemOutcome } from '../batching';
import type { WorkItem, WorkResult } from './work-item';

export interface RegionRouterPort {
  dispatch(request: regionV1.DispatchRequest, opts?: CallOpts): Promise<regionV1.DispatchResponse>;
}

/**
 * Sends one batch to the region router. Completions go as one item each (the router runs them in
 * parallel); embeddings are merged into ONE item, i.e. one upstream call, and split back here.
 * The call carries the latest deadline among the items and is never cancelled by one caller leaving:
 * the others in the batch still want their answers.
 */
export async function dispatchToRegion(
  router: RegionRouterPort,
  key: BatchKey,
  items: WorkItem[],
  defaultDeadlineMs: number,
): Promise<ItemOutcome<WorkResult>[]> {
  const { kind, model, userRegion } = parseBatchKey(key);
  const deadlines = items.map((i) => i.deadlineMs ?? defaultDeadlineMs);
  const opts: CallOpts = { deadline: new Date(Math.max(...deadlines)), signal: new AbortController().signal };

  if (kind === 'embedding') {
    const merged = mergeEmbeddingCalls(items.map((i) => ({ inputs: i.embedding?.inputs ?? [] })));
    const response = await router.dispatch(
      {
        kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
        model,
        userRegion,
        items: [{ itemId: '0', embedding: { inputs: merged.inputs }, completion: undefined, traceparent: items[0]!.traceparent, tenant: items[0]!.tenant }],
      },
      opts,
    );
    const result = response.results[0];
    if (!result) throw new Error('region router returned no result for the embedding batch');
    if (result.error) return items.map(() => failed(errorOf(result.error!)));
    const output = result.embedding ?? { embeddings: [], usage: undefined };
    const split = splitEmbeddingResponse(merged, {
      vectors: output.embeddings.map((e) => e.values),
      usage: output.usage ?? { inputTokens: 0, outputTokens: 0 },
    });
    return split.map((outcome) =>
      outcome.ok
        ? succeeded({
            embedding: { embeddings: outcome.value.vectors.map((values) => ({ values })), usage: outcome.value.usage },
            region: result.region,
            attempts: result.attempts,
          })
        : outcome,
    );
  }

  const response = await router.dispatch(
    {
      kind: inferenceV1.WorkKind.WORK_KIND_COMPLETION,
      model,
      userRegion,
      items: items.map((item, i) => ({ itemId: String(i), completion: item.completion, embedding: undefined, traceparent: item.traceparent, tenant: item.tenant })),
    },
    opts,
  );
  const byId = new Map(response.results.map((r) => [r.itemId, r]));
  return items.map((_, i) => {
    const result = byId.get(String(i));
    if (!result) return failed(new Error(`region router returned no result for item ${i}`));
    if (result.error) return failed(errorOf(result.error));
    return succeeded({ completion: result.completion, region: result.region, attempts: result.attempts });
  });
}

function errorOf(error: inferenceV1.ItemError): Error {
  return errorFromStatus(error.code, error.message, 'region-router', error.retryAfterMs || undefined);
}
