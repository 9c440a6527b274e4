import { LANDLOCK_READ_EXEC, LANDLOCK_READ_ONLY, LANDLOCK_READ_WRITE } from '@volt/landlock';

/**
 * A built-in profile preset: a profile document, written as a user writes one, that a profile names in
 * `extends:` to be laid over it. A preset is `NAME@VERSION`; its document never changes once released (a
 * change is a new version), and a bare `NAME` always means `NAME@1`, so a profile keeps its meaning until
 * its author names another version.
 */
export interface ProfilePreset {
  readonly name: string;
  readonly version: number;
  /** What the preset is for, in one line. */
  readonly summary: string;
  readonly document: Readonly<Record<string, unknown>>;
}

/**
 * The built-in presets, each version kept for ever. `server` and `desktop` name the Landlock presets of
 * `@volt/landlock` and the seccomp profile `default`; `strict-app` writes its Landlock rules out in full,
 * with `@volt/landlock`'s sets of rights (a unit test holds each preset document's digest: should one of
 * those sets change, the test fails, and the preset needs a new version).
 *
 * - `server@1`: a booting system container serving the network: private network, nspawn's seccomp filter,
 *   the Landlock `server` preset on the workload unit the profile names, private users, a writable root.
 * - `desktop@1`: the same with the Landlock `desktop` preset (home directories read, write and execute).
 * - `strict-app@1`: one command (Boot=no, the Landlock helper as PID 1): the `strict` seccomp profile, a
 *   read-only root, no network, private users, and Landlock on the command: read and execute system
 *   directories, read /etc and /proc, read and write /tmp and the harmless devices, no TCP bind or connect,
 *   no signals or abstract sockets out of the container's domain. Minimal capabilities are not part of it
 *   yet (the profile has no capabilities field): they will come as `strict-app@2`, or in `@1` if it lands
 *   before the first release that ships presets.
 *
 * @example
 * ```ts
 * PROFILE_PRESETS.map((preset) => `${preset.name}@${preset.version}`); // ['server@1', 'desktop@1', 'strict-app@1']
 * ```
 */
export const PROFILE_PRESETS: readonly ProfilePreset[] = [
  {
    name: 'server',
    version: 1,
    summary:
      'a booting system container on a private network: Landlock server preset on the workload unit, seccomp default, private users',
    document: {
      boot: true,
      landlock: { preset: 'server' },
      seccomp: { profile: 'default' },
      network: { mode: 'private' },
      privateUsers: true,
      readOnlyRoot: false,
    },
  },
  {
    name: 'desktop',
    version: 1,
    summary:
      'a booting system container on a private network: Landlock desktop preset on the workload unit, seccomp default, private users',
    document: {
      boot: true,
      landlock: { preset: 'desktop' },
      seccomp: { profile: 'default' },
      network: { mode: 'private' },
      privateUsers: true,
      readOnlyRoot: false,
    },
  },
  {
    name: 'strict-app',
    version: 1,
    summary:
      'one command (Boot=no): strict seccomp, read-only root, no network, private users, Landlock on the command',
    document: {
      boot: false,
      readOnlyRoot: true,
      privateUsers: true,
      network: { mode: 'none' },
      seccomp: { profile: 'strict' },
      // GAP(capabilities): strict-app drops every capability a Boot=no command does not need once the
      // profile has a capabilities field (issue 18, "Capabilities and privileges").
      landlock: {
        handledNet: ['bind-tcp', 'connect-tcp'],
        scopes: ['abstract-unix-socket', 'signal'],
        paths: [
          ...['/usr', '/bin', '/sbin', '/lib', '/lib64'].map((path) => ({
            path,
            access: LANDLOCK_READ_EXEC,
            optional: true,
          })),
          ...['/etc', '/proc'].map((path) => ({ path, access: LANDLOCK_READ_ONLY, optional: true })),
          { path: '/tmp', access: LANDLOCK_READ_WRITE, optional: true },
          ...['/dev/null', '/dev/zero', '/dev/full'].map((path) => ({
            path,
            access: ['read-file', 'write-file'],
            optional: true,
          })),
          ...['/dev/random', '/dev/urandom'].map((path) => ({ path, access: ['read-file'], optional: true })),
        ],
      },
    },
  },
];

/** How an `extends:` entry names a preset: `NAME` or `NAME@VERSION`. */
const PRESET_REFERENCE = /^([a-z][a-z0-9-]*)(?:@([1-9][0-9]{0,5}))?$/;

/**
 * The preset an `extends:` entry names (`NAME` means `NAME@1`), or undefined when there is none.
 *
 * @example
 * ```ts
 * findPreset('strict-app')?.version; // 1
 * findPreset('strict-app@1') === findPreset('strict-app'); // true
 * findPreset('strict-app@2'); // undefined
 * ```
 */
export function findPreset(reference: string): ProfilePreset | undefined {
  const match = PRESET_REFERENCE.exec(reference);
  if (match === null) return undefined;
  const version = Number(match[2] ?? '1');
  return PROFILE_PRESETS.find((preset) => preset.name === match[1] && preset.version === version);
}

/**
 * A preset's full name, `NAME@VERSION`, as provenance and error messages show it.
 *
 * @example
 * ```ts
 * presetId(PROFILE_PRESETS[2]); // 'strict-app@1'
 * ```
 */
export function presetId(preset: Pick<ProfilePreset, 'name' | 'version'>): string {
  return `${preset.name}@${preset.version}`;
}
