import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { descriptorSetPath, modelRouterV1 } from '@switchyard/contracts';
import pino from 'pino';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server';
import { splitFileDescriptorSet } from './reflection';
import { unary } from './unary-handler';

const run = promisify(execFile);
const BUF = path.resolve(__dirname, '../../../node_modules/.bin/buf');
const silent = pino({ level: 'silent' });

describe('splitFileDescriptorSet', () => {
  it('returns each file (field 1) byte for byte, in order, and skips other fields', () => {
    const first = new Uint8Array([0x0a, 0x03, 0x61, 0x2e, 0x70]);
    const second = new Uint8Array([0x0a, 0x03, 0x62, 0x2e, 0x70, 0x12, 0x01, 0x78]);
    const set = new BinaryWriter()
      .uint32((1 << 3) | 2)
      .bytes(first)
      .uint32((2 << 3) | 0)
      .uint32(150)
      .uint32((1 << 3) | 2)
      .bytes(second)
      .uint32((3 << 3) | 2)
      .string('not a file')
      .finish();

    expect(splitFileDescriptorSet(set).map((file) => Array.from(file))).toEqual([Array.from(first), Array.from(second)]);
  });

  it('returns nothing for an empty set', () => {
    expect(splitFileDescriptorSet(new Uint8Array())).toEqual([]);
  });

  it('splits the buf build descriptor set into FileDescriptorProtos that keep their imports', () => {
    const files = splitFileDescriptorSet(fs.readFileSync(descriptorSetPath())).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const router = files.find((file) => file.name === 'switchyard/modelrouter/v1/model_router.proto');

    expect(router?.dependency).toContain('switchyard/gateway/v1/gateway.proto');
    expect(router?.service.map((s) => s.name)).toEqual(['ModelRouterService']);
    expect(files.map((file) => file.name)).toContain('switchyard/gateway/v1/gateway.proto');
  });
});

describe('server reflection, as buf curl sees it', () => {
  let server: RunningGrpcServer;

  beforeAll(async () => {
    server = await startGrpcServer({
      service: 'model-router',
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      bindings: [
        {
          name: 'switchyard.modelrouter.v1.ModelRouterService',
          definition: modelRouterV1.ModelRouterServiceService,
          implementation: {
            select: unary(silent, 'Select', async (req: modelRouterV1.SelectRequest) => ({
              model: req.model || 'small',
              tier: 'simple',
              reason: `${req.messages.length} message(s) from ${req.messages[0]?.role ?? 'nobody'}`,
              fallbacks: ['medium', 'large'],
              complexity: 0.25,
              estimatedInputTokens: 7,
            })),
            listModels: unary(silent, 'ListModels', async () => ({ models: [] })),
          },
        },
      ],
    });
  });

  afterAll(() => server.shutdown(0));

  const curl = (...args: string[]) => run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { timeout: 20_000 });

  it('lists the bound service methods', async () => {
    const { stdout } = await curl('--list-methods', `http://127.0.0.1:${server.port}`);
    const methods = stdout.trim().split('\n');

    expect(methods).toContain('switchyard.modelrouter.v1.ModelRouterService/Select');
    expect(methods).toContain('switchyard.modelrouter.v1.ModelRouterService/ListModels');
  });

  it('calls Select with JSON, resolving message types imported from another file', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', tenant: 'acme', messages: [{ role: 'user', content: 'hi' }] });

    const { stdout } = await curl('-d', body, `http://127.0.0.1:${server.port}/switchyard.modelrouter.v1.ModelRouterService/Select`);

    expect(JSON.parse(stdout)).toEqual({
      model: 'gpt-4o-mini',
      tier: 'simple',
      reason: '1 message(s) from user',
      fallbacks: ['medium', 'large'],
      complexity: 0.25,
      estimatedInputTokens: 7,
    });
  });
});
