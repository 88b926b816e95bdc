import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Regexes, not gitignore-style groups: in those a leading '#' starts a comment, so '#config/*' would
// match nothing.
const CORE_PATTERNS = [
  { regex: '^#adapters/|/adapters/', message: 'The core depends on ports, never on adapters.' },
  {
    regex: '^#cli/|/cli/|/functions/',
    message: 'The core is called by the shells (CLI, Lambda handlers), never the reverse.',
  },
  {
    regex: '^(@aws-sdk/|aws-lambda$|aws-cdk-lib)',
    message: 'No AWS in the core: the AWS adapters implement its ports.',
  },
  {
    regex: '^#config/|/config/',
    message:
      'The core receives its settings as arguments; #config reads the environment and imports core types, not the reverse.',
  },
];

/** The parts of the core that are pure computation over their inputs. */
const PURE_PARTS = [
  'src/core/cluster/**/*.ts',
  'src/core/metrics/**/*.ts',
  'src/core/ports/**/*.ts',
  'src/core/pipeline/**/*.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'models/', 'dist/', '.cache/', 'rankface-out/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'error' } },
  // Small functions (issue 10): none over 80 lines of code in src/ and functions/ (blank lines and
  // comments not counted). Tests, benches and scripts are not held to it.
  {
    files: ['src/**/*.ts', 'functions/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  // The architecture, enforced (docs/architecture.md, "Enforced rules"). The core knows no adapter,
  // no shell, no cloud SDK and no configuration source: those depend on it, never the reverse.
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: CORE_PATTERNS }] },
  },
  // The pure parts do no I/O at all: no Node built-in module. The vision engine is the one core part
  // that reads files (its model weights) and spawns workers; node:crypto is allowed because hashing
  // is computation (WebCrypto's digest is async-only, and the keys are derived synchronously).
  {
    files: PURE_PARTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...CORE_PATTERNS,
            {
              regex: '^node:(?!crypto$)',
              message: 'The pure core parts (cluster, metrics, ports, pipeline) do no I/O: take a port instead.',
            },
          ],
        },
      ],
    },
  },
);
