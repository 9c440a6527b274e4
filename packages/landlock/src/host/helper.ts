import { fileURLToPath } from 'node:url';
import { VoltError } from '@volt/core';
import type { LandlockKernel } from '../model/compat.js';

/**
 * node:child_process, loaded on first use: a program that imports this package only to render plans (which
 * needs the helper's path, not a process) does not pay for loading it.
 *
 * @example
 * ```ts
 * typeof childProcess().execFile; // 'function'
 * ```
 */
export function childProcess(): typeof import('node:child_process') {
  return process.getBuiltinModule('node:child_process');
}

/**
 * The absolute path of the static helper shipped in this package (`dist/volt-landlock`). It is found
 * through the package's own `package.json`, so it still resolves when this module is bundled into an
 * application (the `volt` CLI is).
 *
 * @example
 * ```ts
 * landlockHelperPath().endsWith('/dist/volt-landlock'); // true
 * ```
 */
export function landlockHelperPath(): string {
  return fileURLToPath(new URL('./dist/volt-landlock', import.meta.resolve('@volt/landlock/package.json')));
}

/**
 * Probes already started in this process, by helper path. The kernel's Landlock ABI cannot change while
 * the process runs, and `volt sandbox run` probes twice (for the policy's ABI, then in `runLandlocked`), so
 * the second probe reuses the first instead of starting the helper again. A failed probe is forgotten.
 */
const probes = new Map<string, Promise<Required<LandlockKernel>>>();

/**
 * Asks the running kernel for its Landlock ABI and errata, through the helper (`volt-landlock --probe`).
 * The answer is kept per helper path for the life of the process.
 *
 * @throws {@link VoltError} `NOT_FOUND` when the helper is missing (build the package), `SYSTEM_ERROR` when
 * it cannot run.
 * @example
 * ```ts
 * const { abi, errata } = await probeLandlock(); // { abi: 7, errata: 7 } on Linux 6.18
 * ```
 */
export function probeLandlock(helperPath: string = landlockHelperPath()): Promise<Required<LandlockKernel>> {
  const started = probes.get(helperPath);
  if (started !== undefined) return started;
  const probe = new Promise<Required<LandlockKernel>>((resolve, reject) => {
    childProcess().execFile(helperPath, ['--probe'], { encoding: 'utf8' }, (error, stdout) => {
      const match = /^abi (\d+)\nerrata (\d+)\n$/.exec(stdout);
      if (error !== null || match === null) {
        const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
        reject(
          new VoltError(
            missing ? 'NOT_FOUND' : 'SYSTEM_ERROR',
            `cannot probe Landlock with ${helperPath}: ${error?.message ?? stdout}`,
            {
              ...(missing ? { hint: 'build @volt/landlock (pnpm --filter @volt/landlock build)' } : {}),
              cause: error,
            },
          ),
        );
      } else resolve({ abi: Number(match[1]), errata: Number(match[2]) });
    });
  });
  probes.set(helperPath, probe);
  probe.catch(() => probes.delete(helperPath));
  return probe;
}
