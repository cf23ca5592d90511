import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { applyJsonPatch, type PatchOperation } from './json-patch';
import { isRecord, objectKey, type K8sObject } from './k8s-object';
import { kustomizeNameHash } from './name-hash';

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset of kustomize that deploy/k8s uses:
 * resources (files and directories), namespace, labels (with includeTemplates), images, JSON 6902 patches
 * with targets, and ConfigMap/Secret generators (create, merge, replace; hashed names with references
 * rewritten). Any other field throws, so a new kustomize feature in deploy/ cannot be silently ignored here.
 * No kustomize binary ships in node_modules; the spec compares this output with `kubectl kustomize` when
 * kubectl is installed.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const items = build(path.resolve(dir));
  return finalizeGeneratedNames(items);
}

interface Item {
  object: K8sObject;
  /** Set on objects made by a generator: their name gets the content hash at the very end. */
  generated?: { hash: boolean };
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches', 'configMapGenerator', 'secretGenerator']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'PersistentVolume']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function build(dir: string): Item[] {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((name) => path.join(dir, name)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parseYaml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: fields not supported by this renderer: ${unsupported.join(', ')}`);
  if (k.kind !== undefined && k.kind !== 'Kustomization') throw new Error(`${file}: kind ${String(k.kind)} is not supported`);

  const items: Item[] = [];
  for (const entry of list<string>(k.resources)) {
    const target = path.resolve(dir, entry);
    if (fs.statSync(target).isDirectory()) items.push(...build(target));
    else items.push(...readObjects(target).map((object) => ({ object })));
  }
  for (const generator of list<Record<string, unknown>>(k.configMapGenerator)) generate(items, 'ConfigMap', generator, dir, file);
  for (const generator of list<Record<string, unknown>>(k.secretGenerator)) generate(items, 'Secret', generator, dir, file);
  assertUnique(items, file);

  // kustomize's built-in order: patches, then namespace, labels, images.
  for (const patch of list<Record<string, unknown>>(k.patches)) applyPatch(items, patch, dir, file);
  if (typeof k.namespace === 'string') {
    for (const { object } of items) if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
  }
  for (const label of list<Record<string, unknown>>(k.labels)) applyLabels(items, label, file);
  for (const image of list<Record<string, unknown>>(k.images)) applyImage(items, image, file);
  return items;
}

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null)
    .map((object) => {
      if (!object.apiVersion || !object.kind || !object.metadata?.name) throw new Error(`${file}: every object needs apiVersion, kind and metadata.name`);
      return object;
    });
}

function generate(items: Item[], kind: 'ConfigMap' | 'Secret', generator: Record<string, unknown>, dir: string, file: string): void {
  const known = new Set(['name', 'behavior', 'literals', 'files', 'type']);
  const extra = Object.keys(generator).filter((key) => !known.has(key));
  if (extra.length > 0) throw new Error(`${file}: ${kind} generator fields not supported: ${extra.join(', ')}`);
  const name = String(generator.name);
  const data: Record<string, string> = {};
  for (const literal of list<string>(generator.literals)) {
    const eq = literal.indexOf('=');
    if (eq <= 0) throw new Error(`${file}: literal "${literal}" is not KEY=VALUE`);
    data[literal.slice(0, eq)] = literal.slice(eq + 1);
  }
  for (const spec of list<string>(generator.files)) {
    const eq = spec.indexOf('=');
    const [key, source] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [path.basename(spec), spec];
    const resolved = path.resolve(dir, source);
    // kustomize's default load restrictor: files must sit under the kustomization's own folder.
    if (path.relative(dir, resolved).startsWith('..')) throw new Error(`${file}: ${source} is outside the kustomization root`);
    data[key] = fs.readFileSync(resolved, 'utf8');
  }
  const encoded = kind === 'Secret' ? mapValues(data, kustomizeBase64) : data;
  const behavior = (generator.behavior as string | undefined) ?? 'create';
  const existing = items.find((item) => item.generated && item.object.kind === kind && item.object.metadata.name === name);
  if (behavior === 'create') {
    if (existing) throw new Error(`${file}: ${kind} ${name} is generated twice (use behavior: merge or replace)`);
    const object: K8sObject = { apiVersion: 'v1', kind, metadata: { name }, data: encoded };
    if (kind === 'Secret') object.type = (generator.type as string | undefined) ?? 'Opaque';
    items.push({ object, generated: { hash: true } });
  } else if (behavior === 'merge' || behavior === 'replace') {
    if (!existing) throw new Error(`${file}: ${behavior} of ${kind} ${name}, which no base generates`);
    existing.object.data = behavior === 'merge' ? { ...(existing.object.data as Record<string, string>), ...encoded } : encoded;
  } else {
    throw new Error(`${file}: unknown generator behavior ${behavior}`);
  }
}

