import { isRecord } from './k8s-object';

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/**
 * RFC 6902 `add`, `remove` and `replace` (the operations the overlays use), applied in place. Anything else,
 * or a path that does not exist where the RFC requires it, throws: a patch that silently misses its target
 * is the failure this check exists to catch.
 */
export function applyJsonPatch(document: Record<string, unknown>, operations: PatchOperation[], label: string): void {
  for (const operation of operations) {
    const tokens = parsePointer(operation.path, label);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`${label}: cannot ${operation.op} the whole document`);
    const parent = resolve(document, tokens, operation.path, label);
    switch (operation.op) {
      case 'add':
        if (Array.isArray(parent)) {
          const index = last === '-' ? parent.length : arrayIndex(last, parent.length + 1, operation.path, label);
          parent.splice(index, 0, structuredClone(operation.value));
        } else {
          parent[last] = structuredClone(operation.value);
        }
        break;
      case 'remove':
      case 'replace': {
        if (Array.isArray(parent)) {
          const index = arrayIndex(last, parent.length, operation.path, label);
          if (operation.op === 'remove') parent.splice(index, 1);
          else parent[index] = structuredClone(operation.value);
        } else {
          if (!(last in parent)) throw new Error(`${label}: ${operation.op} ${operation.path}: no such member`);
          if (operation.op === 'remove') delete parent[last];
          else parent[last] = structuredClone(operation.value);
        }
        break;
      }
      default:
        throw new Error(`${label}: JSON patch operation "${operation.op}" is not supported by this renderer`);
    }
  }
}

function parsePointer(pointer: string, label: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`${label}: JSON pointer "${pointer}" must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(document: unknown, tokens: string[], pointer: string, label: string): Record<string, unknown> | unknown[] {
  let current: unknown = document;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, pointer, label)];
    else if (isRecord(current) && token in current) current = current[token];
    else throw new Error(`${label}: ${pointer}: "${token}" does not exist`);
  }
  if (!Array.isArray(current) && !isRecord(current)) throw new Error(`${label}: ${pointer}: parent is not an object or array`);
  return current;
}

function arrayIndex(token: string, size: number, pointer: string, label: string): number {
  const index = /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : NaN;
  if (!(index < size)) throw new Error(`${label}: ${pointer}: index ${token} is out of range`);
  return index;
}
