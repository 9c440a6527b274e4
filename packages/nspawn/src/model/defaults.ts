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

/**
 * A default that gives way: when a conflict involves the default at `field` and a value the profile (or
 * a preset or file it extends) wrote at one of `yieldsTo`, the default is left out and the merge report
 * says so. Defaults never create a conflict the user did not write.
 */
export interface DefaultYield {
  /** The default's field, dotted. */
  readonly field: string;
  /** The fields whose values it gives way to, dotted. */
  readonly yieldsTo: readonly string[];
  /** The rule the two would break together. */
  readonly because: string;
}

/**
 * Which defaults relate to which fields a profile writes: the one table the yield rule reads. In order:
 * when a conflict touches more than one default, the first that can yield does, then the profile is
 * checked again.
 *
 * @example
 * ```ts
 * DEFAULT_YIELDS[0]?.field; // 'resources.memory.high'
 * ```
 */
export const DEFAULT_YIELDS: readonly DefaultYield[] = [
  {
    field: 'resources.memory.high',
    yieldsTo: ['resources.memory.max', 'resources.memory.min', 'resources.memory.low'],
    because: 'MemoryMin ≤ MemoryHigh, MemoryLow ≤ MemoryHigh and MemoryHigh ≤ MemoryMax',
  },
  {
    field: 'resources.memory.max',
    yieldsTo: ['resources.memory.high', 'resources.memory.min', 'resources.memory.low'],
    because: 'MemoryMin, MemoryLow and MemoryHigh are at most MemoryMax',
  },
  {
    field: 'landlock',
    yieldsTo: ['seccomp'],
    because:
      'the Landlock helper needs landlock_create_ruleset, landlock_add_rule, landlock_restrict_self and prctl, which the seccomp filter denies',
  },
];
