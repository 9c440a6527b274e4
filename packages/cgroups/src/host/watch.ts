import { setTimeout as sleep } from 'node:timers/promises';
import { parseAbsolutePath, VoltError } from '@volt/core';
import type { CgroupStats } from '../model/stats.js';
import { readCgroupStats } from './manager.js';
import { findCgroup2Mount } from './mountinfo.js';

/**
 * Resolves a group given on the command line to its directory: an absolute path must lie within the
 * cgroup2 mount; a relative one is taken below it.
 *
 * @throws {@link VoltError} `INVALID_PATH` for an unsafe path or one outside the mount; `UNSUPPORTED`
 * when no cgroup2 hierarchy is mounted.
 * @example
 * ```ts
 * await resolveCgroupDirectory('vtc-web'); // '/sys/fs/cgroup/unified/vtc-web' on a hybrid host
 * ```
 */
export async function resolveCgroupDirectory(
  input: string,
  options: { readonly mount?: string } = {},
): Promise<string> {
  const mount = options.mount ?? (await findCgroup2Mount());
  const path = parseAbsolutePath(input.startsWith('/') ? input : `${mount}/${input}`);
  if (!path.ok) throw path.error.at(['path']);
  if (path.value !== mount && !path.value.startsWith(`${mount}/`))
    throw new VoltError('INVALID_PATH', `${path.value} is not within the cgroup2 mount ${mount}`, {
      path: ['path'],
      hint: `give a path below ${mount}, or a group name relative to it`,
    });
  return path.value;
}

/** Options for {@link watchCgroupStats}. */
export interface WatchOptions {
  /** Time between samples in milliseconds (default 1000). */
  readonly intervalMs?: number;
  /** Stop after this many samples (default: until aborted). */
  readonly count?: number;
  /** Stops the watch, e.g. on SIGINT. */
  readonly signal?: AbortSignal;
}

/**
 * Samples a group's stats at an interval until `count` samples were taken or `signal` aborts.
 *
 * @throws {@link VoltError} as {@link readCgroupStats}.
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * for await (const stats of watchCgroupStats(dir, { signal: controller.signal })) console.log(stats.cpu);
 * ```
 */
export async function* watchCgroupStats(
  directory: string,
  options: WatchOptions = {},
): AsyncGenerator<CgroupStats> {
  const intervalMs = options.intervalMs ?? 1000;
  let taken = 0;
  while (options.signal?.aborted !== true) {
    yield await readCgroupStats(directory);
    taken++;
    if (options.count !== undefined && taken >= options.count) return;
    try {
      await sleep(intervalMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
    } catch {
      return;
    }
  }
}
