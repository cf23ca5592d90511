import type { K8sObject } from '../kustomize/k8s-object';

export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  [field: string]: unknown;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string }; emptyDir?: object }[];
  [field: string]: unknown;
}

export interface ResolvedEnv {
  /** Value of each variable as the container would see it (fieldRef values are placeholders). */
  values: Record<string, string>;
  /** References to ConfigMaps, Secrets or keys that neither the render nor `external` provides. */
  unresolved: string[];
}

/**
 * The environment a container gets: envFrom first, then env (which wins), with ConfigMap and Secret
 * values taken from the rendered objects, or from `external` for Secrets the operator creates.
 */
export function resolveEnv(container: Container, objects: K8sObject[], external: Record<string, Record<string, string>> = {}): ResolvedEnv {
  const values: Record<string, string> = {};
  const unresolved: string[] = [];
  const source = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> | undefined => {
    const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!object) return kind === 'Secret' ? external[name] : undefined;
    const data = (object.data ?? {}) as Record<string, string>;
    return kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v.replace(/\n/g, ''), 'base64').toString('utf8')])) : data;
  };
  for (const from of container.envFrom ?? []) {
    const [kind, name] = from.configMapRef ? (['ConfigMap', from.configMapRef.name] as const) : (['Secret', from.secretRef!.name] as const);
    const data = source(kind, name);
    if (!data) unresolved.push(`envFrom ${kind} ${name}`);
    else Object.assign(values, data);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
    if (ref) {
      const kind = variable.valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const value = source(kind, ref.name)?.[ref.key];
      if (value === undefined) unresolved.push(`${variable.name} <- ${kind} ${ref.name} key ${ref.key}`);
      else values[variable.name] = value;
    } else if (variable.valueFrom?.fieldRef) {
      values[variable.name] = `<${variable.valueFrom.fieldRef.fieldPath}>`;
    } else {
      // Kubernetes expands $(VAR) from variables defined earlier in the list.
      values[variable.name] = (variable.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => values[name] ?? whole);
    }
  }
  return { values, unresolved };
}

/** Names a container gets through `env` whose only purpose is $(VAR) expansion in other values. */
export function expansionOnlyVariables(container: Container): string[] {
  const referenced = new Set((container.env ?? []).flatMap((v) => [...(v.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]!)));
  return (container.env ?? []).filter((v) => v.valueFrom?.fieldRef && referenced.has(v.name)).map((v) => v.name);
}

export function podSpec(object: K8sObject): PodSpec {
  return (object.spec as { template: { spec: PodSpec } }).template.spec;
}
