import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts', 'checks/**/*.test.ts', 'collector/**/*.test.ts', 'agent/**/*.test.ts', 'shared/**/*.test.ts', 'deploy/**/*.test.ts'],
    // Real servers start in hooks; the first apt-get install of a package can take minutes.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Two cores: two test files at a time keeps servers from starving each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
