import type { Embedder } from '../embedding/embedder';
import type { CacheStore } from '../store/cache-store';
import { exactKey, semanticQuery, type SemanticQuery } from './canonical-key';
import { RecentEmbeddings } from './recent-embeddings';
import type { CacheKeyInput, CacheStats, LookupOptions, LookupResult, StoreResult, Usage } from './types';
import {
  resolveSimilarityThreshold,
  resolveTtlSeconds,
  validateAnswer,
  validateKeyInput,
} from './validate-input';

export interface ResponseCacheOptions {
  /** Cosine similarity a semantic hit needs when neither request nor tenant says otherwise; in (0, 1]. */
  defaultSimilarityThreshold?: number;
  /** Per-tenant thresholds, between the request's override and the default. */
  tenantSimilarityThresholds?: Readonly<Record<string, number>>;
  defaultTtlSeconds?: number;
  /** When false, requests with temperature > 0 are neither looked up nor stored (their answers are meant to vary). */
  cacheSampled?: boolean;
  /** Recent query embeddings kept so a store after a missed lookup does not embed again; 0 disables. */
  recentEmbeddings?: number;
  /** Told about each embedder failure (which degrades that call to exact-only); log it, never the text. */
  onEmbedderError?: (error: unknown) => void;
}

export interface ResponseCacheDependencies {
  store: CacheStore;
  embedder: Embedder;
}

// Float32 rounding leaves an identical pair at 0.9999999; without slack a threshold of 1 could never hit.
const SIMILARITY_TOLERANCE = 1e-6;

/**
 * Exact and semantic response cache. The exact tier answers a byte-identical request; the semantic
 * tier answers a request whose last user message means the same as a cached one, but only within
 * the same tenant, model, context and parameters (the scope), so no other conversation can leak in.
 */
export class ResponseCache {
  private readonly entries: CacheStore;
  private readonly embedder: Embedder;
  private readonly embeddings: RecentEmbeddings;
  private readonly defaultThreshold: number;
  // A Map, not the options object: a tenant named "constructor" must not find Object.prototype's.
  private readonly tenantThresholds: ReadonlyMap<string, number>;
  private readonly defaultTtlSeconds: number;
  private readonly cacheSampled: boolean;
  private readonly onEmbedderError: (error: unknown) => void;
  private exactHits = 0;
  private semanticHits = 0;
  private misses = 0;
  private bypassed = 0;
  private embedderErrors = 0;

  constructor(dependencies: ResponseCacheDependencies, options: ResponseCacheOptions = {}) {
    this.entries = dependencies.store;
    this.embedder = dependencies.embedder;
    this.embeddings = new RecentEmbeddings(this.embedder, options.recentEmbeddings ?? 1_000);
    this.defaultThreshold = options.defaultSimilarityThreshold ?? 0.95;
    this.tenantThresholds = new Map(Object.entries(options.tenantSimilarityThresholds ?? {}));
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? 3_600;
    this.cacheSampled = options.cacheSampled ?? true;
    this.onEmbedderError = options.onEmbedderError ?? (() => undefined);
    assertThreshold('defaultSimilarityThreshold', this.defaultThreshold);
    for (const [tenant, threshold] of this.tenantThresholds) {
      assertThreshold(`tenantSimilarityThresholds.${tenant}`, threshold);
    }
    if (!(this.defaultTtlSeconds > 0) || !Number.isFinite(this.defaultTtlSeconds)) {
      throw new RangeError(`defaultTtlSeconds must be positive, got ${this.defaultTtlSeconds}`);
    }
  }

  async lookup(input: CacheKeyInput, options: LookupOptions = {}): Promise<LookupResult> {
    validateKeyInput(input);
    const threshold = resolveSimilarityThreshold(
      options.similarityThreshold,
      this.tenantThresholds.get(input.tenant) ?? this.defaultThreshold,
    );
    if (this.bypasses(input)) {
      this.bypassed++;
      return { status: 'miss', similarity: 0 };
    }

    const exact = await this.entries.get(exactKey(input));
    if (exact) {
      this.exactHits++;
      return { status: 'exact', content: exact.content, usage: { ...exact.usage }, similarity: 1 };
    }

    const query = semanticQuery(input, this.embedder.name);
    const vector = query && (await this.embedOrUndefined(query));
    if (!query || !vector) return this.miss(0);

    const [nearest] = await this.entries.nearest(query.scope, vector, 1);
    if (!nearest) return this.miss(0);
    if (nearest.similarity + SIMILARITY_TOLERANCE < threshold) return this.miss(nearest.similarity);
    // Re-read through get() so the hit counts as recently used and a concurrent eviction is noticed.
    const hit = await this.entries.get(nearest.key);
    if (!hit) return this.miss(nearest.similarity);
    this.semanticHits++;
    return { status: 'semantic', content: hit.content, usage: { ...hit.usage }, similarity: nearest.similarity };
  }

  async store(input: CacheKeyInput, content: string, usage: Usage, ttlSeconds?: number): Promise<StoreResult> {
    validateKeyInput(input);
    validateAnswer(content, usage);
    const ttl = resolveTtlSeconds(ttlSeconds, this.defaultTtlSeconds);
    if (this.bypasses(input)) return { stored: false, reason: 'sampled-request' };

    const query = semanticQuery(input, this.embedder.name);
    // Without a vector the entry still serves exact repeats; it just cannot be found by meaning.
    const vector = query && (await this.embedOrUndefined(query));
    const stored = await this.entries.put(
      {
        key: exactKey(input),
        content,
        usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
        semantic: query && vector ? { scope: query.scope, vector } : undefined,
      },
      ttl * 1_000,
    );
    return stored ? { stored: true } : { stored: false, reason: 'too-large' };
  }

  async stats(): Promise<CacheStats> {
    const store = await this.entries.stats();
    return {
      entries: store.entries,
      exactHits: this.exactHits,
      semanticHits: this.semanticHits,
      misses: this.misses,
      memoryBytes: store.memoryBytes,
      evictions: store.evictions,
      expirations: store.expirations,
      bypassed: this.bypassed,
      embedderErrors: this.embedderErrors,
    };
  }

  private bypasses(input: CacheKeyInput): boolean {
    return !this.cacheSampled && input.temperature > 0;
  }

  private miss(similarity: number): LookupResult {
    this.misses++;
    return { status: 'miss', similarity };
  }

  private async embedOrUndefined(query: SemanticQuery): Promise<Float32Array | undefined> {
    try {
      return await this.embeddings.embed(query.text);
    } catch (error) {
      this.embedderErrors++;
      this.onEmbedderError(error);
      return undefined;
    }
  }
}

function assertThreshold(setting: string, threshold: number): void {
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`${setting} must be in (0, 1], got ${threshold}`);
}
