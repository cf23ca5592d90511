import { z } from 'zod';
import { envAddress, envInt, grpcServerSettings } from '@switchyard/service-kit';

/** Settings of the batcher; every key is an environment variable (see README). */
export const batcherConfigSchema = z.object({
  ...grpcServerSettings(50054),
  REGION_ROUTER_ADDRESS: envAddress('127.0.0.1:50056'),
  /** Items per batch (the seed's 32). */
  BATCHER_MAX_BATCH_SIZE: envInt(32, 1, 4096),
  /** Longest wait after a batch's first item, in ms (see ADR 0004 for why not the seed's 100). */
  BATCHER_MAX_WAIT_MS: envInt(20, 0, 10_000),
  /** Time an item must still have before its deadline when its batch leaves; a batch leaves early for it, or at once. */
  BATCHER_MIN_SLACK_MS: envInt(250, 0),
  /** Embedding inputs per upstream call (OpenAI accepts at most 2048). */
  BATCHER_MAX_EMBEDDING_INPUTS: envInt(2048, 1),
  /** Deadline for a batch whose items carry none. */
  BATCHER_DEFAULT_DEADLINE_MS: envInt(60_000, 1),
});

export type BatcherConfig = z.infer<typeof batcherConfigSchema>;
