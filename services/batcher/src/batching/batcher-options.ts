import { InvalidArgument } from '@switchyard/service-kit/errors';

export interface BatcherOptions {
  /** A batch is dispatched as soon as it holds this many items. */
  maxBatchSize: number;
  /** A batch is dispatched at the latest this long after its first item arrived. */
  maxWaitMs: number;
  /**
   * Time an item must still have before its deadline when its batch leaves (for the region router and the
   * upstream): a batch leaves by the earliest `deadline - minSlackMs` of its members, and an item with no
   * more than this left does not wait at all.
   */
  minSlackMs: number;
  /**
   * Optional cap on the summed weight of a batch (see BatcherDeps.weigh), e.g. embedding inputs per
   * upstream call. Defaults to no cap.
   */
  maxBatchWeight?: number;
}

export function validateBatcherOptions(options: BatcherOptions): Required<BatcherOptions> {
  const { maxBatchSize, maxWaitMs, minSlackMs, maxBatchWeight = Number.POSITIVE_INFINITY } = options;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new InvalidArgument('maxBatchSize', 'must be an integer of at least 1');
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new InvalidArgument('maxWaitMs', 'must be a number of milliseconds, 0 or more');
  if (!Number.isFinite(minSlackMs) || minSlackMs < 0) throw new InvalidArgument('minSlackMs', 'must be a number of milliseconds, 0 or more');
  if (Number.isNaN(maxBatchWeight) || maxBatchWeight <= 0) throw new InvalidArgument('maxBatchWeight', 'must be a positive number');
  return { maxBatchSize, maxWaitMs, minSlackMs, maxBatchWeight };
}
