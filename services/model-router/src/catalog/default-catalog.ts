import type { ModelEntry } from './model-entry';

/**
 * The catalog used when MODEL_CATALOG is unset: the seed's three tiers with their names kept for
 * recognisability, priced per 1k tokens as OpenAI lists them, plus one embedding model for Embed.
 * Typed as a mutable array because `envJson` takes the schema's input type.
 */
export const defaultCatalog: ModelEntry[] = [
  {
    name: 'gpt-4o-mini',
    tier: 'simple',
    costPer1kInput: 0.00015,
    costPer1kOutput: 0.0006,
    latencyMs: 200,
    quality: 0.85,
    contextWindow: 128_000,
    capabilities: ['tools', 'vision'],
    kind: 'chat',
  },
  {
    name: 'gpt-4o',
    tier: 'standard',
    costPer1kInput: 0.0025,
    costPer1kOutput: 0.01,
    latencyMs: 500,
    quality: 0.95,
    contextWindow: 128_000,
    capabilities: ['tools', 'vision'],
    kind: 'chat',
  },
  {
    name: 'o1-preview',
    tier: 'reasoning',
    costPer1kInput: 0.015,
    costPer1kOutput: 0.06,
    latencyMs: 2000,
    quality: 0.98,
    contextWindow: 128_000,
    capabilities: ['reasoning'],
    kind: 'chat',
  },
  {
    // Quality is required by the schema but unused: embedding models are never ranked against chat models.
    name: 'text-embedding-3-small',
    tier: 'embedding',
    costPer1kInput: 0.00002,
    costPer1kOutput: 0,
    latencyMs: 100,
    quality: 0.8,
    contextWindow: 8191,
    capabilities: ['embedding'],
    kind: 'embedding',
  },
];
