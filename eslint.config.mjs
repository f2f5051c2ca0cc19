import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ARCHITECTURE.md section 2: which kind of project may import which. Tests of any project may also
// use the testing library (helpers for the real PostgreSQL and Kafka).
const dependencyRules = (forTests) => [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:platform',
      'type:domain',
      'type:contracts',
      ...(forTests ? ['type:testing'] : []),
    ],
  },
  {
    sourceTag: 'type:platform',
    onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', ...(forTests ? ['type:testing'] : [])],
  },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:contracts'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:domain', 'type:testing'],
  },
  {
    sourceTag: 'type:tools',
    onlyDependOnLibsWithTags: ['type:platform', 'type:domain', 'type:contracts', 'type:testing', 'type:sdk'],
  },
];

// Platform libraries' integration tests use the testing library, which builds on the platform: a
// cycle through test files only, accepted here and nowhere else.
const testOnlyCycles = ['config', 'database', 'http', 'logging', 'messaging', 'service', 'telemetry'].map(
  (lib) => [`platform-${lib}`, 'testing'],
);

const boundaries = (forTests) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    ignoredCircularDependencies: testOnlyCycles,
    depConstraints: dependencyRules(forTests),
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '.sextant/**',
      '.nx/**',
      'libs/contracts/src/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  { files: ['**/*.{js,mjs,cjs}'], languageOptions: { globals: globals.node } },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@nx/enforce-module-boundaries': boundaries(false),
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // Domain code knows no framework and does no I/O.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@nestjs/*',
            'typeorm',
            'pg',
            'kafkajs',
            'fastify',
            'node:fs',
            'fs',
            'node:net',
            'node:http',
          ],
        },
      ],
    },
  },
);
