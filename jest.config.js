/** ESM TypeScript through @swc/jest; jest runs with --experimental-vm-modules (see package.json). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // the native suites need a Xen host: npm run test:native (inside the real dom0: npm run test:xen)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/native/'],
  testTimeout: 30000,
};
