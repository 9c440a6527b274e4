import {
  describeValue,
  failAll,
  type InputPath,
  ok,
  parseErrno,
  type Result,
  type SeccompAction,
  type SeccompConfig,
  unwrap,
  type Valid,
  VoltError,
} from '@volt/core';
import { parseSeccompProfile, type SeccompProfile } from '@volt/core/profile';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import { isKnownSyscall, isSyscallGroup, knownSyscalls } from './catalog.js';

/**
 * The action when none is given: fail the call with EPERM, as systemd-nspawn does.
 *
 * @example
 * ```ts
 * DEFAULT_SECCOMP_ACTION; // { kind: 'errno', errno: 1 }
 * ```
 */
export const DEFAULT_SECCOMP_ACTION: SeccompAction = { kind: 'errno', errno: 1 };

/** The largest edit distance at which an unknown name gets a "did you mean" hint. */
const SUGGESTION_DISTANCE = 2;

/** The number of single-character edits (insert, delete, replace) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (const [i, charA] of [...a].entries()) {
    const current = [i + 1];
    for (const [j, charB] of [...b].entries()) {
      const replace = (previous[j] ?? 0) + (charA === charB ? 0 : 1);
      current.push(Math.min((previous[j + 1] ?? 0) + 1, (current[j] ?? 0) + 1, replace));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest of `candidates` to `name`, if one is within {@link SUGGESTION_DISTANCE} edits. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { readonly candidate: string; readonly distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= SUGGESTION_DISTANCE && (best === undefined || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}

/** The problem with one allow/deny entry, if any: a name the catalog does not know, or an unknown group. */
function entryIssue(entry: string, path: InputPath): VoltError | undefined {
  if (isSyscallGroup(entry) || isKnownSyscall(entry)) return undefined;
  const group = entry.startsWith('@');
  const near = closest(entry, group ? Object.keys(SYSCALL_GROUPS) : knownSyscalls());
  const accepted = group
    ? `accepted groups: ${Object.keys(SYSCALL_GROUPS).join(' ')}`
    : 'accepted: a system call name known to systemd or libseccomp (e.g. openat) or a @group';
  return new VoltError(
    'INVALID_SYSCALL',
    `unknown system call${group ? ' group' : ''} ${describeValue(entry)}; ${accepted}`,
    {
      path,
      hint:
        near === undefined
          ? 'run `systemd-analyze syscall-filter` to list the groups and their members'
          : `did you mean ${near}?`,
    },
  );
}

/**
 * Completes the seccomp part of a profile into a configuration: fills the defaults (profile `default`,
 * empty allow and deny lists, action errno EPERM) and checks what needs this package's data, reporting
 * every problem at once, each at its path under `path`:
 *
 * - every allow/deny entry is a system call the catalog knows or one of systemd's `@groups`
 *   (`INVALID_SYSCALL`, with a "did you mean" hint for a near miss);
 * - an errno action is in 1..4095 (`INVALID_VALUE`): the type cannot say so, and a part built in code
 *   rather than parsed has not been checked by the profile schema.
 *
 * Use it for a part that is already typed (a parsed profile's `seccomp`, or one built in TypeScript); an
 * untyped input goes through {@link parseSeccompConfig}.
 *
 * @example
 * ```ts
 * seccompConfigFromProfile({ profile: 'strict' });
 * // { ok: true, value: { profile: 'strict', allow: [], deny: [], action: { kind: 'errno', errno: 1 } } }
 * seccompConfigFromProfile({ deny: ['mount', 'mnt'] }).ok; // false: INVALID_SYSCALL at ['seccomp', 'deny', 1]
 * ```
 */
export function seccompConfigFromProfile(
  profile: SeccompProfile,
  path: InputPath = ['seccomp'],
): Result<Valid<SeccompConfig>> {
  const config: SeccompConfig = {
    profile: profile.profile ?? 'default',
    allow: [...(profile.allow ?? [])],
    deny: [...(profile.deny ?? [])],
    action: profile.action ?? DEFAULT_SECCOMP_ACTION,
  };
  const issues: VoltError[] = [];
  for (const key of ['allow', 'deny'] as const)
    for (const [index, entry] of config[key].entries()) {
      const issue = entryIssue(entry, [...path, key, index]);
      if (issue !== undefined) issues.push(issue);
    }
  if (config.action.kind === 'errno') {
    const errno = parseErrno(config.action.errno);
    if (!errno.ok) issues.push(errno.error.at([...path, 'action', 'errno']));
  }
  return failAll(issues) ?? ok(config as Valid<SeccompConfig>);
}

/**
 * Parses a seccomp configuration from an untrusted input, written as a profile's `seccomp:` part (a
 * profile name, or `{ profile?, allow?, deny?, action? }` with the action `kill-process`, `log` or
 * `{ errno }`): `@volt/core`'s schema ({@link parseSeccompProfile}), then {@link seccompConfigFromProfile}.
 * The one validator for profile documents and JavaScript callers alike; unknown keys are errors.
 *
 * @example
 * ```ts
 * parseSeccompConfig({ profile: 'strict', deny: ['@mount'], action: { errno: 'EACCES' } }).ok; // true
 * parseSeccompConfig('default'); // { ok: true, value: DEFAULT_SECCOMP_CONFIG }
 * parseSeccompConfig({ profil: 'strict' }).ok; // false: INVALID_PROFILE, unknown key
 * ```
 */
export function parseSeccompConfig(
  input: unknown,
  path: InputPath = ['seccomp'],
): Result<Valid<SeccompConfig>> {
  const profile = parseSeccompProfile(input, path);
  return profile.ok ? seccompConfigFromProfile(profile.value, path) : profile;
}

/**
 * The default configuration: profile `default` (systemd-nspawn's own allow list plus `@sandbox`), no
 * extra entries, denied calls fail with EPERM. What an empty `seccomp:` part gives.
 *
 * @example
 * ```ts
 * DEFAULT_SECCOMP_CONFIG; // { profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }
 * ```
 */
export const DEFAULT_SECCOMP_CONFIG: Valid<SeccompConfig> = unwrap(seccompConfigFromProfile({}));
