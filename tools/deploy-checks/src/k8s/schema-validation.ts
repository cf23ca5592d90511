import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { K8sObject } from '../kustomize/k8s-object';

interface ValidatingModel {
  validate(): void;
}

/**
 * The kinds deploy/k8s may contain, each with its kubernetes-models class (the Kubernetes OpenAPI schema,
 * offline). The same table drives the unknown-field check, so a new kind has to be added here to pass.
 */
export const MODELS: Record<string, { create: (data: object) => ValidatingModel; type: string; module: string }> = {
  'apps/v1/Deployment': { create: (d) => new Deployment(d as never), type: 'IDeployment', module: 'kubernetes-models/apps/v1/Deployment' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    create: (d) => new HorizontalPodAutoscaler(d as never),
    type: 'IHorizontalPodAutoscaler',
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  },
  'policy/v1/PodDisruptionBudget': { create: (d) => new PodDisruptionBudget(d as never), type: 'IPodDisruptionBudget', module: 'kubernetes-models/policy/v1/PodDisruptionBudget' },
  'v1/ConfigMap': { create: (d) => new ConfigMap(d as never), type: 'IConfigMap', module: 'kubernetes-models/v1/ConfigMap' },
  'v1/Namespace': { create: (d) => new Namespace(d as never), type: 'INamespace', module: 'kubernetes-models/v1/Namespace' },
  'v1/Secret': { create: (d) => new Secret(d as never), type: 'ISecret', module: 'kubernetes-models/v1/Secret' },
  'v1/Service': { create: (d) => new Service(d as never), type: 'IService', module: 'kubernetes-models/v1/Service' },
};

export function modelKey(object: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  return `${object.apiVersion}/${object.kind}`;
}

/** Schema problems of one object ([] when it is valid), as kubernetes-models reports them. */
export function schemaProblems(object: K8sObject): string[] {
  const model = MODELS[modelKey(object)];
  if (!model) return [`${modelKey(object)} is not a kind deploy-checks knows; add it to MODELS`];
  try {
    model.create(withoutBase64LineBreaks(object)).validate();
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

/**
 * kustomize writes long Secret values as base64 in 70-character lines. The API server decodes them with Go's
 * base64 decoder, which ignores line breaks; kubernetes-models' `byte` format does not, so they go before its check.
 */
function withoutBase64LineBreaks(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(Object.entries(object.data as Record<string, string>).map(([key, value]) => [key, value.replace(/\n/g, '')]));
  return { ...object, data };
}
