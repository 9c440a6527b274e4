import {
  fail,
  ok,
  type Result,
  type SeccompConfig,
  type SeccompProfileName,
  type Valid,
  VoltError,
} from '@volt/core';
import { expandSyscallNames } from '../model/catalog.js';
import {
  BOOT_REQUIRED_SYSCALLS,
  NSPAWN_ALWAYS_ALLOWED,
  NSPAWN_MAYBE_ALLOWED,
  NSPAWN_SELF_REQUIRED_SYSCALLS,
} from '../model/nspawn-builtin.js';
import { PROFILE_SYSCALLS, resolveSeccompNames } from '../model/profiles.js';

/** How the container is started: booting an init, and whether its `.nspawn` file is trusted. */
export interface NspawnSeccompOptions {
  /** `Boot=yes` / `--boot`: systemd runs as the container's PID 1 under the same filter. */
  readonly boot: boolean;
  /**
   * True if the settings file is trusted (in /etc/systemd/nspawn or /run/systemd/nspawn, or
   * `--settings=trusted`). In an untrusted file with any allow entry nspawn ignores every
   * `SystemCallFilter=` line, denials too (measured); deny-only lines are enforced.
   */
  readonly settingsTrusted: boolean;
}

/** The seccomp part of an nspawn plan, the same isolation on both routes. */
export interface NspawnSeccompArtifacts {
  /** Command-line route: `--system-call-filter=` arguments. */
  readonly arguments: readonly string[];
  /** Settings-file route: values of `[Exec] SystemCallFilter=` lines, one line each. */
  readonly systemCallFilter: readonly string[];
  /**
   * Environment of the systemd-nspawn process itself (not the container). On the template-unit route it
   * goes into the service drop-in as `[Service] Environment=`.
   */
  readonly environment: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

/** A profile's own entries for nspawn: what it allows beyond nspawn's list, what it denies of it. */
interface ProfileEntries {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/**
 * Each allowlist profile's entries without the user's lists, sorted: a constant table derived when the
 * module loads. A rendering starts from these and the user's own names, so that it does not walk the
 * whole catalog for every plan.
 */
const PROFILE_ENTRIES: Readonly<Record<Exclude<SeccompProfileName, 'unconfined'>, ProfileEntries>> = {
  strict: profileEntries(PROFILE_SYSCALLS.strict),
  default: profileEntries(PROFILE_SYSCALLS.default),
};

function profileEntries(allowed: ReadonlySet<string>): ProfileEntries {
  return {
    allow: [...allowed].filter((name) => !NSPAWN_ALWAYS_ALLOWED.has(name)).sort(),
    deny: [...NSPAWN_MAYBE_ALLOWED].filter((name) => !allowed.has(name)).sort(),
  };
}

/** The sorted distinct names of `candidates` that `keep` accepts. */
function sortedEntries(candidates: readonly string[], keep: (name: string) => boolean): string[] {
  return [...new Set(candidates.filter(keep))].sort();
}

/**
 * Renders a seccomp configuration for systemd-nspawn 252, for the command line and the `.nspawn`
 * file alike.
 *
 * nspawn always applies its own allow list (`NSPAWN_BUILTIN_ALLOW_LIST`, plus entries unlocked by
 * capabilities) with EPERM for the rest; `--system-call-filter=LIST` adds allow entries and
 * `--system-call-filter=~LIST` removes entries (denials win). nspawn matches denials against the
 * entries by exact name, so `~@group` only removes an entry spelled `@group`: every denial is rendered
 * as single names. The result is exactly the configuration's allowed set, whatever capabilities the
 * container keeps:
 *
 * - allow entries: allowed names nspawn does not always allow (e.g. landlock_* before v257);
 * - deny entries: names nspawn may allow that the configuration does not;
 * - `unconfined`: `SYSTEMD_SECCOMP=0` in the environment of the nspawn process (an empty `~` does nothing).
 *
 * Refused (CONFLICT): a filter denying {@link NSPAWN_SELF_REQUIRED_SYSCALLS}; `unconfined` with a deny
 * list (SYSTEMD_SECCOMP=0 switches every nspawn filter off);
 * allow entries with an untrusted settings file (nspawn would drop them: the routes would differ);
 * `boot` with a filter that denies a call in {@link BOOT_REQUIRED_SYSCALLS} (strict, by design).
 *
 * @example
 * ```ts
 * const result = renderNspawnSeccomp(DEFAULT_SECCOMP_CONFIG, { boot: true, settingsTrusted: true });
 * if (result.ok) result.value.arguments;
 * // ['--system-call-filter=landlock_add_rule landlock_create_ruleset landlock_restrict_self ptrace reboot vhangup',
 * //  '--system-call-filter=~acct adjtimex ...']
 * ```
 */
export function renderNspawnSeccomp(
  config: Valid<SeccompConfig>,
  options: NspawnSeccompOptions,
): Result<NspawnSeccompArtifacts> {
  if (config.profile === 'unconfined') {
    const resolved = resolveSeccompNames(config);
    if (resolved.mode === 'denylist' && resolved.denied.size > 0)
      return fail(
        new VoltError(
          'CONFLICT',
          'profile unconfined with a deny list cannot be expressed for systemd-nspawn: SYSTEMD_SECCOMP=0 switches off every nspawn filter; accepted: unconfined with an empty deny list, or profile default with allow/deny lists',
          { path: ['deny'], hint: 'use profile default and allow what the workload needs' },
        ),
      );
    return ok({
      arguments: [],
      systemCallFilter: [],
      environment: { SYSTEMD_SECCOMP: '0' },
      notes: [
        'unconfined: SYSTEMD_SECCOMP=0 switches off the built-in filter of systemd-nspawn; on the template-unit route it belongs in the service drop-in as Environment=SYSTEMD_SECCOMP=0',
      ],
    });
  }
  const base = PROFILE_SYSCALLS[config.profile];
  const userAllow = expandSyscallNames(config.allow);
  const userDeny = expandSyscallNames(config.deny);
  const isAllowed = (name: string): boolean => !userDeny.has(name) && (base.has(name) || userAllow.has(name));
  const needed = NSPAWN_SELF_REQUIRED_SYSCALLS.filter((name) => !isAllowed(name));
  if (needed.length > 0)
    return fail(
      new VoltError(
        'CONFLICT',
        `the filter denies ${needed.join(', ')}, which systemd-nspawn itself calls after installing it (to become the container's root and drop capabilities), so the container could not start; accepted: a filter that allows ${NSPAWN_SELF_REQUIRED_SYSCALLS.join(' ')}`,
        {
          path: ['deny'],
          hint: `add ${needed.join(' ')} to seccomp.allow, or deny them in the workload with \`volt sandbox run --seccomp\``,
        },
      ),
    );
  const bootMissing = BOOT_REQUIRED_SYSCALLS.filter((name) => !isAllowed(name));
  if (options.boot && bootMissing.length > 0)
    return fail(
      new VoltError(
        'CONFLICT',
        `profile ${config.profile} denies ${bootMissing.join(', ')}, which systemd needs to boot as the container's PID 1 (Boot=yes); accepted with Boot=yes: a filter that allows ${BOOT_REQUIRED_SYSCALLS.join(' ')}`,
        {
          path: ['profile'],
          hint: 'boot with profile default and confine the workload with `volt sandbox run --seccomp strict`, or use Boot=no',
        },
      ),
    );
  // Allow what is allowed and nspawn does not always allow; deny, by name, what nspawn might allow (with a
  // capability) and is not allowed. Every such name is one of the profile's entries or the user's names.
  const entries = PROFILE_ENTRIES[config.profile];
  const allowEntries = sortedEntries(
    [...entries.allow, ...userAllow],
    (name) => isAllowed(name) && !NSPAWN_ALWAYS_ALLOWED.has(name),
  );
  const denyEntries = sortedEntries(
    [...entries.deny, ...userDeny],
    (name) => !isAllowed(name) && NSPAWN_MAYBE_ALLOWED.has(name),
  );
  if (!options.settingsTrusted && allowEntries.length > 0)
    return fail(
      new VoltError(
        'CONFLICT',
        `an untrusted .nspawn file with allow entries (${allowEntries.join(' ')}) has all its SystemCallFilter= lines ignored, denials included, so the settings-file route would be weaker than the command line; accepted: a trusted settings file, or a filter without allow entries`,
        {
          hint: 'place the file in /etc/systemd/nspawn or /run/systemd/nspawn, or run systemd-nspawn with --settings=trusted',
        },
      ),
    );
  const systemCallFilter = [
    ...(allowEntries.length > 0 ? [allowEntries.join(' ')] : []),
    ...(denyEntries.length > 0 ? [`~${denyEntries.join(' ')}`] : []),
  ];
  const { action } = config;
  return ok({
    arguments: systemCallFilter.map((value) => `--system-call-filter=${value}`),
    systemCallFilter,
    environment: {},
    notes:
      action.kind === 'errno' && action.errno === 1
        ? []
        : [
            `systemd-nspawn denies with EPERM; the configured action (${action.kind === 'errno' ? `errno ${action.errno}` : action.kind}) applies on the BPF and OCI routes only`,
          ],
  });
}
