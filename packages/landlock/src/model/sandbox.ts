import {
  fail,
  type LandlockCompatibility,
  type LandlockPolicy,
  parseInteger,
  type Result,
  unwrap,
  type Valid,
  VoltError,
} from '@volt/core';
import { LANDLOCK_LATEST_ABI } from './abi.js';
import { landlockPolicy } from './builder.js';
import { validPolicy } from './policy.js';
import { bindTcp, connectTcp, fullAccess, fullWrite, ignoreIfMissing, readExec, readOnly } from './rules.js';

/**
 * A TCP port as a command line writes it: 0..65535 (a `bind-tcp` rule on port 0 allows binding to an
 * ephemeral port).
 *
 * @example
 * ```ts
 * parsePortFlag('8080'); // { ok: true, value: 8080 }
 * parsePortFlag('http').ok; // false, code INVALID_PORT
 * ```
 */
export function parsePortFlag(text: string | number): Result<number> {
  const result = parseInteger(text, { min: 0, max: 65535, what: 'a TCP port' });
  return result.ok ? result : fail(new VoltError('INVALID_PORT', result.error.message));
}

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
 * @throws {@link VoltError} `INVALID_PATH`, `INVALID_PORT` or `INVALID_VALUE` (an unknown scope) for a bad
 * flag value.
 * @example
 * ```ts
 * withSandboxFlags(landlockPreset('server'), { bindTcp: ['8080'] }).handledNet; // ['bind-tcp']
 * ```
 */
export function withSandboxFlags(policy: LandlockPolicy, flags: SandboxFlags): Valid<LandlockPolicy> {
  const bind = (flags.bindTcp ?? []).map((port) => unwrap(parsePortFlag(port)));
  const connect = (flags.connectTcp ?? []).map((port) => unwrap(parsePortFlag(port)));
  const granted = [
    ...readOnly(...(flags.ro ?? [])),
    ...readExec(...(flags.rox ?? [])),
    ...fullWrite(...(flags.rw ?? [])),
    ...fullAccess(...(flags.rwx ?? [])),
  ].map((rule) => ({ ...rule, access: rule.access.filter((right) => policy.handledFs.includes(right)) }));
  return validPolicy({
    ...policy,
    handledNet: [
      ...policy.handledNet,
      ...(bind.length > 0 ? ['bind-tcp'] : []),
      ...(connect.length > 0 ? ['connect-tcp'] : []),
    ],
    scopes: [...policy.scopes, ...(flags.scopes ?? [])],
    compatibility: flags.compatibility ?? policy.compatibility,
    paths: [...policy.paths, ...(flags.ignoreMissing === true ? ignoreIfMissing(granted) : granted)],
    ports: [...policy.ports, ...bindTcp(...bind), ...connectTcp(...connect)],
  });
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
export function sandboxPolicy(flags: SandboxFlags): Valid<LandlockPolicy> {
  const base = landlockPolicy({
    abi: Math.max(1, flags.abi ?? LANDLOCK_LATEST_ABI),
    compatibility: 'soft-requirement',
    handle: { net: false, scopes: false },
  });
  return withSandboxFlags(base, flags);
}
