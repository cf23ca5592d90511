import { FlatScopeIndex } from './flat-scope-index';
import { HnswScopeIndex, type HnswOptions } from './hnsw-scope-index';
import type { ScopeIndex } from './scope-index';

export interface ScopedVectorIndexOptions {
  /** Scopes with up to this many vectors are scanned exactly; a scope growing past it moves to HNSW. */
  flatLimit: number;
  hnsw: HnswOptions;
}

export const DEFAULT_INDEX_OPTIONS: ScopedVectorIndexOptions = {
  flatLimit: 1024,
  hnsw: { quantization: 'i8', connectivity: 16, expansionAdd: 128, expansionSearch: 256 },
};

export interface IndexedVector {
  tenant: string;
  scope: string;
  /** Unit-length embedding; the same key always carries the same vector (the key hashes its text). */
  vector: Float32Array;
  /** Epoch ms after which the entry is never returned. */
  expiresAt: number;
}

export interface Candidate {
  key: string;
  /** Approximate cosine from the index (quantized for HNSW scopes); callers re-score exactly. */
  similarity: number;
}

export interface IndexSize {
  vectors: number;
  scopes: number;
  hnswScopes: number;
  memoryBytes: number;
}

interface Scope {
  name: string;
  tenant: string;
  index: ScopeIndex;
  /** Slots of this scope, so a scope or tenant is removed without visiting every entry. */
  slots: Set<number>;
  /** Slot holding each exact vector (by fingerprint): an identical vector is found without the graph. */
  byFingerprint: Map<number, number>;
}

// Per indexed entry outside the vector index itself: the key string, Map and Set entries, slot arrays.
const SLOT_OVERHEAD_BYTES = 300;

/**
 * The in-process semantic index of one replica: one vector index per scope (tenant + model + context),
 * so a search can only ever see candidates that are allowed to answer. Entries are addressed by their
 * exact-tier key; each gets a numeric slot that doubles as its label in the scope's index. Expired
 * entries are skipped at search time, so expiry holds even before the owner removes them.
 */
export class ScopedVectorIndex {
  private readonly options: ScopedVectorIndexOptions;
  private readonly slotOfKey = new Map<string, number>();
  private keyOfSlot: Array<string | undefined> = [];
  private scopeOfSlot: Array<Scope | undefined> = [];
  private expiresAtOfSlot = new Float64Array(1024);
  private fingerprintOfSlot = new Uint32Array(1024);
  private readonly freeSlots: number[] = [];
  private readonly scopes = new Map<string, Scope>();
  private readonly scopesOfTenant = new Map<string, Set<string>>();

  constructor(options: Partial<ScopedVectorIndexOptions> = {}) {
    this.options = { ...DEFAULT_INDEX_OPTIONS, ...options, hnsw: { ...DEFAULT_INDEX_OPTIONS.hnsw, ...options.hnsw } };
    if (!Number.isInteger(this.options.flatLimit) || this.options.flatLimit < 0) {
      throw new RangeError(`flatLimit must be an integer >= 0, got ${this.options.flatLimit}`);
    }
  }

  get size(): number {
    return this.slotOfKey.size;
  }

  has(key: string): boolean {
    return this.slotOfKey.has(key);
  }

