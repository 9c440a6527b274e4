import { join } from 'node:path';
import { VoltError } from '@volt/core';
import { makeDirectory } from './files.js';
import { startSpan } from './trace.js';

/** Options for {@link withDirectoryLock}. */
export interface DirectoryLockOptions {
  /** The mode of the directory (and of missing parents) when this call creates it; default 0o755. */
  readonly mode?: number;
}

/**
 * Runs `action` while holding the lock of a directory, which serialises processes on this host: a lock
 * directory `DIR/.lock` (proper-lockfile, created 0o700 whatever the umask), taken over when stale after
 * 10 s without refresh. The directory and its missing parents are created with `options.mode`. `what`
 * names what is locked, for the error message.
 *
 * Volt's one lock: the network state lock of this package and `@volt/nspawn`'s container install lock
 * both go through it.
 *
 * @throws {@link VoltError} `BUSY` when the lock cannot be had within about 30 s; whatever `action` throws.
 * @example
 * ```ts
 * await withDirectoryLock('/var/lib/volt/containers/web', 'container web', async () => { ... });
 * ```
 */
export async function withDirectoryLock<T>(
  dir: string,
  what: string,
  action: () => Promise<T>,
  options: DirectoryLockOptions = {},
): Promise<T> {
  const waited = startSpan('lock: wait', what);
  makeDirectory(dir, options.mode ?? 0o755);
  let release: () => Promise<void>;
  try {
    // Loaded on first use: proper-lockfile patches fs and hooks process signals, which a program that
    // only renders plans should not pay for.
    const [{ default: lockfile }, fs] = await Promise.all([import('proper-lockfile'), import('node:fs')]);
    release = await lockfile.lock(dir, {
      lockfilePath: join(dir, '.lock'),
      realpath: false,
      stale: 10_000,
      retries: { retries: 600, factor: 1.2, minTimeout: 5, maxTimeout: 50 },
      // proper-lockfile creates the lock directory with a plain mkdir (the umask's mode): give it 0o700.
      fs: {
        ...fs,
        mkdir: (path: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
          fs.mkdir(path, { mode: 0o700 }, callback),
      },
    });
  } catch (error) {
    throw new VoltError('BUSY', `${what} (${dir}) is locked by another process`, {
      hint: 'retry; a lock left by a killed process is taken over after 10 s',
      cause: error,
    });
  }
  waited();
  const held = startSpan('lock: held', what);
  try {
    return await action();
  } finally {
    await release();
    held();
  }
}
