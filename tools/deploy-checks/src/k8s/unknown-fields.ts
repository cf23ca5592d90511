import path from 'node:path';
import ts from 'typescript';
import { objectKey, type K8sObject } from '../kustomize/k8s-object';
import { MODELS, modelKey } from './schema-validation';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');

/**
 * kubernetes-models validates types and required fields but accepts keys it does not know, and an
 * unknown key is how a typo (`readinessprobe`, `limit`) silently does nothing. So every object is
 * also type-checked against the TypeScript interface kubernetes-models generates from the same
 * OpenAPI schema, as an object literal: TypeScript's excess-property check then names each unknown
 * field at any depth. Returns one line per problem, naming the object and the field.
 */
export function unknownFieldProblems(objects: K8sObject[]): string[] {
  const aliases = new Map<string, string>();
  const declarations = objects.map((object, i) => {
    const model = MODELS[modelKey(object)];
    if (!model) return `// ${objectKey(object)}: unknown kind`;
    if (!aliases.has(model.module)) aliases.set(model.module, `T${aliases.size}`);
    return `export const o${i}: ${aliases.get(model.module)} = ${JSON.stringify(object, null, 1)};`;
  });
  const imports = Object.entries(MODELS)
    .filter(([, model]) => aliases.has(model.module))
    .map(([, model]) => `import type { ${model.type} as ${aliases.get(model.module)} } from '${model.module}';`);
  // Never written to disk: the compiler host below serves it from memory, beside node_modules for resolution.
  const fileName = path.join(WORKSPACE_ROOT, 'tools/deploy-checks/rendered-manifests.mts');
  const source = [...imports, ...declarations].join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
    name === fileName ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, onError, shouldCreate);

  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName)!;
  const lineOfObject = declarations.map((_, i) => source.split('\n').findIndex((line) => line.startsWith(`export const o${i}:`)));
  return ts.getPreEmitDiagnostics(program, file).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file !== file || diagnostic.start === undefined) return message;
    const line = file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const index = lineOfObject.findLastIndex((start) => start >= 0 && start <= line);
    const object = objects[index];
    return `${object ? objectKey(object) : '?'}: ${message}`;
  });
}
