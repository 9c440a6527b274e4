import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Test files of the system tiers: the real kernel, systemd-nspawn, network namespaces, or real processes
 * killed and restarted (`*.system.test.ts`). CI runs them as root, one file at a time.
 */
export const systemTestGlobs: readonly string[] = [
  'src/**/*.kernel.test.ts',
  'src/**/*.nspawn.test.ts',
  'src/**/*.net.test.ts',
  'src/**/*.system.test.ts',
  'test/**/*.kernel.test.ts',
  'test/**/*.nspawn.test.ts',
  'test/**/*.net.test.ts',
  'test/**/*.system.test.ts',
];

const setupFiles = [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))];

/**
 * Pure tests: colocated `*.test.ts` files. The time-outs are generous on purpose: a loaded two-core CI
 * machine may run a property test ten times slower than a quiet one, and no test asserts on time.
 */
export const unitTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...systemTestGlobs, '**/node_modules/**', '**/dist/**'],
    setupFiles,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

/** Kernel, nspawn, network and process tiers: one file at a time, more generous time-outs still. */
export const systemTestConfig = defineConfig({
  test: {
    include: [...systemTestGlobs],
    exclude: ['**/node_modules/**', '**/dist/**'],
    setupFiles,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    passWithNoTests: true,
  },
});
