import {
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_LOG_FLAGS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
  type LandlockFsRight,
  type LandlockLogFlag,
  type LandlockNetRight,
  type LandlockScope,
} from '@volt/core';

function bitsInOrder<T extends string>(names: readonly T[]): Readonly<Record<T, number>> {
  return Object.fromEntries(names.map((name, index) => [name, 2 ** index])) as Record<T, number>;
}

/**
 * Kernel bit of every filesystem right (`LANDLOCK_ACCESS_FS_*`): `execute` is `1 << 0`, `resolve-unix` is
 * `1 << 16`. Derived from the kernel bit order of {@link LANDLOCK_FS_RIGHTS}.
 *
 * @example
 * ```ts
 * LANDLOCK_FS_BITS.truncate; // 16384 (1 << 14)
 * ```
 */
export const LANDLOCK_FS_BITS: Readonly<Record<LandlockFsRight, number>> = bitsInOrder(LANDLOCK_FS_RIGHTS);

/**
 * Kernel bit of every network right (`LANDLOCK_ACCESS_NET_*`).
 *
 * @example
 * ```ts
 * LANDLOCK_NET_BITS['connect-tcp']; // 2
 * ```
 */
export const LANDLOCK_NET_BITS: Readonly<Record<LandlockNetRight, number>> = bitsInOrder(LANDLOCK_NET_RIGHTS);

/**
 * Kernel bit of every IPC scope (`LANDLOCK_SCOPE_*`).
 *
 * @example
 * ```ts
 * LANDLOCK_SCOPE_BITS.signal; // 2
 * ```
 */
export const LANDLOCK_SCOPE_BITS: Readonly<Record<LandlockScope, number>> = bitsInOrder(LANDLOCK_SCOPES);

/**
 * Kernel bit of every `landlock_restrict_self()` logging flag (`LANDLOCK_RESTRICT_SELF_LOG_*`).
 *
 * @example
 * ```ts
 * LANDLOCK_LOG_FLAG_BITS['subdomains-off']; // 4
 * ```
 */
export const LANDLOCK_LOG_FLAG_BITS: Readonly<Record<LandlockLogFlag, number>> =
  bitsInOrder(LANDLOCK_LOG_FLAGS);

/**
 * The `landlock_restrict_self()` flag that applies the domain to every thread (ABI 8,
 * `LANDLOCK_RESTRICT_SELF_TSYNC`).
 *
 * @example
 * ```ts
 * LANDLOCK_THREAD_SYNC_BIT; // 8
 * ```
 */
export const LANDLOCK_THREAD_SYNC_BIT = 8;

/**
 * Filesystem rights the kernel accepts on a rule for a non-directory. Every other right only makes sense
 * beneath a directory; the kernel answers EINVAL when such a right is granted on a file.
 *
 * @example
 * ```ts
 * LANDLOCK_FILE_RIGHTS.includes('make-dir'); // false
 * ```
 */
export const LANDLOCK_FILE_RIGHTS: readonly LandlockFsRight[] = [
  'execute',
  'write-file',
  'read-file',
  'truncate',
  'ioctl-dev',
  'resolve-unix',
];

/**
 * Read files and list directories (the sketch's `LandlockReadOnly`).
 *
 * @example
 * ```ts
 * LANDLOCK_READ_ONLY; // ['read-file', 'read-dir']
 * ```
 */
export const LANDLOCK_READ_ONLY: readonly LandlockFsRight[] = ['read-file', 'read-dir'];

/**
 * Read-only plus execute (the sketch's `LandlockReadExec`).
 *
 * @example
 * ```ts
 * LANDLOCK_READ_EXEC; // ['execute', 'read-file', 'read-dir']
 * ```
 */
export const LANDLOCK_READ_EXEC: readonly LandlockFsRight[] = ['execute', 'read-file', 'read-dir'];

/**
 * Read-only plus writing, creating and removing regular files and directories, and truncating (the
 * sketch's `LandlockReadWrite`). It does not include sockets, FIFOs, symlinks, devices or `refer`.
 *
 * @example
 * ```ts
 * LANDLOCK_READ_WRITE.includes('make-sym'); // false
 * ```
 */
export const LANDLOCK_READ_WRITE: readonly LandlockFsRight[] = [
  'write-file',
  'read-file',
  'read-dir',
  'remove-dir',
  'remove-file',
  'make-dir',
  'make-reg',
  'truncate',
];

/**
 * The bit mask of a list of rights, e.g. to compare with the kernel's constants.
 *
 * @example
 * ```ts
 * rightsMask(LANDLOCK_FS_BITS, ['execute', 'read-file']); // 5
 * ```
 */
export function rightsMask<T extends string>(
  bits: Readonly<Record<T, number>>,
  rights: readonly T[],
): number {
  return rights.reduce((mask, right) => mask | bits[right], 0);
}

/**
 * The rights of a bit mask, in kernel bit order. Bits without a name are ignored.
 *
 * @example
 * ```ts
 * rightsFromMask(LANDLOCK_FS_BITS, 5); // ['execute', 'read-file']
 * ```
 */
export function rightsFromMask<T extends string>(bits: Readonly<Record<T, number>>, mask: number): T[] {
  return (Object.keys(bits) as T[]).filter((name) => (mask & bits[name]) !== 0);
}

/**
 * A list of rights without duplicates, in the kernel's bit order of `order`.
 *
 * @example
 * ```ts
 * import { LANDLOCK_FS_RIGHTS } from '@volt/core';
 * sortRights(LANDLOCK_FS_RIGHTS, ['read-dir', 'execute', 'read-dir']); // ['execute', 'read-dir']
 * ```
 */
export function sortRights<T extends string>(order: readonly T[], rights: Iterable<T>): T[] {
  const wanted = new Set(rights);
  return order.filter((right) => wanted.has(right));
}
