/** A chat message as the router sees it: only what it needs to size and classify the prompt. */
export interface ChatMessage {
  role: string;
  content: string;
}

export interface RouteRequest {
  messages: readonly ChatMessage[];
  /** Explicit model; empty or missing lets the router choose. */
  model?: string;
  requireReasoning: boolean;
  /** Typical-latency budget in ms; 0 = no limit. */
  maxLatencyMs: number;
  /** Completion tokens to reserve in the context window; 0 = RoutingOptions.defaultMaxOutputTokens. */
  maxTokens: number;
  /** Carried for per-tenant policies; no rule uses it yet. */
  tenant: string;
}

export interface RouteDecision {
  model: string;
  tier: string;
  /** Why this model, naming the rule that decided; safe to log (never contains prompt text). */
  reason: string;
  /** Models to try in order if the chosen one cannot serve; all fit the prompt. */
  fallbacks: string[];
  complexity: number;
  estimatedInputTokens: number;
}

export interface RoutingOptions {
  /** Complexity below this goes to the `simple` tier. */
  simpleBelow: number;
  /** Complexity below this (and at or above simpleBelow) goes to `standard`; the rest to `reasoning`. */
  standardBelow: number;
  /** Completion tokens reserved when the request sets max_tokens = 0. */
  defaultMaxOutputTokens: number;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = {
  simpleBelow: 0.3,
  standardBelow: 0.7,
  defaultMaxOutputTokens: 1024,
};
