import { readFile } from 'node:fs/promises';
import {
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
  type LandlockCompatibility,
  type LandlockNetRight,
  type LandlockPolicy,
  type LandlockScope,
  unwrap,
  VoltError,
} from '@volt/core';
import { type LandlockProfile, parseProfileText } from '@volt/core/profile';
import { LANDLOCK_LATEST_ABI } from './abi.js';
import {
  bindTcp,
  connectTcp,
  fullAccess,
  fullWrite,
  ignoreIfMissing,
  landlockPolicy,
  landlockPreset,
  readExec,
  readOnly,
  withRules,
} from './builder.js';
import { landlockPolicyFromConfig } from './json.js';
import { parseLandlockPort, validateLandlockPolicy } from './policy.js';
import { sortRights } from './rights.js';

/** Policy flags in the spirit of landrun, as `volt sandbox run` takes them. */
export interface SandboxFlags {
  /** Read files and list directories. */
  readonly ro?: readonly string[];
  /** Read and execute. */
  readonly rox?: readonly string[];
  /** Every right but execute (write, create, remove, sockets, FIFOs, symlinks, devices, refer, ioctl). */
  readonly rw?: readonly string[];
  /** Every right. */
  readonly rwx?: readonly string[];
  readonly bindTcp?: readonly (string | number)[];
  readonly connectTcp?: readonly (string | number)[];
  readonly scopes?: readonly string[];
  /** Default: `soft-requirement`. */
  readonly compatibility?: LandlockCompatibility;
  /** Skip paths that do not exist instead of failing. */
  readonly ignoreMissing?: boolean;
  /**
   * Handle what this ABI can restrict, e.g. the running kernel's from `probeLandlock()`. Default:
   * {@link LANDLOCK_LATEST_ABI}. 0 counts as 1: the filesystem is always handled.
   */
  readonly abi?: number;
}

/**
 * Adds `volt sandbox run` flags to a policy: the paths with their rights (each cut to the rights the policy
 * handles), the ports (handling `bind-tcp` when a bind port is given and `connect-tcp` when a connect port
 * is given, so every other port is denied), the scopes, and the compatibility mode when given.
 *
 * @throws {@link VoltError} `INVALID_PATH`, `INVALID_PORT` or `INVALID_VALUE` for a bad flag value.
 * @example
 * ```ts
 * withSandboxFlags(landlockPreset('server'), { bindTcp: ['8080'] }).handledNet; // ['bind-tcp']
 * ```
 */
export function withSandboxFlags(policy: LandlockPolicy, flags: SandboxFlags): LandlockPolicy {
  const bind = (flags.bindTcp ?? []).map((port) => unwrap(parseLandlockPort(port)));
  const connect = (flags.connectTcp ?? []).map((port) => unwrap(parseLandlockPort(port)));
  const scopes = (flags.scopes ?? []).map((scope): LandlockScope => {
    if ((LANDLOCK_SCOPES as readonly string[]).includes(scope)) return scope as LandlockScope;
    throw new VoltError(
      'INVALID_VALUE',
      `${JSON.stringify(scope)} is not a scope; accepted: ${LANDLOCK_SCOPES.join(', ')}`,
      {
        path: ['scope'],
      },
    );
  });
  const granted = [
    ...readOnly(...(flags.ro ?? [])),
    ...readExec(...(flags.rox ?? [])),
    ...fullWrite(...(flags.rw ?? [])),
    ...fullAccess(...(flags.rwx ?? [])),
  ].map((rule) => ({ ...rule, access: rule.access.filter((right) => policy.handledFs.includes(right)) }));
  const handledNet: LandlockNetRight[] = [
    ...policy.handledNet,
    ...(bind.length > 0 ? (['bind-tcp'] as const) : []),
    ...(connect.length > 0 ? (['connect-tcp'] as const) : []),
  ];
  return withRules(
    {
      ...policy,
      handledNet: sortRights(LANDLOCK_NET_RIGHTS, handledNet),
      scopes: sortRights(LANDLOCK_SCOPES, [...policy.scopes, ...scopes]),
      compatibility: flags.compatibility ?? policy.compatibility,
    },
    flags.ignoreMissing === true ? ignoreIfMissing(granted) : granted,
    bindTcp(...bind),
    connectTcp(...connect),
  );
}

