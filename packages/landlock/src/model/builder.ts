import type {
  LandlockCompatibility,
  LandlockLogFlag,
  LandlockPathRule,
  LandlockPolicy,
  LandlockPortRule,
  LandlockPresetName,
  LandlockScope,
  Valid,
} from '@volt/core';
import { LANDLOCK_LATEST_ABI, landlockAbiFeatures } from './abi.js';
import { validPolicy } from './policy.js';
import type { LandlockRule } from './rules.js';

// Every function here returns a new policy that went through parseLandlockPolicy, the one validator: a
// JavaScript caller gets the errors a profile gets. None changes its input.

/** Options for {@link landlockPolicy}. */
export interface LandlockPolicyOptions {
  /** Handle everything this ABI version can restrict. Default: {@link LANDLOCK_LATEST_ABI}. */
  readonly abi?: number;
  /**
   * Default: `soft-requirement`: enforce what the running kernel supports, report what it drops, and fail
   * only when it can enforce nothing at all. Use `hard-requirement` (with the `abi` you need) for all or
   * nothing, `best-effort` to run unconfined rather than fail.
   */
  readonly compatibility?: LandlockCompatibility;
  /** Which kinds of access to handle. Default: all three. */
  readonly handle?: { readonly fs?: boolean; readonly net?: boolean; readonly scopes?: boolean };
}

/**
 * A policy without rules that handles (denies) everything one ABI version can restrict: the starting
 * point of the builder functions, in the spirit of go-landlock's `landlock.V5`.
 *
 * **Defaults: the newest ABI this package knows ({@link LANDLOCK_LATEST_ABI}, 9) in `soft-requirement`
 * mode.** On an older kernel (ABI 7 on Linux 6.15–6.18) the rights it lacks are dropped and listed in the
 * status, and the rest is enforced; only a kernel without Landlock makes it fail. For all or nothing, ask
 * for `hard-requirement` with the `abi` your workload needs: `hard-requirement` at ABI 9 fails on every
 * kernel before Linux 7.1.
 *
 * @example
 * ```ts
 * landlockPolicy().compatibility; // 'soft-requirement'
 * const policy = withRules(landlockPolicy({ abi: 4, compatibility: 'hard-requirement' }), readExec('/usr'), bindTcp(8080));
 * policy.handledNet; // ['bind-tcp', 'connect-tcp']
 * ```
 */
export function landlockPolicy(options: LandlockPolicyOptions = {}): Valid<LandlockPolicy> {
  const features = landlockAbiFeatures(options.abi ?? LANDLOCK_LATEST_ABI);
  return validPolicy({
    handledFs: options.handle?.fs === false ? [] : features.fs,
    handledNet: options.handle?.net === false ? [] : features.net,
    paths: [],
    ports: [],
    scopes: options.handle?.scopes === false ? [] : features.scopes,
    logFlags: [],
    threadSync: false,
    compatibility: options.compatibility ?? 'soft-requirement',
  } satisfies LandlockPolicy);
}

/**
 * Adds rules to a policy: duplicates merge, every granted right must be handled.
 *
 * @throws {@link VoltError} `INVALID_PATH` for a path that is not absolute or has `..`,
 * `INVALID_ACCESS_RIGHT` for a rule that grants an unhandled right or none, `INVALID_VALUE` for a port
 * outside 0..65535 or an unknown right.
 * @example
 * ```ts
 * withRules(landlockPolicy(), readOnly('/etc'), readOnly('/etc')).paths.length; // 1
 * ```
 */
export function withRules(
  policy: LandlockPolicy,
  ...rules: readonly (LandlockRule | readonly LandlockRule[])[]
): Valid<LandlockPolicy> {
  const flat = rules.flat();
  return validPolicy({
    ...policy,
    paths: [...policy.paths, ...flat.filter((rule): rule is LandlockPathRule => 'path' in rule)],
    ports: [...policy.ports, ...flat.filter((rule): rule is LandlockPortRule => 'port' in rule)],
  } satisfies LandlockPolicy);
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
): Valid<LandlockPolicy> {
  return validPolicy({ ...policy, compatibility } satisfies LandlockPolicy);
}

/**
 * Returns the policy with these IPC scopes (ABI 6), replacing the previous ones.
 *
 * @example
 * ```ts
 * withScopes(landlockPolicy(), ['signal']).scopes; // ['signal']
 * ```
 */
export function withScopes(policy: LandlockPolicy, scopes: readonly LandlockScope[]): Valid<LandlockPolicy> {
  return validPolicy({ ...policy, scopes } satisfies LandlockPolicy);
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
): Valid<LandlockPolicy> {
  return validPolicy({
    ...policy,
    logFlags: flags.logFlags ?? policy.logFlags,
    threadSync: flags.threadSync ?? policy.threadSync,
  } satisfies LandlockPolicy);
}

/** Options for {@link landlockPreset}. */
export interface LandlockPresetOptions {
  /** Handle every filesystem right of this ABI. Default: {@link LANDLOCK_LATEST_ABI}. */
  readonly abi?: number;
  /** Default: `best-effort`: a preset is meant to run on every kernel, and reports what it drops. */
  readonly compatibility?: LandlockCompatibility;
}

/**
 * A named preset, in container paths (as the workload sees them; no rootfs prefix): what a profile's
 * `landlock: server` means. It handles every filesystem right of the ABI and grants exactly the paths and
 * rights of the original design (those the ABI has):
 *
 * - `server`: read+execute `/usr /lib /lib64 /bin /sbin`, read-only `/etc`, read-write `/app /tmp /var /run`;
 * - `desktop`: read+execute `/usr /lib /lib64 /bin /sbin /opt`, read-write `/etc /tmp /var /run`,
 *   read-write+execute `/home`.
 *
 * Every rule is optional, because not every image has `/lib64`, `/app`, `/opt` or `/home`; a missing path
 * is reported in the enforcement status. Network access and IPC scopes are not handled (left alone).
 *
 * @throws {@link VoltError} `INVALID_VALUE` for a name that is not `server` or `desktop`.
 * @example
 * ```ts
 * landlockPreset('server').paths.find((rule) => rule.path === '/etc')?.access; // ['read-file', 'read-dir']
 * landlockPreset('server', { abi: 2 }).handledFs.includes('truncate'); // false
 * ```
 */
export function landlockPreset(
  name: LandlockPresetName,
  options: LandlockPresetOptions = {},
): Valid<LandlockPolicy> {
  return validPolicy({
    preset: name,
    handledFs: landlockAbiFeatures(options.abi ?? LANDLOCK_LATEST_ABI).fs,
    compatibility: options.compatibility ?? 'best-effort',
  });
}
