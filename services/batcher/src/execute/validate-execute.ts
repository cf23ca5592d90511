import { inferenceV1, type batcherV1 } from '@switchyard/contracts';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { WorkKind } from '../batching';

export interface ValidExecute {
  kind: WorkKind;
  priority: number;
}

/** Checks one Execute call before it joins a batch: a bad item must fail alone, not the batch it would join. */
export function validateExecute(request: batcherV1.ExecuteRequest, maxEmbeddingInputs: number): ValidExecute {
  const priority = request.priority === 0 ? 3 : request.priority;
  if (!Number.isInteger(priority) || priority < 1 || priority > 5) throw new InvalidArgument('priority', `unknown priority ${request.priority}`);
  if (!request.model) throw new InvalidArgument('model', 'must not be empty');
  switch (request.kind) {
    case inferenceV1.WorkKind.WORK_KIND_COMPLETION:
      if (!request.completion || request.completion.messages.length === 0) {
        throw new InvalidArgument('completion.messages', 'a completion needs at least one message');
      }
      return { kind: 'completion', priority };
    case inferenceV1.WorkKind.WORK_KIND_EMBEDDING: {
      const inputs = request.embedding?.inputs ?? [];
      if (inputs.length === 0) throw new InvalidArgument('embedding.inputs', 'at least one input is required');
      if (inputs.length > maxEmbeddingInputs) throw new InvalidArgument('embedding.inputs', `${inputs.length} inputs exceed the limit of ${maxEmbeddingInputs}`);
      return { kind: 'embedding', priority };
    }
    default:
      throw new InvalidArgument('kind', 'must be WORK_KIND_COMPLETION or WORK_KIND_EMBEDDING');
  }
}
