import type { modelRouterV1 } from '@switchyard/contracts';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { GatewayPorts, PipelineObserver } from '../pipeline/ports';

/**
 * The model router's catalog, reused for `ttlMs` so GET /v1/models and embedding-model checks do not cost a
 * call each. Concurrent refreshes share one call.
 */
export class ModelCatalog {
  private cached: { models: modelRouterV1.ModelInfo[]; at: number } | undefined;
  private inflight: Promise<modelRouterV1.ModelInfo[]> | undefined;

  constructor(
    private readonly modelRouter: GatewayPorts['modelRouter'],
    private readonly observer: PipelineObserver,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(): Promise<modelRouterV1.ModelInfo[]> {
    if (this.cached && this.clock() - this.cached.at < this.ttlMs) return this.cached.models;
    this.inflight ??= this.modelRouter
      .listModels({})
      .then((answer) => {
        this.cached = { models: answer.models, at: this.clock() };
        return answer.models;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /**
   * Throws InvalidArgument when the catalog does not list `model` as an embedding model. When the catalog
   * cannot be read the request goes on unchecked (the upstream still refuses models it does not serve).
   */
  async requireEmbeddingModel(model: string): Promise<void> {
    let models: modelRouterV1.ModelInfo[];
    try {
      models = await this.list();
    } catch (err) {
      this.observer.degraded('catalog-unavailable', err);
      return;
    }
    const embedding = models.filter(isEmbeddingModel).map((m) => m.name);
    if (!embedding.includes(model)) {
      throw new InvalidArgument('model', `unknown embedding model "${model.slice(0, 128)}"; known: ${embedding.join(', ') || 'none'}`);
    }
  }
}

export function isEmbeddingModel(model: modelRouterV1.ModelInfo): boolean {
  return model.tier === 'embedding' || model.capabilities.includes('embedding');
}
