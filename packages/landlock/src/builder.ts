import {
  LANDLOCK_FS_RIGHTS,
  type LandlockCompatibility,
  type LandlockFsRight,
  type LandlockLogFlag,
  type LandlockNetRight,
  type LandlockPathRule,
  type LandlockPolicy,
  type LandlockPortRule,
  type LandlockPresetName,
  type LandlockScope,
  unwrap,
  VoltError,
} from '@volt/core';
import { LANDLOCK_LATEST_ABI, landlockAbiFeatures } from './abi.js';
import { freezePolicy, validateLandlockPolicy } from './policy.js';
import { LANDLOCK_READ_EXEC, LANDLOCK_READ_ONLY, LANDLOCK_READ_WRITE } from './rights.js';

/** Options for {@link landlockPolicy}. */
export interface LandlockPolicyOptions {
  /** Handle everything this ABI version can restrict. Default: {@link LANDLOCK_LATEST_ABI}. */
  readonly abi?: number;
  /** Default: `hard-requirement`, so that a policy never silently means less than it says. */
  readonly compatibility?: LandlockCompatibility;
  /** Which kinds of access to handle. Default: all three. */
  readonly handle?: { readonly fs?: boolean; readonly net?: boolean; readonly scopes?: boolean };
}

/**
 * A policy without rules that handles (denies) everything one ABI version can restrict: the starting
 * point of the builder functions, in the spirit of go-landlock's `landlock.V5`. Every builder function
 * returns a new frozen policy; none changes its input.
 *
 * @example
 * ```ts
 * const policy = withRules(landlockPolicy({ abi: 4, compatibility: 'best-effort' }), readExec('/usr'), bindTcp(8080));
 * policy.handledNet; // ['bind-tcp', 'connect-tcp']
 * ```
 */
export function landlockPolicy(options: LandlockPolicyOptions = {}): LandlockPolicy {
  const features = landlockAbiFeatures(options.abi ?? LANDLOCK_LATEST_ABI);
  return freezePolicy({
    handledFs: options.handle?.fs === false ? [] : features.fs,
    handledNet: options.handle?.net === false ? [] : features.net,
    paths: [],
    ports: [],
    scopes: options.handle?.scopes === false ? [] : features.scopes,
    logFlags: [],
    threadSync: false,
    compatibility: options.compatibility ?? 'hard-requirement',
  });
}

/** A path rule or a port rule, as made by {@link pathRules}, {@link bindTcp} and friends. */
export type LandlockRule = LandlockPathRule | LandlockPortRule;

/**
 * Adds rules to a policy and validates the result: duplicates merge, every granted right must be handled.
 *
 * @throws {@link VoltError} `INVALID_PATH`, `INVALID_PORT` or `INVALID_ACCESS_RIGHT` for a bad rule.
 * @example
 * ```ts
 * withRules(landlockPolicy(), readOnly('/etc'), readOnly('/etc')).paths.length; // 1
 * ```
 */
export function withRules(
  policy: LandlockPolicy,
  ...rules: readonly (LandlockRule | readonly LandlockRule[])[]
): LandlockPolicy {
  const flat = rules.flat();
  const paths = flat.filter((rule): rule is LandlockPathRule => 'path' in rule);
  const ports = flat.filter((rule): rule is LandlockPortRule => 'port' in rule);
  return unwrap(
    validateLandlockPolicy({
      ...policy,
      paths: [...policy.paths, ...paths],
      ports: [...policy.ports, ...ports],
    }),
  );
}

/**
 * Returns the policy with another compatibility mode (go-landlock's `.BestEffort()`).
 *
 * @example
 * ```ts
 * withCompatibility(landlockPolicy(), 'best-effort').compatibility; // 'best-effort'
 * ```
 */
export function withCompatibility(
  policy: LandlockPolicy,
  compatibility: LandlockCompatibility,
): LandlockPolicy {
  return freezePolicy({ ...policy, compatibility });
}

/**
 * Returns the policy with these IPC scopes (ABI 6), replacing the previous ones.
 *
 * @example
 * ```ts
 * withScopes(landlockPolicy(), ['signal']).scopes; // ['signal']
 * ```
 */
export function withScopes(policy: LandlockPolicy, scopes: readonly LandlockScope[]): LandlockPolicy {
  return unwrap(validateLandlockPolicy({ ...policy, scopes }));
}

/**
 * Returns the policy with these audit-logging flags (ABI 7) and thread sync (ABI 8).
 *
 * @example
 * ```ts
 * withRestrictFlags(landlockPolicy(), { logFlags: ['same-exec-off'], threadSync: true }).threadSync; // true
 * ```
 */
