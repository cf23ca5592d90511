export {
  COMPLEX_KEYWORDS,
  COMPLEXITY_TIERS,
  LONG_CONTEXT_TOKENS,
  complexityTier,
  estimateComplexity,
  type ComplexityInput,
  type ComplexityTier,
} from './estimate-complexity';
export { listModels, type ListedModel } from './list-models';
export { ModelRouter } from './model-router';
export {
  DEFAULT_ROUTING_OPTIONS,
  type ChatMessage,
  type RouteDecision,
  type RouteRequest,
  type RoutingOptions,
} from './route-request';
export { selectModel } from './select-model';
