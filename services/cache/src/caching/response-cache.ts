import { InvalidArgument, Unavailable } from '@switchyard/service-kit/errors';
import type { Embedder } from '../embedding/embedder';
import { cosineOfUnitVectors } from '../embedding/unit-vector';
import type { CacheStore, StoredEntry } from '../store/cache-store';
import { exactKey, semanticQuery, type SemanticQuery } from './canonical-key';
import { DEFAULT_MATCHING_POLICY, tiersFor, type MatchingPolicy } from './matching-policy';
import { questionSignature, type QuestionSignature } from './question-signature';
import { RecentEmbeddings } from './recent-embeddings';
import type {
  CacheKeyInput,
  CacheStats,
  CacheStatus,
  InvalidateRequest,
  LookupOptions,
  LookupResult,
  StoreResult,
  Usage,
} from './types';
import {
  resolveSimilarityThreshold,
  resolveTtlSeconds,
  validateAnswer,
  validateEntryKey,
  validateKeyInput,
  validateTenant,
} from './validate-input';
import { verifyCandidate, type RejectionReason, type VerificationMode } from './verify-candidate';

export interface ResponseCacheOptions {
  /** Cosine similarity a semantic hit needs when neither request nor tenant says otherwise; in (0, 1]. */
  defaultSimilarityThreshold?: number;
  /** Per-tenant thresholds, between the request's override and the default. */
  tenantSimilarityThresholds?: Readonly<Record<string, number>>;
  defaultTtlSeconds?: number;
  /** Longest TTL a Store may ask for; longer requests are cut to it. */
  maxTtlSeconds?: number;
  /** Which requests may use which tier. */
  policy?: Partial<MatchingPolicy>;
  /** How semantic candidates are verified before they answer. */
  verification?: VerificationMode;
  /** Nearest entries fetched and verified per semantic lookup. */
  candidates?: number;
  /** Recent query embeddings kept so a store after a missed lookup does not embed again; 0 disables. */
  recentEmbeddings?: number;
  /** Told about each embedder failure (which degrades that call to exact-only); log it, never the text. */
  onEmbedderError?: (error: unknown) => void;
  /** Told about each store failure that turned a lookup into a miss. */
  onStoreError?: (error: unknown) => void;
}

export interface ResponseCacheDependencies {
  store: CacheStore;
  embedder: Embedder;
}

// Float32 rounding leaves an identical pair at 0.9999999; without slack a threshold of 1 could never hit.
const SIMILARITY_TOLERANCE = 1e-6;
// HNSW scopes hold quantized vectors; a candidate whose approximate similarity is this close to the
// threshold may still pass once re-scored with its exact vector, so it is fetched.
const APPROXIMATION_MARGIN = 0.03;

/**
 * Exact and semantic response cache. The exact tier answers a byte-identical request; the semantic
 * tier answers a request whose last user message means the same as a cached one, only within the same
 * tenant, model, context and parameters (the scope), and only after the candidate passes verification.
 */
export class ResponseCache {
  private readonly entries: CacheStore;
  private readonly embedder: Embedder;
  private readonly embeddings: RecentEmbeddings;
  private readonly defaultThreshold: number;
  // A Map, not the options object: a tenant named "constructor" must not find Object.prototype's.
  private readonly tenantThresholds: ReadonlyMap<string, number>;
  private readonly defaultTtlSeconds: number;
  private readonly maxTtlSeconds: number;
  private readonly policy: MatchingPolicy;
  private readonly verification: VerificationMode;
  private readonly candidates: number;
  private readonly onEmbedderError: (error: unknown) => void;
  private readonly onStoreError: (error: unknown) => void;
  private bypassed = 0;
  private embedderErrors = 0;
  private verificationRejections = 0;
  private storeErrors = 0;

