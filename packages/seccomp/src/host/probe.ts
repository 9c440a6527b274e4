import { readFile } from 'node:fs/promises';

/** What this kernel offers of seccomp. */
export interface SeccompKernel {
  /** Whether the kernel filters system calls with BPF programs (CONFIG_SECCOMP_FILTER). */
  readonly filter: boolean;
  /** The actions a filter may return here (`kill_process`, `errno`, `log`, …), as the kernel names them. */
  readonly actions: readonly string[];
}

/**
 * Asks the running kernel what it offers of seccomp: `/proc/sys/kernel/seccomp/actions_avail`, which exists
 * only where filters do, lists the actions a filter may return.
 *
 * @example
 * ```ts
 * const { filter, actions } = await probeSeccomp(); // { filter: true, actions: ['kill_process', …, 'allow'] }
 * ```
 */
export async function probeSeccomp(): Promise<SeccompKernel> {
  try {
    const text = await readFile('/proc/sys/kernel/seccomp/actions_avail', 'utf8');
    return { filter: true, actions: text.split(/\s+/).filter((action) => action !== '') };
  } catch {
    return { filter: false, actions: [] };
  }
}
