export { FaultState, NO_FAULTS, type Faults } from './fault-state';
export { RATE_WINDOW_MS, SlidingRateWindow, type Admission, type RateLimits, type RateSnapshot } from './rate-window';
export {
  ModelNotFound,
  RegionSimulator,
  isEmbeddingModel,
  type ChatCompletionPlan,
  type ChatRequest,
  type Decision,
  type EmbeddingPlan,
  type EmbeddingRequest,
  type RegionSettings,
  type RejectionReason,
  type SimulatorStats,
} from './region-simulator';
export {
  MAX_ANSWER_WORDS,
  MIN_ANSWER_WORDS,
  promptFingerprint,
  simulateAnswer,
  truncateToTokens,
  type AnswerRequest,
  type ChatMessage,
  type FinishReason,
  type SimulatedAnswer,
} from './simulated-answer';
export {
  DEFAULT_EMBEDDING_DIMENSIONS,
  MAX_EMBEDDING_DIMENSIONS,
  encodeEmbeddingBase64,
  simulateEmbedding,
} from './simulated-embedding';
export { stableHash } from './stable-hash';
export { splitIntoStreamChunks } from './stream-chunks';
