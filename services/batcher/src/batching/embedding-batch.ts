import { countTextTokens } from '@switchyard/tokens';
import { failed, succeeded, type ItemOutcome } from './item-outcome';
import { splitProportionally } from './split-proportionally';

export interface EmbeddingUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One Execute call's embedding work. */
export interface EmbeddingCall {
  inputs: readonly string[];
}

/** Many calls as one upstream request, plus what is needed to split the answer back. */
export interface MergedEmbeddingCall {
  /** Every call's inputs, concatenated in call order. */
  inputs: string[];
  /** How many of `inputs` belong to each call, in call order. */
  inputCounts: number[];
  /** Estimated input tokens of each call, used to share the upstream usage out. */
  tokenEstimates: number[];
}

export interface EmbeddingResponse {
  /** One vector per merged input, in input order (the caller sorts the upstream's data by `index`). */
  vectors: readonly (readonly number[])[];
  usage: EmbeddingUsage;
}

export interface EmbeddingResult {
  vectors: number[][];
  usage: EmbeddingUsage;
}

/** Merges the calls of one batch into one upstream embeddings request. */
export function mergeEmbeddingCalls(calls: readonly EmbeddingCall[], countTokens: (text: string) => number = countTextTokens): MergedEmbeddingCall {
  const inputs: string[] = [];
  const inputCounts: number[] = [];
  const tokenEstimates: number[] = [];
  for (const call of calls) {
    inputs.push(...call.inputs);
    inputCounts.push(call.inputs.length);
    tokenEstimates.push(call.inputs.reduce((sum, text) => sum + countTokens(text), 0));
  }
  return { inputs, inputCounts, tokenEstimates };
}

/**
 * Gives each call its own vectors, in order, and its share of the usage. Usage is shared in proportion
 * to each call's estimated input tokens, so a tenant is billed for what it sent, and the shares add up
 * exactly to what the upstream reported (our estimate need not match the embedding model's tokenizer;
 * only the proportions matter). If all estimates are 0 it falls back to input counts.
 * A response with the wrong number of vectors fails every call: a shifted split would hand one tenant
 * another's vectors.
 */
export function splitEmbeddingResponse(merged: MergedEmbeddingCall, response: EmbeddingResponse): ItemOutcome<EmbeddingResult>[] {
  if (response.vectors.length !== merged.inputs.length) {
    const error = new Error(`upstream returned ${response.vectors.length} embeddings for ${merged.inputs.length} inputs`);
    return merged.inputCounts.map(() => failed(error));
  }
  const weights = merged.tokenEstimates.some((t) => t > 0) ? merged.tokenEstimates : merged.inputCounts;
  const inputShares = splitProportionally(response.usage.inputTokens, weights);
  const outputShares = splitProportionally(response.usage.outputTokens, weights);
  let offset = 0;
  return merged.inputCounts.map((count, i) => {
    const vectors = response.vectors.slice(offset, offset + count).map((v) => [...v]);
    offset += count;
    return succeeded({ vectors, usage: { inputTokens: inputShares[i]!, outputTokens: outputShares[i]! } });
  });
}