  constructor(dependencies: ResponseCacheDependencies, options: ResponseCacheOptions = {}) {
    this.entries = dependencies.store;
    this.embedder = dependencies.embedder;
    this.embeddings = new RecentEmbeddings(this.embedder, options.recentEmbeddings ?? 1_000);
    this.defaultThreshold = options.defaultSimilarityThreshold ?? 0.95;
    this.tenantThresholds = new Map(Object.entries(options.tenantSimilarityThresholds ?? {}));
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? 3_600;
    this.maxTtlSeconds = options.maxTtlSeconds ?? 7 * 24 * 3_600;
    this.policy = { ...DEFAULT_MATCHING_POLICY, ...options.policy };
    this.verification = options.verification ?? 'strict';
    this.candidates = options.candidates ?? 4;
    this.onEmbedderError = options.onEmbedderError ?? (() => undefined);
    this.onStoreError = options.onStoreError ?? (() => undefined);
    assertThreshold('defaultSimilarityThreshold', this.defaultThreshold);
    for (const [tenant, threshold] of this.tenantThresholds) {
      assertThreshold(`tenantSimilarityThresholds.${tenant}`, threshold);
    }
    for (const [name, value] of [['defaultTtlSeconds', this.defaultTtlSeconds], ['maxTtlSeconds', this.maxTtlSeconds]] as const) {
      if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be positive, got ${value}`);
    }
    if (!Number.isInteger(this.candidates) || this.candidates < 1) {
      throw new RangeError(`candidates must be a positive integer, got ${this.candidates}`);
    }
  }

  async lookup(input: CacheKeyInput, options: LookupOptions = {}): Promise<LookupResult> {
    validateKeyInput(input);
    const threshold = resolveSimilarityThreshold(
      options.similarityThreshold,
      this.tenantThresholds.get(input.tenant) ?? this.defaultThreshold,
    );
    const tiers = tiersFor(input, this.policy);
    if (tiers.kind === 'bypass') {
      this.bypassed++;
      return { status: 'miss', similarity: 0, bypassed: true };
    }

    try {
      const key = exactKey(input);
      const [exact] = await this.entries.getMany([key]);
      if (exact) return this.hit(input.tenant, 'exact', exact, 1);
      if (tiers.kind === 'exact-only') return this.miss(input.tenant, { status: 'miss', similarity: 0, exactOnlyReason: tiers.reason });

      const query = semanticQuery(input, this.embedder.name);
      const vector = query && (await this.embedOrUndefined(query));
      if (!query || !vector) return this.miss(input.tenant, { status: 'miss', similarity: 0 });
      return await this.semanticLookup(input.tenant, query, vector, threshold);
    } catch (error) {
      if (error instanceof InvalidArgument) throw error;
      // A store outage costs a miss, never the request (ARCHITECTURE.md §5).
      this.storeErrors++;
      this.onStoreError(error);
      return { status: 'miss', similarity: 0 };
    }
  }

  async store(input: CacheKeyInput, content: string, usage: Usage, ttlSeconds?: number): Promise<StoreResult> {
    validateKeyInput(input);
    validateAnswer(content, usage);
    const ttl = Math.min(resolveTtlSeconds(ttlSeconds, this.defaultTtlSeconds), this.maxTtlSeconds);
    const tiers = tiersFor(input, this.policy);
    if (tiers.kind === 'bypass') return { stored: false, reason: 'sampled-request' };

    // Only what may later be matched semantically gets a vector; the rest serves exact repeats alone.
    const query = tiers.kind === 'exact-and-semantic' ? semanticQuery(input, this.embedder.name) : undefined;
    const vector = query && (await this.embedOrUndefined(query));
    let stored: boolean;
    try {
      stored = await this.entries.put(
        {
          key: exactKey(input),
          tenant: input.tenant,
          content,
          usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
          semantic: query && vector ? { scope: query.scope, vector, signature: questionSignature(query.text) } : undefined,
        },
        ttl * 1_000,
      );
    } catch (error) {
      this.storeErrors++;
      throw new Unavailable(`cache store unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
    return stored ? { stored: true } : { stored: false, reason: 'too-large' };
  }

  /** Removes entries from every replica; returns how many. */
  async invalidate(request: InvalidateRequest): Promise<number> {
    validateTenant(request.tenant, 'tenant');
    const { tenant } = request;
    const run = (promise: Promise<number>) =>
      promise.catch((error: unknown) => {
        this.storeErrors++;
        throw new Unavailable(`cache store unavailable: ${error instanceof Error ? error.message : String(error)}`);
      });
    switch (request.kind) {
      case 'tenant':
        return run(this.entries.invalidate({ kind: 'tenant', tenant }));
      case 'entry':
        validateEntryKey(request.entryKey);
        return run(this.entries.invalidate({ kind: 'entry', tenant, key: request.entryKey }));
      case 'request': {
        this.validateSameTenant(request.request, tenant, 'request');
        return run(this.entries.invalidate({ kind: 'entry', tenant, key: exactKey(request.request) }));
      }
      case 'scope': {
        this.validateSameTenant(request.request, tenant, 'scope_of');
        const query = semanticQuery(request.request, this.embedder.name);
        if (!query) throw new InvalidArgument('scope_of.messages', 'the last message must be a user message: it stands for the question whose scope is meant');
        return run(this.entries.invalidate({ kind: 'scope', tenant, scope: query.scope }));
      }
    }
  }

  async stats(tenant?: string): Promise<CacheStats> {
    if (tenant !== undefined) validateTenant(tenant, 'tenant');
    const store = await this.entries.stats(tenant);
    const lookups = store.exactHits + store.semanticHits + store.misses;
    return {
      store: this.entries.kind,
      entries: store.entries,
      exactHits: store.exactHits,
      semanticHits: store.semanticHits,
      misses: store.misses,
      exactHitRatio: lookups === 0 ? 0 : store.exactHits / lookups,
      semanticHitRatio: lookups === 0 ? 0 : store.semanticHits / lookups,
      memoryBytes: store.memoryBytes,
      evictions: store.evictions,
      expirations: store.expirations,
      bypassed: this.bypassed,
      embedderErrors: this.embedderErrors,
      verificationRejections: this.verificationRejections,
      storeErrors: this.storeErrors,
      index: { vectors: store.index.vectors, scopes: store.index.scopes, memoryBytes: store.index.memoryBytes },
    };
  }

  /**
   * Nearest candidates from the index, re-scored with their exact vectors (the index may hold quantized
   * ones), then verified best first. The nearest exact similarity is reported even on a miss.
   */
  private async semanticLookup(tenant: string, query: SemanticQuery, vector: Float32Array, threshold: number): Promise<LookupResult> {
    const candidates = await this.entries.nearest(query.scope, vector, this.candidates);
    if (candidates.length === 0) return this.miss(tenant, { status: 'miss', similarity: 0 });
    const worthFetching = candidates.filter((c) => c.similarity + APPROXIMATION_MARGIN >= threshold);
    if (worthFetching.length === 0) return this.miss(tenant, { status: 'miss', similarity: candidates[0]!.similarity });

    const fetched = await this.entries.getMany(worthFetching.map((c) => c.key));
    const scored = fetched
      .filter((entry): entry is StoredEntry & Required<Pick<StoredEntry, 'semantic'>> => entry?.semantic?.scope === query.scope)
      .map((entry) => ({ entry, similarity: cosineOfUnitVectors(vector, entry.semantic.vector) }))
      .sort((a, b) => b.similarity - a.similarity);
    const nearest = scored[0]?.similarity ?? candidates[0]!.similarity;

    let signature: QuestionSignature | undefined;
    let rejectedReason: RejectionReason | undefined;
    for (const { entry, similarity } of scored) {
      if (similarity + SIMILARITY_TOLERANCE < threshold) break;
      signature ??= questionSignature(query.text);
      const verdict = verifyCandidate(signature, entry.semantic.signature, this.verification);
      if (verdict.accepted) return this.hit(tenant, 'semantic', entry, Math.min(1, similarity));
      this.verificationRejections++;
      rejectedReason ??= verdict.reason;
    }
    return this.miss(tenant, { status: 'miss', similarity: nearest, rejectedReason });
  }

  private hit(tenant: string, status: Exclude<CacheStatus, 'miss'>, entry: StoredEntry, similarity: number): LookupResult {
    this.entries.touch(tenant, entry.key);
    this.entries.recordLookup(tenant, status);
    return { status, content: entry.content, usage: { ...entry.usage }, similarity, entryKey: entry.key };
  }

  private miss(tenant: string, result: LookupResult): LookupResult {
    this.entries.recordLookup(tenant, 'miss');
    return result;
  }

  private validateSameTenant(input: CacheKeyInput, tenant: string, field: string): void {
    validateKeyInput(input, field);
    if (input.tenant !== tenant) throw new InvalidArgument(`${field}.tenant`, 'must equal tenant: invalidation never crosses tenants');
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
