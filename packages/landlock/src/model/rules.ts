import {
  LANDLOCK_FS_RIGHTS,
  type LandlockFsRight,
  type LandlockPathRule,
  type LandlockPortRule,
} from '@volt/core';
import { LANDLOCK_READ_EXEC, LANDLOCK_READ_ONLY, LANDLOCK_READ_WRITE } from './rights.js';

// Rule helpers: plain data for withRules and the presets. Nothing here is checked; the policy that takes
// the rules is (parseLandlockPolicy).

/** A path rule or a port rule, as made by {@link pathRules}, {@link bindTcp} and friends. */
export type LandlockRule = LandlockPathRule | LandlockPortRule;

/**
 * Rules granting `access` beneath each path.
 *
 * @example
 * ```ts
 * pathRules(['/srv/data'], ['read-file', 'read-dir'])[0]?.optional; // false
 * ```
 */
export function pathRules(paths: readonly string[], access: readonly LandlockFsRight[]): LandlockPathRule[] {
  return paths.map((path) => ({ path, access, optional: false }));
}

/**
 * Read files and list directories beneath each path ({@link LANDLOCK_READ_ONLY}).
 *
 * @example
 * ```ts
 * readOnly('/etc', '/usr/share').length; // 2
 * ```
 */
export function readOnly(...paths: readonly string[]): LandlockPathRule[] {
  return pathRules(paths, LANDLOCK_READ_ONLY);
}

/**
 * Read and execute beneath each path ({@link LANDLOCK_READ_EXEC}).
 *
 * @example
 * ```ts
 * readExec('/usr', '/bin')[1]?.access; // ['execute', 'read-file', 'read-dir']
 * ```
 */
export function readExec(...paths: readonly string[]): LandlockPathRule[] {
  return pathRules(paths, LANDLOCK_READ_EXEC);
}

/**
 * Read, write, create and remove regular files and directories beneath each path
 * ({@link LANDLOCK_READ_WRITE}).
 *
 * @example
 * ```ts
 * readWrite('/tmp')[0]?.access.includes('make-dir'); // true
 * ```
 */
export function readWrite(...paths: readonly string[]): LandlockPathRule[] {
  return pathRules(paths, LANDLOCK_READ_WRITE);
}

/**
 * Every filesystem right except `execute` beneath each path (sockets, FIFOs, symlinks, devices, `refer`
 * and `ioctl-dev` included): what `volt sandbox run --rw` grants.
 *
 * @example
 * ```ts
 * fullWrite('/var/lib/app')[0]?.access.includes('make-sock'); // true
 * ```
 */
export function fullWrite(...paths: readonly string[]): LandlockPathRule[] {
  return pathRules(
    paths,
    LANDLOCK_FS_RIGHTS.filter((right) => right !== 'execute'),
  );
}

/**
 * Every filesystem right beneath each path: what `volt sandbox run --rwx` grants.
 *
 * @example
 * ```ts
 * fullAccess('/home/me')[0]?.access.length; // 17
 * ```
 */
export function fullAccess(...paths: readonly string[]): LandlockPathRule[] {
  return pathRules(paths, LANDLOCK_FS_RIGHTS);
}

/**
 * Marks rules as optional: a path that does not exist when the policy is applied is skipped and reported
 * (go-landlock's `.IgnoreIfMissing()`).
 *
 * @example
 * ```ts
 * ignoreIfMissing(readOnly('/lib64'))[0]?.optional; // true
 * ```
 */
export function ignoreIfMissing(rules: readonly LandlockPathRule[]): LandlockPathRule[] {
  return rules.map((rule) => ({ ...rule, optional: true }));
}

/**
 * Allows binding these TCP ports.
 *
 * @example
 * ```ts
 * bindTcp(8080, 8443)[1]; // { port: 8443, access: ['bind-tcp'] }
 * ```
 */
export function bindTcp(...ports: readonly number[]): LandlockPortRule[] {
  return ports.map((port) => ({ port, access: ['bind-tcp'] }));
}

/**
 * Allows connecting to these TCP ports.
 *
 * @example
 * ```ts
 * connectTcp(443)[0]; // { port: 443, access: ['connect-tcp'] }
 * ```
 */
export function connectTcp(...ports: readonly number[]): LandlockPortRule[] {
  return ports.map((port) => ({ port, access: ['connect-tcp'] }));
}
