import { z } from 'zod';
import { isChatModel, type ModelEntry } from './model-entry';

/** One catalog entry. Unknown keys are rejected so a typo (`costPer1KInput`) fails start-up instead of becoming 0. */
export const modelEntrySchema = z.strictObject({
  name: z.string().trim().min(1, 'must be a non-empty model name'),
  tier: z.string().trim().min(1, 'must be a non-empty tier label'),
  costPer1kInput: z.number().finite().min(0, 'must be a cost >= 0 (USD per 1k tokens)'),
  costPer1kOutput: z.number().finite().min(0, 'must be a cost >= 0 (USD per 1k tokens)'),
  latencyMs: z.number().int().min(0, 'must be a whole number of milliseconds >= 0'),
  quality: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  contextWindow: z.number().int().positive('must be a whole number of tokens > 0'),
  capabilities: z.array(z.string().trim().min(1)).default([]),
  kind: z.enum(['chat', 'embedding']).default('chat'),
});

/**
 * The whole catalog (MODEL_CATALOG is a JSON array of entries). Entries are checked one by one so each
 * problem message names the entry: loadConfig reports only the variable name and the message, not the path.
 */
export const modelCatalogSchema = z
  .array(z.unknown(), { error: 'expected a JSON array of model entries' })
  .min(1, 'the catalog needs at least one model')
  .transform((items, ctx): ModelEntry[] => {
    const models: ModelEntry[] = [];
    items.forEach((item, index) => {
      const parsed = modelEntrySchema.safeParse(item);
      if (parsed.success) {
        models.push(parsed.data);
        return;
      }
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.');
        ctx.addIssue({
          code: 'custom',
          path: [index, ...issue.path],
          message: `${describeEntry(item, index)}${field ? ` field ${field}` : ''}: ${issue.message}`,
        });
      }
    });
    if (models.length !== items.length) return z.NEVER;

    const firstIndexByName = new Map<string, number>();
    models.forEach((model, index) => {
      const first = firstIndexByName.get(model.name);
      if (first === undefined) firstIndexByName.set(model.name, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `duplicate model name "${model.name}" (entries ${first} and ${index}); names must be unique`,
        });
    });
    if (!models.some(isChatModel)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'the catalog needs at least one model of kind "chat"' });
    }
    return models;
  });

function describeEntry(item: unknown, index: number): string {
  const name = typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.length > 0 ? `model ${index} ("${name}")` : `model ${index}`;
}
