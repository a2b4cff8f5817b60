import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts', 'test/conformance/**/*.conformance.test.ts', 'test/infra/**/*.test.ts'],
          globalSetup: ['test/helpers/dynamodb-global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
