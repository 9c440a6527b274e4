import {
  describeValue,
  failAll,
  type InputPath,
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_LOG_FLAGS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
  type LandlockPathRule,
  type LandlockPolicy,
  type LandlockPortRule,
  ok,
  type Result,
  unwrap,
  type Valid,
  VoltError,
} from '@volt/core';
import { type LandlockProfile, parseLandlockProfile } from '@volt/core/profile';
import { LANDLOCK_PRESET_RULES, LANDLOCK_PROFILE_DEFAULTS } from './presets.js';
import { sortRights } from './rights.js';

/** Why a rule's rights are not acceptable, or undefined when they are. */
function grantProblem(
  granted: readonly string[],
  handled: readonly string[],
  handledField: string,
  accepted: string,
): string | undefined {
  if (granted.length === 0) return `it grants no right; accepted: ${accepted}`;
  const extra = granted.filter((right) => !handled.includes(right));
  if (extra.length === 0) return undefined;
  return `it grants ${extra.join(', ')}, which the policy does not handle; accepted: rights listed in ${handledField} (add them there or remove them from the rule)`;
}

/** One rule per path, in order of first appearance: the union of the rights, optional only if every one was. */
function mergePathRules(rules: readonly LandlockPathRule[]): LandlockPathRule[] {
  return [...new Set(rules.map((rule) => rule.path))].map((path) => {
    const same = rules.filter((rule) => rule.path === path);
    return {
      path,
      access: sortRights(
        LANDLOCK_FS_RIGHTS,
        same.flatMap((rule) => rule.access),
      ),
      optional: same.every((rule) => rule.optional),
    };
  });
}

/** One rule per port, in order of first appearance, with the union of the rights. */
function mergePortRules(rules: readonly LandlockPortRule[]): LandlockPortRule[] {
  return [...new Set(rules.map((rule) => rule.port))].map((port) => ({
    port,
    access: sortRights(
      LANDLOCK_NET_RIGHTS,
      rules.filter((rule) => rule.port === port).flatMap((rule) => rule.access),
    ),
  }));
}

/**
 * Completes the Landlock part of a parsed profile into a policy: the preset's rules (if any) and the
 * profile's own on top, everything the profile leaves out from {@link LANDLOCK_PROFILE_DEFAULTS} (every
 * filesystem right of the newest ABI handled, network and scopes left alone, `best-effort`). Handled lists
 * given replace the defaults, and a preset grants its rights only where they are handled (a preset rule
 * left without rights goes). Then the rules that need the whole policy: every right a rule grants must be
 * handled (a port rule needs `handledNet`), no rule may grant nothing. Duplicate paths and ports merge into
 * one rule (the union of the rights; a merged path is optional only if every duplicate was), and rights
 * come back in kernel bit order.
 *
 * `profile` is what `parseLandlockProfile` of `@volt/core/profile` (or a parsed profile's `landlock`)
 * returns: its names, paths and ports are checked there. For any other input use
 * {@link parseLandlockPolicy}, which runs both steps.
 *
 * Whether a path is a directory is only known where the policy is applied: the helper checks it (see the
 * `fileRights` option of the enforcement functions).
 *
 * @example
 * ```ts
 * const policy = landlockPolicyFromProfile({ preset: 'server', handledNet: ['bind-tcp'], ports: [{ port: 8080, access: ['bind-tcp'] }] });
 * policy.ok && policy.value.ports; // [{ port: 8080, access: ['bind-tcp'] }]
 * landlockPolicyFromProfile({ ports: [{ port: 80, access: ['bind-tcp'] }] }).ok; // false, code INVALID_ACCESS_RIGHT
 * ```
 */
