export { ResponseCache, type ResponseCacheDependencies, type ResponseCacheOptions } from './response-cache';
export { exactKey, semanticQuery, type SemanticQuery } from './canonical-key';
export { DEFAULT_MATCHING_POLICY, tiersFor, type MatchingPolicy, type SampledPolicy, type Tiers } from './matching-policy';
export { questionSignature, parseSignature, type QuestionSignature } from './question-signature';
export { verifyCandidate, type RejectionReason, type Verdict, type VerificationMode } from './verify-candidate';
export type {
  CacheKeyInput,
  CacheStats,
  CacheStatus,
  ChatMessage,
  InvalidateRequest,
  LookupOptions,
  LookupResult,
  StoreResult,
  StoreSkipReason,
  Usage,
} from './types';
