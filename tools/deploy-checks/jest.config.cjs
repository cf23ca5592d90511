/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // kubernetes-models (and two of its dependencies) ship ES modules only; swc turns them into CommonJS for jest.
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', {}] },
  transformIgnorePatterns: ['/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/)'],
  resolver: '<rootDir>/jest-resolver.cjs',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