export function withRestrictFlags(
  policy: LandlockPolicy,
  flags: { readonly logFlags?: readonly LandlockLogFlag[]; readonly threadSync?: boolean },
): LandlockPolicy {
  return unwrap(
    validateLandlockPolicy({
      ...policy,
      logFlags: flags.logFlags ?? policy.logFlags,
      threadSync: flags.threadSync ?? policy.threadSync,
    }),
  );
}

/**
 * Rules granting `access` beneath each path.
 *
 * @example
 * ```ts
 * pathRules(['/srv/data'], ['read-file', 'read-dir'])[0]; // { path: '/srv/data', access: [...], optional: false }
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
 * readOnly('/etc', '/usr/share');
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
 * readExec('/usr', '/bin');
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
 * readWrite('/tmp');
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
 * bindTcp(8080, 8443);
 * ```
 */
export function bindTcp(...ports: readonly number[]): LandlockPortRule[] {
  return ports.map((port) => ({ port, access: ['bind-tcp'] satisfies LandlockNetRight[] }));
}

/**
 * Allows connecting to these TCP ports.
 *
 * @example
 * ```ts
 * connectTcp(443);
 * ```
 */
export function connectTcp(...ports: readonly number[]): LandlockPortRule[] {
  return ports.map((port) => ({ port, access: ['connect-tcp'] satisfies LandlockNetRight[] }));
}

/** Options for {@link landlockPreset}. */
export interface LandlockPresetOptions {
  /** Handle every filesystem right of this ABI. Default: {@link LANDLOCK_LATEST_ABI}. */
  readonly abi?: number;
  /** Default: `best-effort`: a preset is meant to run on every kernel, and reports what it drops. */
  readonly compatibility?: LandlockCompatibility;
}

const PRESET_RULES: Readonly<Record<LandlockPresetName, readonly LandlockPathRule[]>> = {
  server: [
    ...readExec('/usr', '/lib', '/lib64', '/bin', '/sbin'),
    ...readOnly('/etc'),
    ...readWrite('/app', '/tmp', '/var', '/run'),
  ],
  desktop: [
    ...readExec('/usr', '/lib', '/lib64', '/bin', '/sbin'),
    ...readWrite('/etc'),
    ...pathRules(['/home'], [...LANDLOCK_READ_WRITE, 'execute']),
    ...readWrite('/tmp', '/var', '/run'),
    ...readExec('/opt'),
  ],
};

/**
 * A named preset, in container paths (as the workload sees them; no rootfs prefix). It handles every
 * filesystem right of the ABI and grants exactly the paths and rights of the original design:
 *
 * - `server`: read+execute `/usr /lib /lib64 /bin /sbin`, read-only `/etc`, read-write `/app /tmp /var /run`;
 * - `desktop`: read+execute `/usr /lib /lib64 /bin /sbin /opt`, read-write `/etc /tmp /var /run`,
 *   read-write+execute `/home`.
 *
 * Every rule is optional, because not every image has `/lib64`, `/app`, `/opt` or `/home`; a missing path
 * is reported in the enforcement status. Network access and IPC scopes are not handled (left alone).
 *
 * @throws {@link VoltError} `UNKNOWN_PRESET` for a name that is not `server` or `desktop`.
 * @example
 * ```ts
 * landlockPreset('server').paths.find((rule) => rule.path === '/etc')?.access; // ['read-file', 'read-dir']
 * ```
 */
export function landlockPreset(
  name: LandlockPresetName,
  options: LandlockPresetOptions = {},
): LandlockPolicy {
  const rules = PRESET_RULES[name];
  if (!Object.hasOwn(PRESET_RULES, name) || rules === undefined) {
    throw new VoltError(
      'UNKNOWN_PRESET',
      `${JSON.stringify(name)} is not a Landlock preset; accepted: server, desktop`,
    );
  }
  const abi = options.abi ?? LANDLOCK_LATEST_ABI;
  const compatibility = options.compatibility ?? 'best-effort';
  const key =
    abi === LANDLOCK_LATEST_ABI && compatibility === 'best-effort' ? name : `${name}/${abi}/${compatibility}`;
  const known = presetCache.get(key);
  if (known !== undefined) return known;
  const base = landlockPolicy({ abi, compatibility, handle: { net: false, scopes: false } });
  const supported = ignoreIfMissing(rules).map((rule) => ({
    ...rule,
    access: rule.access.filter((right) => base.handledFs.includes(right)),
  }));
  const preset = withRules(base, supported);
  presetCache.set(key, preset);
  return preset;
}

/** Presets are immutable (frozen) values, so each variant is built once. */
const presetCache = new Map<string, LandlockPolicy>();