/**
 * Turns `volt sandbox run` flags into a validated policy. The filesystem is always handled (everything not
 * granted is denied); TCP binding or connecting is handled only when a port flag of that kind is given;
 * only the scopes given are handled. The default mode is `soft-requirement`.
 *
 * @throws {@link VoltError} `INVALID_PATH`, `INVALID_PORT` or `INVALID_VALUE` for a bad flag value.
 * @example
 * ```ts
 * sandboxPolicy({ rox: ['/usr'], rw: ['/tmp'], bindTcp: ['8080'] }).handledNet; // ['bind-tcp']
 * ```
 */
export function sandboxPolicy(flags: SandboxFlags): LandlockPolicy {
  const base = landlockPolicy({
    abi: Math.max(1, flags.abi ?? LANDLOCK_LATEST_ABI),
    compatibility: 'soft-requirement',
    handle: { net: false, scopes: false },
  });
  return withSandboxFlags(base, flags);
}

/**
 * Turns the Landlock part of a Volt profile into a policy: the preset (if any), then the profile's own
 * handled rights, rules, scopes and flags on top (rules are added to the preset's; handled lists replace
 * the preset's when given).
 *
 * @throws {@link VoltError} as {@link validateLandlockPolicy}.
 * @example
 * ```ts
 * landlockPolicyFromProfile({ preset: 'server', ports: [{ port: 8080, access: ['bind-tcp'] }], handledNet: ['bind-tcp'] });
 * ```
 */
export function landlockPolicyFromProfile(profile: LandlockProfile): LandlockPolicy {
  const base =
    profile.preset === undefined
      ? landlockPolicy({ handle: { net: false, scopes: false }, compatibility: 'best-effort' })
      : landlockPreset(profile.preset);
  return unwrap(
    validateLandlockPolicy({
      handledFs: profile.handledFs ?? base.handledFs,
      handledNet: profile.handledNet ?? base.handledNet,
      paths: [...base.paths, ...(profile.paths ?? [])],
      ports: [...base.ports, ...(profile.ports ?? [])],
      scopes: profile.scopes ?? base.scopes,
      logFlags: profile.logFlags ?? base.logFlags,
      threadSync: profile.threadSync ?? base.threadSync,
      compatibility: profile.compatibility ?? base.compatibility,
    }),
  );
}

/**
 * Reads a policy file: a landlockconfig-style JSON document (it has `ruleset`, `pathBeneath` or
 * `netPort`), or a Volt profile (JSON or YAML) whose `landlock` part is used.
 *
 * @throws {@link VoltError} `NOT_FOUND` when the file cannot be read, `PARSE_ERROR` or a validation code
 * for its contents, `INVALID_PROFILE` when a Volt profile turns Landlock off (`landlock: none`).
 * @example
 * ```ts
 * const policy = await readLandlockPolicyFile('policy.json');
 * ```
 */
export async function readLandlockPolicyFile(file: string): Promise<LandlockPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new VoltError('NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (
    typeof json === 'object' &&
    json !== null &&
    ['ruleset', 'pathBeneath', 'netPort'].some((key) => key in json)
  ) {
    return unwrap(landlockPolicyFromConfig(json));
  }
  const profile = await parseProfileText(text, file);
  if (profile.landlock === null || profile.landlock === undefined) {
    throw new VoltError(
      'INVALID_PROFILE',
      `${file} has no Landlock policy; accepted: a landlock section or a landlockconfig document`,
    );
  }
  return landlockPolicyFromProfile(profile.landlock);
}