function applyPatch(items: Item[], patch: Record<string, unknown>, dir: string, file: string): void {
  const extra = Object.keys(patch).filter((key) => key !== 'patch' && key !== 'path' && key !== 'target');
  if (extra.length > 0) throw new Error(`${file}: patch fields not supported: ${extra.join(', ')}`);
  const text = typeof patch.path === 'string' ? fs.readFileSync(path.resolve(dir, patch.path), 'utf8') : String(patch.patch ?? '');
  const operations = parseYaml(text) as unknown;
  if (!Array.isArray(operations)) throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported`);
  const target = (patch.target ?? {}) as Record<string, unknown>;
  const targetExtra = Object.keys(target).filter((key) => !['kind', 'name', 'labelSelector'].includes(key));
  if (targetExtra.length > 0) throw new Error(`${file}: patch target fields not supported: ${targetExtra.join(', ')}`);
  const matches = items.filter(({ object }) => matchesTarget(object, target));
  if (matches.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
  for (const { object } of matches) applyJsonPatch(object, operations as PatchOperation[], `${file} on ${objectKey(object)}`);
}

function matchesTarget(object: K8sObject, target: Record<string, unknown>): boolean {
  if (target.kind !== undefined && object.kind !== target.kind) return false;
  // kustomize reads the target name as a regular expression over the whole name.
  if (target.name !== undefined && !new RegExp(`^(?:${String(target.name)})$`).test(object.metadata.name)) return false;
  if (target.labelSelector !== undefined) {
    for (const requirement of String(target.labelSelector).split(',')) {
      const [key, value] = requirement.split('=').map((part) => part.trim());
      if (!key || value === undefined) throw new Error(`labelSelector "${String(target.labelSelector)}": only key=value terms are supported`);
      if (object.metadata.labels?.[key] !== value) return false;
    }
  }
  return true;
}

function applyLabels(items: Item[], label: Record<string, unknown>, file: string): void {
  const extra = Object.keys(label).filter((key) => !['pairs', 'includeTemplates', 'includeSelectors'].includes(key));
  if (extra.length > 0 || label.includeSelectors === true) throw new Error(`${file}: labels supports pairs and includeTemplates only`);
  const pairs = label.pairs as Record<string, string>;
  for (const { object } of items) {
    object.metadata.labels = { ...object.metadata.labels, ...pairs };
    if (label.includeTemplates === true && POD_TEMPLATE_KINDS.has(object.kind)) {
      const template = podTemplate(object);
      if (template) {
        const metadata = (template.metadata ??= {}) as Record<string, unknown>;
        metadata.labels = { ...(metadata.labels as Record<string, string> | undefined), ...pairs };
      }
    }
  }
}

function applyImage(items: Item[], image: Record<string, unknown>, file: string): void {
  const extra = Object.keys(image).filter((key) => !['name', 'newName', 'newTag', 'digest'].includes(key));
  if (extra.length > 0) throw new Error(`${file}: images fields not supported: ${extra.join(', ')}`);
  for (const container of allContainers(items)) {
    const current = String(container.image);
    const at = current.indexOf('@');
    const colon = current.lastIndexOf(':');
    const nameEnd = at >= 0 ? at : colon > current.lastIndexOf('/') ? colon : current.length;
    const name = current.slice(0, nameEnd);
    if (name !== image.name) continue;
    const tag = current.slice(nameEnd);
    const newName = (image.newName as string | undefined) ?? name;
    const suffix = image.digest ? `@${String(image.digest)}` : image.newTag !== undefined ? `:${String(image.newTag)}` : tag;
    container.image = newName + suffix;
  }
}

/** Adds each generated object's content hash to its name and points every reference at the new name. */
function finalizeGeneratedNames(items: Item[]): K8sObject[] {
  const renamed = new Map<string, string>();
  for (const item of items) {
    if (!item.generated?.hash) continue;
    const object = item.object as K8sObject & { kind: 'ConfigMap' | 'Secret'; data: Record<string, string>; type?: string };
    const newName = `${object.metadata.name}-${kustomizeNameHash(object)}`;
    renamed.set(`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, newName);
    object.metadata.name = newName;
  }
  for (const { object } of items) {
    const spec = podTemplate(object)?.spec as Record<string, unknown> | undefined;
    if (!spec) continue;
    const ns = object.metadata.namespace ?? '';
    const rename = (kind: string, ref: Record<string, unknown> | undefined, field: string) => {
      const newName = ref && renamed.get(`${kind}/${ns}/${String(ref[field])}`);
      if (ref && newName) ref[field] = newName;
    };
    for (const container of [...list<Record<string, unknown>>(spec.containers), ...list<Record<string, unknown>>(spec.initContainers)]) {
      for (const env of list<Record<string, unknown>>(container.env)) {
        const from = env.valueFrom as Record<string, Record<string, unknown>> | undefined;
        rename('ConfigMap', from?.configMapKeyRef, 'name');
        rename('Secret', from?.secretKeyRef, 'name');
      }
      for (const source of list<Record<string, Record<string, unknown>>>(container.envFrom)) {
        rename('ConfigMap', source.configMapRef, 'name');
        rename('Secret', source.secretRef, 'name');
      }
    }
    for (const volume of list<Record<string, Record<string, unknown>>>(spec.volumes)) {
      rename('ConfigMap', volume.configMap, 'name');
      rename('Secret', volume.secret, 'secretName');
    }
  }
  return items.map((item) => item.object);
}

