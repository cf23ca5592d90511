// Lint is where the architecture is checked: services import libs, never each other (ARCHITECTURE.md §1),
// and domain folders stay free of transport and storage imports.
const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');

const depConstraints = [
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
  // The one-process app composes services (their exported ServiceModules); nothing imports an app.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:lib'] },
  { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contracts'] },
  { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contracts'] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contracts'] },
];

const transportAndStorage = ['@grpc/grpc-js', '@grpc/*', 'ioredis', '@opentelemetry/sdk-*', '@switchyard/contracts', 'openai'];

module.exports = [
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/contracts/src/gen/**', '**/jest.config.cjs', 'tmp/**', '.switchyard/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints,
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Services are Nx applications, which the rule never lets anything import; the one-process app is the one
    // place allowed to import their exported ServiceModules (`@switchyard/<service>/service`). Services still cannot.
    files: ['apps/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: ['api-gateway', 'batcher', 'cache', 'model-router', 'queue', 'region-router'].map((s) => `@switchyard/${s}/service`), depConstraints }],
    },
  },
  {
    // Pure domain folders: no gRPC, OpenTelemetry SDK, Redis, SDK clients or generated contracts.
    files: [
      'services/queue/src/admission/**/*.ts',
      'services/cache/src/caching/**/*.ts',
      'services/cache/src/embedding/**/*.ts',
      'services/batcher/src/batching/**/*.ts',
      'services/model-router/src/routing/**/*.ts',
      'services/model-router/src/catalog/**/*.ts',
      'services/region-router/src/routing/**/*.ts',
      'services/upstream-sim/src/simulator/**/*.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: transportAndStorage, message: 'domain code stays pure: take this collaborator as an argument' }] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    // Tests read parsed JSON bodies deeply; typing every response shape would add noise, not safety.
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
];
