import { defineConfig } from 'vitest/config';

/** Test files that need the real kernel, systemd-nspawn or network namespaces. CI runs them as root. */
export const systemTestGlobs: readonly string[] = [
  'src/**/*.kernel.test.ts',
  'src/**/*.nspawn.test.ts',
  'src/**/*.net.test.ts',
  'test/**/*.kernel.test.ts',
  'test/**/*.nspawn.test.ts',
  'test/**/*.net.test.ts',
];

/** Pure, fast tests: colocated `*.test.ts` files. */
export const unitTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...systemTestGlobs, '**/node_modules/**', '**/dist/**'],
  },
});

/** Kernel, nspawn and network tiers: one file at a time, generous time-outs. */
export const systemTestConfig = defineConfig({
  test: {
    include: [...systemTestGlobs],
    exclude: ['**/node_modules/**', '**/dist/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
  },
});
