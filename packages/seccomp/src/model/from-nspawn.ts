import { fail, type InputPath, type Result, type SeccompConfig, type Valid, VoltError } from '@volt/core';
import { expandSyscallNames } from './catalog.js';
import { DEFAULT_SECCOMP_CONFIG, seccompConfigFromProfile } from './config.js';
import { NSPAWN_MAYBE_ALLOWED } from './nspawn-builtin.js';
import { resolveSeccompNames } from './profiles.js';

/**
 * Reads nspawn's seccomp settings back into a configuration: the `SystemCallFilter=` values of a
 * `.nspawn` file (or `--system-call-filter=` arguments) and the environment of the nspawn process
 * (`SYSTEMD_SECCOMP=0` is `unconfined`). The lines only say how the container's allowed set differs from
 * nspawn's own list, so the result is the `default` profile with those differences as allow and deny
 * lists, plus a denial of what the `default` profile allows beyond anything nspawn 252 allows (the
 * landlock calls) unless a line allows it: rendering the result with {@link renderNspawnSeccomp} gives the
 * same lines, whichever profile they were rendered from. nspawn answers denied calls with EPERM, so the
 * action is EPERM.
 *
 * The result goes through {@link seccompConfigFromProfile}: an unknown name is `INVALID_SYSCALL` at
 * `[...path, 'allow' | 'deny', index]`, its index in the allow (or deny) entries of all lines together.
 *
 * @example
 * ```ts
 * seccompConfigFromNspawn(['landlock_add_rule landlock_create_ruleset', '~ptrace'], {});
 * // { ok: true, value: { profile: 'default', allow: ['landlock_add_rule', 'landlock_create_ruleset'],
 * //   deny: ['ptrace', 'landlock_restrict_self'], action: { kind: 'errno', errno: 1 } } }
 * ```
 */
export function seccompConfigFromNspawn(
  filters: readonly string[],
  environment: Readonly<Record<string, string>>,
  path: InputPath = [],
): Result<Valid<SeccompConfig>> {
  if (environment['SYSTEMD_SECCOMP'] === '0') {
    if (filters.length > 0)
      return fail(
        new VoltError(
          'CONFLICT',
          `SYSTEMD_SECCOMP=0 switches every filter off, yet ${filters.length} SystemCallFilter= line(s) are set; accepted: one or the other`,
          { path, hint: 'remove the SystemCallFilter= lines or the SYSTEMD_SECCOMP=0 environment' },
        ),
      );
    return seccompConfigFromProfile({ profile: 'unconfined' }, path);
  }
  const entries = filters.map((filter) => {
    const denied = filter.startsWith('~');
    const names = (denied ? filter.slice(1) : filter).split(/\s+/).filter((word) => word !== '');
    return { denied, names };
  });
  const allow = entries.flatMap((entry) => (entry.denied ? [] : entry.names));
  const allowed = expandSyscallNames(allow);
  const defaults = resolveSeccompNames(DEFAULT_SECCOMP_CONFIG);
  const beyondNspawn = defaults.mode === 'allowlist' ? [...defaults.allowed] : [];
  return seccompConfigFromProfile(
    {
      profile: 'default',
      allow,
      deny: [
        ...entries.flatMap((entry) => (entry.denied ? entry.names : [])),
        ...beyondNspawn.filter((name) => !NSPAWN_MAYBE_ALLOWED.has(name) && !allowed.has(name)).sort(),
      ],
    },
    path,
  );
}
