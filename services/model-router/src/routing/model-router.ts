import type { ModelCatalog } from '../catalog/model-entry';
import { listModels, type ListedModel } from './list-models';
import { DEFAULT_ROUTING_OPTIONS, type RouteDecision, type RouteRequest, type RoutingOptions } from './route-request';
import { selectModel } from './select-model';

/** The seed's ModelRouter: a catalog and routing options bound together for the gRPC handlers. */
export class ModelRouter {
  private readonly options: RoutingOptions;

  constructor(
    private readonly catalog: ModelCatalog,
    options: Partial<RoutingOptions> = {},
  ) {
    this.options = { ...DEFAULT_ROUTING_OPTIONS, ...options };
    const { simpleBelow, standardBelow, defaultMaxOutputTokens } = this.options;
    // Checked here so a misordered pair fails start-up instead of silently making a tier unreachable.
    if (!(simpleBelow >= 0 && simpleBelow <= standardBelow && standardBelow <= 1)) {
      throw new RangeError(
        `routing thresholds must satisfy 0 <= simpleBelow <= standardBelow <= 1 (got ${simpleBelow}, ${standardBelow})`,
      );
    }
    if (!Number.isSafeInteger(defaultMaxOutputTokens) || defaultMaxOutputTokens < 1) {
      throw new RangeError(`defaultMaxOutputTokens must be a whole number >= 1 (got ${defaultMaxOutputTokens})`);
    }
  }

  select(request: RouteRequest): RouteDecision {
    return selectModel(request, this.catalog, this.options);
  }

  listModels(): ListedModel[] {
    return listModels(this.catalog);
  }
}
