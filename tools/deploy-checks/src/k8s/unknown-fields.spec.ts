import type { K8sObject } from '../kustomize/k8s-object';
import { schemaProblems } from './schema-validation';
import { unknownFieldProblems } from './unknown-fields';

const deployment = (container: Record<string, unknown>, name = 'probe'): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: 'probe' } }, template: { metadata: { labels: { app: 'probe' } }, spec: { containers: [{ name: 'c', image: 'i:1', ...container }] } } },
});

describe('object validation', () => {
  it('passes a well-formed object', () => {
    const object = deployment({ readinessProbe: { grpc: { port: 50051 } } });
    expect(schemaProblems(object)).toEqual([]);
    expect(unknownFieldProblems([object])).toEqual([]);
  });

  it('reports a schema violation through kubernetes-models', () => {
    expect(schemaProblems(deployment({ ports: [{ containerPort: 'grpc' }] })).join()).toMatch(/containerPort/);
  });

  it('names an unknown field deep inside an object, which kubernetes-models alone accepts', () => {
    const typo = deployment({ readinessProbe: { grpc: { port: 50051 }, periodSecond: 5 } }, 'typo');

    expect(schemaProblems(typo)).toEqual([]);
    const problems = unknownFieldProblems([deployment({}), typo]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Deployment\/typo: .*periodSecond.* does not exist in type 'IProbe'/);
  });
});
