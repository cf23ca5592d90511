import { inferenceV1, type regionV1 } from '@switchyard/contracts';
import { errorFromStatus, type CallOpts } from '@switchyard/service-kit';
import { failed, parseBatchKey, succeeded, type BatchKey, type ItemOutcome } from '../batching';
import type { WorkItem, WorkResult } from './work-item';

export interface RegionRouterPort {
  dispatch(request: regionV1.DispatchRequest, opts?: CallOpts): Promise<regionV1.DispatchResponse>;
}

export interface DispatchedBatch {
  outcomes: ItemOutcome<WorkResult>[];
  /** Upstream calls the region router avoided by sending items together. */
  upstreamCallsSaved: number;
}

/**
 * Sends one batch to the region router as one Dispatch: completions run there in parallel, and the
 * embedding items of a batch become ONE upstream call (per residency group) whose vectors and usage it
 * splits back per item. The call carries the latest deadline among the items, each item its own (no attempt
 * for it starts later), and it is never cancelled by one caller leaving: the others still want their answers.
 */
export async function dispatchToRegion(
  router: RegionRouterPort,
  key: BatchKey,
  items: WorkItem[],
  defaultDeadlineMs: number,
): Promise<DispatchedBatch> {
  const { kind, model, userRegion } = parseBatchKey(key);
  const deadline = new Date(Math.max(...items.map((i) => i.deadlineMs ?? defaultDeadlineMs)));
  const response = await router.dispatch(
    {
      kind: kind === 'embedding' ? inferenceV1.WorkKind.WORK_KIND_EMBEDDING : inferenceV1.WorkKind.WORK_KIND_COMPLETION,
      model,
      userRegion,
      items: items.map((item, i) => ({
        itemId: String(i),
        completion: item.completion,
        embedding: item.embedding,
        traceparent: item.traceparent,
        tenant: item.tenant,
        deadlineUnixMs: String(Math.round(item.deadlineMs ?? 0)),
      })),
    },
    { deadline, signal: new AbortController().signal },
  );
  const byId = new Map(response.results.map((r) => [r.itemId, r]));
  const outcomes = items.map((_, i): ItemOutcome<WorkResult> => {
    const result = byId.get(String(i));
    if (!result) return failed(new Error(`region router returned no result for item ${i}`));
    if (result.error) return failed(errorFromStatus(result.error.code, result.error.message, 'region-router', result.error.retryAfterMs || undefined));
    return succeeded({ completion: result.completion, embedding: result.embedding, region: result.region, attempts: result.attempts, upstream: result.upstream });
  });
  return { outcomes, upstreamCallsSaved: response.upstreamCallsSaved };
}
