import fs from 'node:fs';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ReflectionService } from '@grpc/reflection';
import type { PackageDefinition } from '@grpc/proto-loader';
import { descriptorSetPath } from '@switchyard/contracts';

/**
 * Server reflection fed with the raw FileDescriptorProtos of `buf build`'s descriptor set. Going through
 * proto-loader would re-serialise the files and drop their imports, and `buf curl` could then not
 * resolve the services; so we split the FileDescriptorSet (field 1, repeated bytes) ourselves.
 */
export function reflectionFor(serviceNames: string[], file = descriptorSetPath()): ReflectionService {
  const files = splitFileDescriptorSet(fs.readFileSync(file));
  const pkg = { files: { fileDescriptorProtos: files } } as unknown as PackageDefinition;
  return new ReflectionService(pkg, { services: serviceNames });
}

export function splitFileDescriptorSet(bytes: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(bytes);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}
