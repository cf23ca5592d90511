import type { inferenceV1 } from '@switchyard/contracts';

/** One Execute call waiting in a batch. */
export interface WorkItem {
  tenant: string;
  completion?: inferenceV1.CompletionInput;
  embedding?: inferenceV1.EmbeddingInput;
  /** W3C traceparent of the Execute call, so upstream spans join the request's own trace. */
  traceparent: string;
  deadlineMs?: number;
}

export interface WorkResult {
  completion?: inferenceV1.CompletionOutput;
  embedding?: inferenceV1.EmbeddingOutput;
  region: string;
  attempts: number;
  /** Why the region was chosen and every upstream attempt, from the region router. */
  upstream?: inferenceV1.UpstreamRoute;
}
