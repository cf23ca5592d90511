import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { objectKey, type K8sObject } from './k8s-object';
import { kustomizeNameHash } from './name-hash';
import { renderKustomization } from './render-kustomization';

const K8S = path.resolve(__dirname, '../../../../deploy/k8s');
const TARGETS = ['base', 'overlays/dev', 'overlays/prod'];


function byKey(objects: K8sObject[]): Record<string, K8sObject> {
  return Object.fromEntries(objects.map((object) => [objectKey(object), object]));
}

describe('renderKustomization', () => {
  it('hashes generated names as kustomize does', () => {
    // `kubectl kustomize` (kustomize v5.5) names a ConfigMap generated from literal A=1 `catalog-89g4tffbfk`.
    expect(kustomizeNameHash({ kind: 'ConfigMap', data: { A: '1' } })).toBe('89g4tffbfk');
  });

  it('refuses kustomize fields it does not implement instead of ignoring them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'namePrefix: x-\nresources: []\n');
    expect(() => renderKustomization(dir)).toThrow(/fields not supported by this renderer: namePrefix/);
  });

  it('fails a patch whose target matches nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'resources: []\npatches:\n  - target: {kind: Deployment, name: nope}\n    patch: "[{op: replace, path: /spec/replicas, value: 2}]"\n',
    );
    expect(() => renderKustomization(dir)).toThrow(/matches nothing/);
  });

  // No kustomize binary ships in node_modules; kubectl's built-in kustomize (in this machine image) is the
  // reference. Without kubectl this fails rather than skips, so a renderer drift can never pass unseen.
  it.each(TARGETS)('renders %s exactly as `kubectl kustomize` does', (target) => {
    const expected = parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(K8S, target)], { encoding: 'utf8' })).map(
      (doc) => doc.toJS() as K8sObject,
    );
    const actual = renderKustomization(path.join(K8S, target));
    expect(Object.keys(byKey(actual)).sort()).toEqual(Object.keys(byKey(expected)).sort());
    expect(byKey(actual)).toEqual(byKey(expected));
  });
});