  /**
   * Adds or refreshes `key`. Re-adding the same vector to the same scope only moves its expiry, so a
   * replica applying its own write twice (locally, then from the event stream) does no graph work.
   */
  upsert(key: string, entry: IndexedVector): boolean {
    const fingerprint = fingerprintOf(entry.vector);
    const existing = this.slotOfKey.get(key);
    if (existing !== undefined) {
      const scope = this.scopeOfSlot[existing]!;
      if (scope.name === entry.scope && this.fingerprintOfSlot[existing] === fingerprint) {
        this.expiresAtOfSlot[existing] = entry.expiresAt;
        return true;
      }
      this.remove(key);
    }
    let scope = this.scopes.get(entry.scope);
    if (scope && scope.index.dimensions !== entry.vector.length) return false;
    if (!scope) {
      scope = { name: entry.scope, tenant: entry.tenant, index: new FlatScopeIndex(entry.vector.length), slots: new Set(), byFingerprint: new Map() };
      this.scopes.set(entry.scope, scope);
      let ofTenant = this.scopesOfTenant.get(entry.tenant);
      if (!ofTenant) this.scopesOfTenant.set(entry.tenant, (ofTenant = new Set()));
      ofTenant.add(entry.scope);
    }
    const slot = this.allocateSlot();
    this.slotOfKey.set(key, slot);
    this.keyOfSlot[slot] = key;
    this.scopeOfSlot[slot] = scope;
    this.expiresAtOfSlot[slot] = entry.expiresAt;
    this.fingerprintOfSlot[slot] = fingerprint;
    scope.index.add(slot, entry.vector);
    scope.slots.add(slot);
    scope.byFingerprint.set(fingerprint, slot);
    if (scope.index.kind === 'flat' && scope.index.size > this.options.flatLimit) this.promote(scope);
    return true;
  }

  /**
   * `upsert` for many entries at once (index rebuilds): vectors bound for an HNSW scope go in one
   * multi-threaded native call per scope instead of one call each.
   */
  upsertMany(items: ReadonlyArray<readonly [key: string, entry: IndexedVector]>): void {
    const fresh = new Map<string, Array<readonly [string, IndexedVector]>>();
    for (const item of items) {
      const [key, entry] = item;
      const existing = this.slotOfKey.get(key);
      if (existing !== undefined) {
        // Known keys take the ordinary path (refresh or move); only new ones are batched.
        this.upsert(key, entry);
        continue;
      }
      const batch = fresh.get(entry.scope);
      if (batch) batch.push(item);
      else fresh.set(entry.scope, [item]);
    }
    for (const batch of fresh.values()) {
      const scope = this.scopes.get(batch[0]![1].scope);
      const projected = (scope?.index.size ?? 0) + batch.length;
      if (projected <= this.options.flatLimit || batch.length < 2) {
        for (const [key, entry] of batch) this.upsert(key, entry);
        continue;
      }
      // Seed the scope with one entry (creating it), move it to HNSW, then add the rest natively.
      const [firstKey, firstEntry] = batch[0]!;
      if (!this.upsert(firstKey, firstEntry)) continue;
      const target = this.scopes.get(firstEntry.scope)!;
      if (target.index.kind === 'flat') this.promote(target);
      const hnsw = target.index as HnswScopeIndex;
      const rest = batch.slice(1).filter(([, entry]) => entry.vector.length === hnsw.dimensions);
      const labels: number[] = [];
      const vectors = new Float32Array(rest.length * hnsw.dimensions);
      rest.forEach(([key, entry], i) => {
        const slot = this.allocateSlot();
        this.slotOfKey.set(key, slot);
        this.keyOfSlot[slot] = key;
        this.scopeOfSlot[slot] = target;
        this.expiresAtOfSlot[slot] = entry.expiresAt;
        this.fingerprintOfSlot[slot] = fingerprintOf(entry.vector);
        target.slots.add(slot);
        target.byFingerprint.set(this.fingerprintOfSlot[slot]!, slot);
        labels.push(slot);
        vectors.set(entry.vector, i * hnsw.dimensions);
      });
      hnsw.addMany(labels, vectors);
    }
  }

  remove(key: string): boolean {
    const slot = this.slotOfKey.get(key);
    if (slot === undefined) return false;
    const scope = this.scopeOfSlot[slot]!;
    scope.index.remove(slot);
    scope.slots.delete(slot);
    if (scope.byFingerprint.get(this.fingerprintOfSlot[slot]!) === slot) scope.byFingerprint.delete(this.fingerprintOfSlot[slot]!);
    this.slotOfKey.delete(key);
    this.keyOfSlot[slot] = undefined;
    this.scopeOfSlot[slot] = undefined;
    this.freeSlots.push(slot);
    if (scope.index.size === 0) this.dropScope(scope);
    return true;
  }

