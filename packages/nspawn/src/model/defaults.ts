import { DEFAULT_RESOURCES } from '@volt/cgroups';

/** The machines directory machinectl uses; a container's rootfs defaults to `DIR/NAME`. */
export const MACHINES_DIR = '/var/lib/machines';

/**
 * What a container gets where its profile says nothing, as a profile writes it, security first: the
 * `server` Landlock preset, nspawn's own seccomp filter (`default`), the default limits (MemoryHigh 1G,
 * MemoryMax 2G, CPU weight 100, IO weight 100, 4096 tasks, delegated), a private network (on `voltbr0`,
 * the network part's own default), private users on, a writable root. The container boots its init.
 *
 * @example
 * ```ts
 * DEFAULT_PROFILE.landlock; // 'server'
 * ```
 */
export const DEFAULT_PROFILE: {
  readonly boot: true;
  readonly landlock: 'server';
  readonly seccomp: 'default';
  readonly resources: typeof DEFAULT_RESOURCES;
  readonly privateUsers: true;
  readonly readOnlyRoot: false;
} = {
  boot: true,
  landlock: 'server',
  seccomp: 'default',
  resources: DEFAULT_RESOURCES,
  privateUsers: true,
  readOnlyRoot: false,
};
