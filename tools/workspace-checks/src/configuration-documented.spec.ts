import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const reference = fs.readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');

/** Each service's config schema, loaded from its build output (keys are the environment variables). */
const SCHEMAS: Record<string, string> = {
  'api-gateway': 'gatewayConfigSchema',
  queue: 'queueConfigSchema',
  cache: 'cacheConfigSchema',
  batcher: 'batcherConfigSchema',
  'model-router': 'modelRouterConfigSchema',
  'region-router': 'regionRouterConfigSchema',
  'upstream-sim': 'simulatorConfigSchema',
};

describe('docs/configuration.md', () => {
  it.each(Object.entries(SCHEMAS))('documents every setting of %s', (service, exportName) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(path.join(root, 'services', service, 'dist', 'config.js')) as Record<string, { shape: Record<string, unknown> }>;
    const schema = module[exportName];
    expect(schema).toBeDefined();
    const missing = Object.keys(schema!.shape).filter((key) => !reference.includes(`| \`${key}\``));
    expect(missing).toEqual([]);
  });
});
