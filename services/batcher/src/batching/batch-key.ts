import { InvalidArgument } from '@switchyard/service-kit/errors';

export type WorkKind = 'completion' | 'embedding';

/** Opaque identity of a batch: requests batch together only when their keys are equal. */
export type BatchKey = string;

export interface BatchKeyParts {
  kind: WorkKind;
  model: string;
  /** The caller's home region; empty when unknown. Part of the key because it steers routing. */
  userRegion: string;
}

const KINDS: readonly WorkKind[] = ['completion', 'embedding'];

/**
 * Builds the key under which requests may share one upstream dispatch. Kind, model and home region all
 * take part: embeddings and completions are different upstream calls, and a batch goes to one region.
 * Model and region are percent-encoded, so a ':' inside them can never make two different triples collide.
 */
export function batchKey(parts: BatchKeyParts): BatchKey {
  if (!KINDS.includes(parts.kind)) throw new InvalidArgument('kind', `must be one of ${KINDS.join(', ')}`);
  if (typeof parts.model !== 'string' || parts.model.length === 0) throw new InvalidArgument('model', 'must not be empty');
  if (typeof parts.userRegion !== 'string') throw new InvalidArgument('userRegion', 'must be a string (empty when unknown)');
  return `${parts.kind}:${encodeURIComponent(parts.model)}:${encodeURIComponent(parts.userRegion)}`;
}

/** The inverse of batchKey, for the dispatch function that must tell the region router what it sends. */
export function parseBatchKey(key: BatchKey): BatchKeyParts {
  const fields = key.split(':');
  const [kind, model, userRegion] = fields;
  if (fields.length !== 3 || !KINDS.includes(kind as WorkKind) || model === undefined || model.length === 0 || userRegion === undefined) {
    throw new InvalidArgument('key', `is not a batch key made by batchKey(): ${JSON.stringify(key)}`);
  }
  return { kind: kind as WorkKind, model: decodeURIComponent(model), userRegion: decodeURIComponent(userRegion) };
}
