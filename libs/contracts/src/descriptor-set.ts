import path from 'node:path';

/** Path of the `buf build` descriptor set (all Switchyard protos with their imports), used for server reflection. */
export function descriptorSetPath(): string {
  return path.join(__dirname, '..', 'descriptor', 'switchyard.binpb');
}