  /** Removes every entry of `scope`; returns their keys. */
  removeScope(scope: string): string[] {
    const found = this.scopes.get(scope);
    if (!found) return [];
    const keys = [...found.slots].map((slot) => this.keyOfSlot[slot]!);
    for (const key of keys) this.remove(key);
    return keys;
  }

  /** Removes every entry of `tenant`; returns their keys. */
  removeTenant(tenant: string): string[] {
    const names = [...(this.scopesOfTenant.get(tenant) ?? [])];
    return names.flatMap((name) => this.removeScope(name));
  }

  clear(): void {
    for (const scope of this.scopes.values()) scope.index.dispose();
    this.scopes.clear();
    this.scopesOfTenant.clear();
    this.slotOfKey.clear();
    this.keyOfSlot = [];
    this.scopeOfSlot = [];
    this.freeSlots.length = 0;
  }

  /** Up to `k` live entries of `scope`, most similar first (approximate similarity). */
  search(scope: string, vector: Float32Array, k: number, now: number): Candidate[] {
    const found = this.scopes.get(scope);
    if (!found || k < 1 || found.index.dimensions !== vector.length) return [];
    const candidates: Candidate[] = [];
    // An identical vector first, without the graph: rewordings that normalise to the same text embed to the same
    // vector, and HNSW can leave a point unreachable among many near-equidistant siblings (ADR 0015).
    const same = found.byFingerprint.get(fingerprintOf(vector));
    const sameKey = same === undefined ? undefined : this.keyOfSlot[same];
    if (same !== undefined && sameKey !== undefined && this.expiresAtOfSlot[same]! > now) candidates.push({ key: sameKey, similarity: 1 });
    // Ask for a few extra so entries past their TTL (not yet removed by their owner) do not crowd out live ones.
    const matches = found.index.search(vector, k + 4);
    for (let i = 0; i < matches.labels.length && candidates.length < k; i++) {
      const slot = matches.labels[i]!;
      const key = this.keyOfSlot[slot];
      if (key === undefined || slot === same || this.expiresAtOfSlot[slot]! <= now) continue;
      candidates.push({ key, similarity: matches.similarities[i]! });
    }
    return candidates;
  }

  stats(): IndexSize {
    let memoryBytes = this.slotOfKey.size * SLOT_OVERHEAD_BYTES;
    let hnswScopes = 0;
    for (const scope of this.scopes.values()) {
      memoryBytes += scope.index.memoryBytes();
      if (scope.index.kind === 'hnsw') hnswScopes++;
    }
    return { vectors: this.slotOfKey.size, scopes: this.scopes.size, hnswScopes, memoryBytes };
  }

  private promote(scope: Scope): void {
    const flat = scope.index as FlatScopeIndex;
    const hnsw = new HnswScopeIndex(flat.dimensions, this.options.hnsw);
    for (const [label, vector] of flat.entries()) hnsw.add(label, vector);
    flat.dispose();
    scope.index = hnsw;
  }

  private dropScope(scope: Scope): void {
    scope.index.dispose();
    this.scopes.delete(scope.name);
    const ofTenant = this.scopesOfTenant.get(scope.tenant);
    ofTenant?.delete(scope.name);
    if (ofTenant?.size === 0) this.scopesOfTenant.delete(scope.tenant);
  }

  private allocateSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.keyOfSlot.length;
    this.keyOfSlot.push(undefined);
    this.scopeOfSlot.push(undefined);
    if (slot >= this.expiresAtOfSlot.length) {
      const expires = new Float64Array(this.expiresAtOfSlot.length * 2);
      expires.set(this.expiresAtOfSlot);
      this.expiresAtOfSlot = expires;
      const fingerprints = new Uint32Array(this.fingerprintOfSlot.length * 2);
      fingerprints.set(this.fingerprintOfSlot);
      this.fingerprintOfSlot = fingerprints;
    }
    return slot;
  }
}

/** FNV-1a over the vector's bytes: tells a re-added identical vector from a changed one without keeping it. */
function fingerprintOf(vector: Float32Array): number {
  const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
