import type { ModelCatalog, ModelEntry } from '../catalog/model-entry';

/** A catalog entry as ListModels reports it, with the kind spelled out. */
export type ListedModel = Required<ModelEntry>;

/** Every configured model, chat and embedding, in catalog order; copies, so callers cannot alter the catalog. */
export function listModels(catalog: ModelCatalog): ListedModel[] {
  return catalog.map((m) => ({ ...m, capabilities: [...m.capabilities], kind: m.kind ?? 'chat' }));
}
