// One jest run, three tiers: `unit` (*.spec.ts, pure and fast), `integration` (*.int-spec.ts,
// real PostgreSQL and Kafka) and `e2e` (*.e2e-spec.ts, the whole stack through the gateway).
// Select with `--selectProjects`.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;
// Path aliases are resolved by jest (moduleNameMapper), not rewritten by swc.
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;

const { compilerOptions } = JSON.parse(readFileSync(path.join(__dirname, 'tsconfig.base.json'), 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/@]/g, (c) => `\\${c}`)}$`,
    `<rootDir>/${target}`,
  ]),
);

const tier = (displayName, testMatch, extra = {}) => ({
  displayName,
  rootDir: __dirname,
  testMatch,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/\\.sextant/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // ES-module-only dependencies (of @fastify/static) that jest's CommonJS runtime cannot require.
    '/node_modules/content-disposition/.+\\.js$': [
      '@swc/jest',
      { module: { type: 'commonjs' }, swcrc: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper,
  testEnvironment: 'node',
  ...extra,
});

module.exports = {
  // Generous for unit tests too: CPU-bound ones (Argon2id, ESLint over the project graph) slow
  // down on a busy shared machine. Integration and e2e set their own in their setup files.
  testTimeout: 30_000,
  projects: [
    tier('unit', ['<rootDir>/{apps,libs,tools}/**/*.spec.ts']),
    tier('integration', ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'], {
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/setup-integration.ts'],
    }),
    tier('e2e', ['<rootDir>/{apps,tools}/**/*.e2e-spec.ts'], {
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/setup-e2e.ts'],
    }),
  ],
  coverageProvider: 'v8',
  collectCoverageFrom: [
    '{apps,libs}/**/*.ts',
    '!**/*.{spec,int-spec,e2e-spec}.ts',
    '!libs/contracts/src/generated/**',
    '!**/migrations/**',
    '!apps/*/src/main.ts',
  ],
  // Tested code stays tested: platform and domain libraries above 80% of lines.
  coverageThreshold: {
    './libs/platform/': { lines: 80 },
    './libs/domain/': { lines: 80 },
  },
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageDirectory: '<rootDir>/coverage',
};