export function landlockPolicyFromProfile(
  profile: LandlockProfile,
  path: InputPath = ['landlock'],
): Result<Valid<LandlockPolicy>> {
  const handledFs = sortRights(LANDLOCK_FS_RIGHTS, profile.handledFs ?? LANDLOCK_PROFILE_DEFAULTS.handledFs);
  const handledNet = sortRights(
    LANDLOCK_NET_RIGHTS,
    profile.handledNet ?? LANDLOCK_PROFILE_DEFAULTS.handledNet,
  );
  const issues: VoltError[] = [];
  (profile.paths ?? []).forEach((rule, index) => {
    const problem = grantProblem(rule.access, handledFs, 'handledFs', 'at least one filesystem right');
    if (problem !== undefined)
      issues.push(
        new VoltError('INVALID_ACCESS_RIGHT', `the rule for ${describeValue(rule.path)}: ${problem}`, {
          path: [...path, 'paths', index, 'access'],
        }),
      );
  });
  (profile.ports ?? []).forEach((rule, index) => {
    const problem = grantProblem(rule.access, handledNet, 'handledNet', 'bind-tcp and/or connect-tcp');
    if (problem !== undefined)
      issues.push(
        new VoltError('INVALID_ACCESS_RIGHT', `the rule for port ${describeValue(rule.port)}: ${problem}`, {
          path: [...path, 'ports', index, 'access'],
        }),
      );
  });
  const failed = failAll<Valid<LandlockPolicy>>(issues);
  if (failed !== undefined) return failed;

  const presetRules = (profile.preset === undefined ? [] : LANDLOCK_PRESET_RULES[profile.preset])
    .map((rule) => ({ ...rule, access: rule.access.filter((right) => handledFs.includes(right)) }))
    .filter((rule) => rule.access.length > 0);
  const policy: LandlockPolicy = {
    handledFs,
    handledNet,
    paths: mergePathRules([...presetRules, ...(profile.paths ?? [])]),
    ports: mergePortRules(profile.ports ?? []),
    scopes: sortRights(LANDLOCK_SCOPES, profile.scopes ?? LANDLOCK_PROFILE_DEFAULTS.scopes),
    logFlags: sortRights(LANDLOCK_LOG_FLAGS, profile.logFlags ?? LANDLOCK_PROFILE_DEFAULTS.logFlags),
    threadSync: profile.threadSync ?? LANDLOCK_PROFILE_DEFAULTS.threadSync,
    compatibility: profile.compatibility ?? LANDLOCK_PROFILE_DEFAULTS.compatibility,
  };
  return ok(policy as Valid<LandlockPolicy>);
}

/**
 * The one validator of Landlock policies: parses anything (a profile's `landlock:` value, a JavaScript
 * caller's object, a typed {@link LandlockPolicy}: the field names are the same) with the profile schema of
 * `@volt/core/profile`, then completes it with {@link landlockPolicyFromProfile}. `none` gives null. Every
 * problem comes back at once, each at its path under `path`; unknown keys are errors. The builder
 * functions, the landlockconfig reader and the profile route all end here, so each gets the same errors.
 *
 * @example
 * ```ts
 * const policy = parseLandlockPolicy({ preset: 'server', paths: [{ path: '/srv//data/', access: ['read-file'] }] });
 * policy.ok && policy.value?.paths.at(-1); // { path: '/srv/data', access: ['read-file'], optional: false }
 * parseLandlockPolicy('none'); // { ok: true, value: null }
 * parseLandlockPolicy({ paths: [{ path: 'relative', access: ['read-file'] }] }).ok; // false, code INVALID_PATH
 * ```
 */
export function parseLandlockPolicy(
  input: unknown,
  path: InputPath = ['landlock'],
): Result<Valid<LandlockPolicy> | null> {
  const profile = parseLandlockProfile(input, path);
  if (!profile.ok) return profile;
  return profile.value === null ? ok(null) : landlockPolicyFromProfile(profile.value, path);
}

/**
 * {@link parseLandlockPolicy} for an object this package builds (a builder's policy, a landlockconfig
 * document's rules): an object never means `none`.
 *
 * @example
 * ```ts
 * parsePolicyObject({ ports: [{ port: 80, access: ['bind-tcp'] }] }).ok; // false, code INVALID_ACCESS_RIGHT
 * ```
 */
export function parsePolicyObject(input: object, path: InputPath = []): Result<Valid<LandlockPolicy>> {
  // Only the text 'none' parses to null.
  return parseLandlockPolicy(input, path) as Result<Valid<LandlockPolicy>>;
}

/**
 * What the builder functions return: their policy object through {@link parseLandlockPolicy}, errors
 * without a path prefix (the caller built the object).
 *
 * @throws {@link VoltError} the first problem {@link parseLandlockPolicy} finds.
 * @example
 * ```ts
 * validPolicy({ paths: [{ path: '/etc', access: ['read-file'], optional: false }] }).handledFs.length; // 17
 * ```
 */
export function validPolicy(input: object): Valid<LandlockPolicy> {
  return unwrap(parsePolicyObject(input));
}
