import { fail, ok, type Result, type SeccompConfig, VoltError } from '@volt/core';
import { isKnownSyscall, isSyscallGroup } from './catalog.js';
import { DEFAULT_SECCOMP_ACTION } from './export.js';

/**
 * Reads nspawn's seccomp settings back into a {@link SeccompConfig}: the `SystemCallFilter=` values of a
 * `.nspawn` file (or `--system-call-filter=` arguments) and the environment of the nspawn process
 * (`SYSTEMD_SECCOMP=0` is `unconfined`). The lines only say how the container's allowed set differs from
 * nspawn's own list, so the result is the `default` profile with those differences as allow and deny
 * lists: rendering it with {@link renderNspawnSeccomp} gives the same lines, whichever profile they were
 * rendered from. nspawn answers denied calls with EPERM, so the action is EPERM.
 *
 * @example
 * ```ts
 * seccompConfigFromNspawn(['landlock_add_rule landlock_create_ruleset', '~ptrace'], {});
 * // { ok: true, value: { profile: 'default', allow: ['landlock_add_rule', 'landlock_create_ruleset'], deny: ['ptrace'], ... } }
 * ```
 */
export function seccompConfigFromNspawn(
  filters: readonly string[],
  environment: Readonly<Record<string, string>>,
): Result<SeccompConfig> {
  if (environment['SYSTEMD_SECCOMP'] === '0') {
    if (filters.length > 0) {
      return fail(
        new VoltError(
          'CONFLICT',
          'SYSTEMD_SECCOMP=0 switches every filter off, yet SystemCallFilter= lines are set',
          {
            hint: 'remove the SystemCallFilter= lines or the SYSTEMD_SECCOMP=0 environment',
          },
        ),
      );
    }
    return ok({ profile: 'unconfined', allow: [], deny: [], action: DEFAULT_SECCOMP_ACTION });
  }
  const allow: string[] = [];
  const deny: string[] = [];
  for (const [index, filter] of filters.entries()) {
    const denied = filter.startsWith('~');
    for (const name of (denied ? filter.slice(1) : filter).split(/\s+/).filter((word) => word !== '')) {
      if (!(name.startsWith('@') ? isSyscallGroup(name) : isKnownSyscall(name))) {
        return fail(
          new VoltError(
            'INVALID_SYSCALL',
            `${JSON.stringify(name)} is not a known system call or group; accepted: names known to systemd or libseccomp and systemd's @groups`,
            { path: [index] },
          ),
        );
      }
      (denied ? deny : allow).push(name);
    }
  }
  return ok({ profile: 'default', allow, deny, action: DEFAULT_SECCOMP_ACTION });
}
