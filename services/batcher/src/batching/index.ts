export { batchKey, parseBatchKey, type BatchKey, type BatchKeyParts, type WorkKind } from './batch-key';
export {
  Batcher,
  PRIORITY_BULK,
  PRIORITY_CRITICAL,
  type BatchedResult,
  type BatchEvent,
  type BatcherDeps,
  type BatcherStats,
  type DispatchBatch,
  type FlushReason,
  type SubmitOptions,
} from './batcher';
export { validateBatcherOptions, type BatcherOptions } from './batcher-options';
export { failed, succeeded, type ItemOutcome } from './item-outcome';
