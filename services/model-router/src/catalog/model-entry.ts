/** What a model can be used for; embedding models are listed but never chosen for chat. */
export type ModelKind = 'chat' | 'embedding';

/** One model the router may choose, as configured in the catalog. */
export interface ModelEntry {
  name: string;
  /** Free-form label; the complexity rule looks for the tiers `simple`, `standard` and `reasoning`. */
  tier: string;
  /** USD per 1,000 prompt tokens. */
  costPer1kInput: number;
  /** USD per 1,000 completion tokens. */
  costPer1kOutput: number;
  /** Typical time to a full answer, in milliseconds. */
  latencyMs: number;
  /** Relative answer quality, 0..1; only comparisons between models matter. */
  quality: number;
  /** Prompt plus completion tokens the model accepts. */
  contextWindow: number;
  /** Free-form tags; `reasoning` marks models eligible for require_reasoning. */
  capabilities: string[];
  /** Missing means `chat`. */
  kind?: ModelKind;
}

export type ModelCatalog = readonly ModelEntry[];

export function isChatModel(model: ModelEntry): boolean {
  return (model.kind ?? 'chat') === 'chat';
}
