export { modelCatalogSchema, modelEntrySchema } from './catalog-schema';
export { defaultCatalog } from './default-catalog';
export { isChatModel, type ModelCatalog, type ModelEntry, type ModelKind } from './model-entry';
