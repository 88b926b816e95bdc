import { defineConfig } from 'vitest/config';

// Four suites: unit (pure logic and real models on real photos), integration (real
// wire-protocol emulators started by the suite's own setup), e2e (CLI + headless browser), bundles (the built Lambda assets).
// `npm test` runs unit + integration + e2e; each file owns one behaviour.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ['test/setup/build-web.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Emulators are shared per file; files run one at a time to stay inside 2 cores.
          fileParallelism: false,
        },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false } },
      // The Lambda bundles as `cdk synth` builds them, loaded as Lambda loads them (synth once per run).
      { extends: true, test: { name: 'bundles', include: ['test/bundles/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
