import { type InputPath, VoltError } from '@volt/core';
import { MACHINES_DIR } from './defaults.js';
import { VOLT_STATE_DIR } from './paths.js';

/**
 * Host trees a container's root directory may not be, lie under or contain. A container's root (host root
 * itself without private users) can write its whole tree: a rootfs in one of these would let it change
 * the host's programs, configuration, kernel interfaces or Volt's own state. `beneath: false` marks a tree
 * whose subdirectories are fine (the machines directory holds one rootfs per container) but which may not
 * be a rootfs itself or lie inside one.
 *
 * @example
 * ```ts
 * HOST_SYSTEM_TREES.some((tree) => tree.path === '/etc'); // true
 * ```
 */
export const HOST_SYSTEM_TREES: readonly { readonly path: string; readonly beneath: boolean }[] = [
  ...[
    '/bin',
    '/boot',
    '/dev',
    '/etc',
    '/lib',
    '/lib32',
    '/lib64',
    '/libx32',
    '/proc',
    '/run',
    '/sbin',
    '/sys',
    '/usr',
    '/var/lib/systemd',
    '/var/log',
    VOLT_STATE_DIR,
  ].map((path) => ({ path, beneath: true })),
  { path: MACHINES_DIR, beneath: false },
];

/** Whether `path` is `tree` or lies in it (every path lies in `/`). */
const within = (path: string, tree: string): boolean =>
  tree === '/' || path === tree || path.startsWith(`${tree}/`);

/**
 * Checks a container's root directory (an absolute, normalised path without `..`, as the profile schema
 * makes it) against {@link HOST_SYSTEM_TREES}: not `/`, not one of those trees, not under one (except the
 * machines directory's children), not above one. Lexical: a rootfs reached through a symlink is refused
 * when it is opened (Volt follows no symlink in the path to a rootfs).
 *
 * @example
 * ```ts
 * rootfsProblem('/var/lib/machines/web'); // undefined
 * rootfsProblem('/')?.code; // 'INVALID_PATH'
 * ```
 */
export function rootfsProblem(rootfs: string, path: InputPath = ['rootfs']): VoltError | undefined {
  const tree = HOST_SYSTEM_TREES.find(
    (candidate) => within(candidate.path, rootfs) || (candidate.beneath && within(rootfs, candidate.path)),
  );
  if (tree === undefined) return undefined;
  const where = within(tree.path, rootfs)
    ? tree.path === rootfs
      ? `is the host's ${tree.path}`
      : `contains the host's ${tree.path}`
    : `lies in the host's ${tree.path}`;
  return new VoltError(
    'INVALID_PATH',
    `the container root ${rootfs} ${where}: its root could change the host's own files; accepted: a directory of its own outside ${HOST_SYSTEM_TREES.map((entry) => entry.path).join(' ')} and not above them (${MACHINES_DIR}/NAME, /srv/NAME, ...)`,
    { path },
  );
}

/**
 * The root directory the stock `systemd-nspawn@NAME.service` boots: a `.nspawn` file cannot name another
 * one (it has no `Directory=`), so the template route (`volt apply`, `volt start`) only accepts this one.
 *
 * @example
 * ```ts
 * templateRootfs('web'); // '/var/lib/machines/web'
 * ```
 */
export function templateRootfs(name: string): string {
  return `${MACHINES_DIR}/${name}`;
}