function podTemplate(object: K8sObject): Record<string, unknown> | undefined {
  if (!POD_TEMPLATE_KINDS.has(object.kind)) return undefined;
  const spec = object.spec as Record<string, unknown> | undefined;
  return isRecord(spec?.template) ? spec.template : undefined;
}

function allContainers(items: Item[]): Record<string, unknown>[] {
  return items.flatMap(({ object }) => {
    const spec = podTemplate(object)?.spec as Record<string, unknown> | undefined;
    return spec ? [...list<Record<string, unknown>>(spec.containers), ...list<Record<string, unknown>>(spec.initContainers)] : [];
  });
}

function assertUnique(items: Item[], file: string): void {
  const seen = new Set<string>();
  for (const { object } of items) {
    const key = objectKey(object);
    if (seen.has(key)) throw new Error(`${file}: ${key} is defined twice`);
    seen.add(key);
  }
}

function list<T>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value as T[];
}

/** Base64 as kustomize writes Secret data: one line up to 70 characters, else 70-character lines each ending in a newline. */
function kustomizeBase64(value: string): string {
  const text = Buffer.from(value, 'utf8').toString('base64');
  if (text.length <= 70) return text;
  return (text.match(/.{1,70}/g) ?? []).map((line) => `${line}\n`).join('');
}

function mapValues(record: Record<string, string>, fn: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
