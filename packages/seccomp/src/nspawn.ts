import {
  deepFreeze,
  fail,
  ok,
  type Result,
  type SeccompConfig,
  type SeccompProfileName,
  VoltError,
} from '@volt/core';
import { expandSyscallNames } from './catalog.js';
import { NSPAWN_BUILTIN_ALLOW_LIST, NSPAWN_CAPABILITY_ALLOW_LIST } from './nspawn-builtin.js';
import { type ResolvedSeccompNames, resolveSeccompNames, validateSeccompConfig } from './profile.js';

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

// Shared and frozen, so that a caller can key what it derives from the environment on its identity.
const NO_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({});
const FILTER_OFF_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({ SYSTEMD_SECCOMP: '0' });

/**
 * Calls systemd 252 needs as a container's PID 1 (Boot=yes); a filter denying one is refused.
 *
 * Measured with nspawn 252 booting a debootstrap'd Debian 12 (minbase + systemd + dbus): `strict`
 * exits 255 right after exec (no mount); `strict` plus `@mount` reaches multi-user.target but
 * systemd-tmpfiles cannot chown its directories (fchownat EPERM) and dbus cannot raise its fd limit
 * (setrlimit). The list adds what units commonly need: namespaces for sandboxed units (unshare, setns),
 * dropping privileges for `User=` services, unit seccomp filters, the hostname and reboot() at shutdown.
 *
 * @example
 * ```ts
 * BOOT_REQUIRED_SYSCALLS.includes('mount'); // true
 * ```
 */
export const BOOT_REQUIRED_SYSCALLS: readonly string[] = [
  'capset',
  'fchown',
  'fchownat',
  'mount',
  'prctl',
  'prlimit64',
  'reboot',
  'seccomp',
  'sethostname',
  'setgroups',
  'setns',
  'setresgid',
  'setresuid',
  'setrlimit',
  'umount2',
  'unshare',
];

/**
 * Calls systemd-nspawn 252 itself makes after installing the filter, before it execs the payload: it
 * switches to the container's root (setgroups, setresgid, setresuid) and drops capabilities (capset).
 * Denying one makes nspawn fail (`Failed to become root`, `Dropping capabilities failed`); measured.
 *
 * @example
 * ```ts
 * NSPAWN_SELF_REQUIRED_SYSCALLS.includes('capset'); // true
 * ```
 */
export const NSPAWN_SELF_REQUIRED_SYSCALLS: readonly string[] = [
  'capset',
  'setgroups',
  'setresgid',
  'setresuid',
];

/** What nspawn allows whatever the capabilities, and what it may allow with some. */
const NSPAWN_ALWAYS = expandSyscallNames(NSPAWN_BUILTIN_ALLOW_LIST);
const NSPAWN_MAYBE = expandSyscallNames([
  ...NSPAWN_BUILTIN_ALLOW_LIST,
  ...Object.values(NSPAWN_CAPABILITY_ALLOW_LIST).flat(),
]);

/**
 * How an allowed set maps onto nspawn's own list: what to add, what to take away, what is missing, and
 * the SystemCallFilter= lines and options that say it.
 */
interface NspawnLines {
  readonly needed: readonly string[];
  readonly bootMissing: readonly string[];
  readonly allowEntries: readonly string[];
  readonly denyEntries: readonly string[];
  readonly systemCallFilter: readonly string[];
  readonly arguments: readonly string[];
}

function withFilterLines(entries: Omit<NspawnLines, 'systemCallFilter' | 'arguments'>): NspawnLines {
  const systemCallFilter: string[] = [];
  if (entries.allowEntries.length > 0) systemCallFilter.push(entries.allowEntries.join(' '));
  if (entries.denyEntries.length > 0) systemCallFilter.push(`~${entries.denyEntries.join(' ')}`);
  return deepFreeze({
    ...entries,
    systemCallFilter,
    arguments: systemCallFilter.map((value) => `--system-call-filter=${value}`),
  });
}

function nspawnLines(allowed: ReadonlySet<string>): NspawnLines {
  return withFilterLines({
    needed: NSPAWN_SELF_REQUIRED_SYSCALLS.filter((name) => !allowed.has(name)),
    bootMissing: BOOT_REQUIRED_SYSCALLS.filter((name) => !allowed.has(name)),
    allowEntries: [...allowed].filter((name) => !NSPAWN_ALWAYS.has(name)).sort(),
    denyEntries: [...NSPAWN_MAYBE].filter((name) => !allowed.has(name)).sort(),
  });
}

/** The names of a profile without allow or deny lists: constant data, resolved once per profile. */
const namesOfProfile = new Map<SeccompProfileName, ResolvedSeccompNames>();

function resolveProfileAlone(profile: SeccompProfileName): ResolvedSeccompNames {
  let names = namesOfProfile.get(profile);
  if (names === undefined) {
    names = resolveSeccompNames({ profile, allow: [], deny: [], action: { kind: 'errno', errno: 1 } });
    namesOfProfile.set(profile, names);
  }
  return names;
}

/** A profile without allow or deny lists always gives the same lines: computed once per profile. */
const linesOfProfile = new Map<string, NspawnLines>();

function profileLines(profile: string, resolved: ResolvedSeccompNames): NspawnLines {
  let lines = linesOfProfile.get(profile);
  if (lines === undefined) {
    lines = nspawnLines(resolved.mode === 'allowlist' ? resolved.allowed : new Set());
    linesOfProfile.set(profile, lines);
  }
  return lines;
}

/**
 * The lines of a profile with allow/deny lists, from the profile's own lines: only the (short) lists are
 * looked at, not the whole allowed set. allowed = (base ∪ allow) − deny, so the allow entries are the base
 * ones not denied plus the allowed names nspawn does not always allow, and the deny entries are the base
 * ones not re-allowed plus the denied names nspawn may allow.
 */
function adjustLines(base: NspawnLines, profileSet: ReadonlySet<string>, config: SeccompConfig): NspawnLines {
  const allow = expandSyscallNames(config.allow);
  const deny = expandSyscallNames(config.deny);
  const allowed = { has: (name: string) => (profileSet.has(name) || allow.has(name)) && !deny.has(name) };
  const allowEntries = withChanges(
    base.allowEntries,
    (name) => !deny.has(name),
    [...allow].filter((name) => !NSPAWN_ALWAYS.has(name) && !deny.has(name)),
  );
  const denyEntries = withChanges(
    base.denyEntries,
    (name) => !allow.has(name),
    [...deny].filter((name) => NSPAWN_MAYBE.has(name)),
  );
  return withFilterLines({
    needed: NSPAWN_SELF_REQUIRED_SYSCALLS.filter((name) => !allowed.has(name)),
    bootMissing: BOOT_REQUIRED_SYSCALLS.filter((name) => !allowed.has(name)),
    allowEntries,
    denyEntries,
  });
}

/**
 * The lines of a profile with allow/deny lists, computed once per distinct profile and lists: containers
 * made from one profile file share them. At most 256 are kept (then the cache is emptied).
 */
const linesOfLists = new Map<string, NspawnLines>();
const LISTS_KEPT = 256;

function listLines(base: NspawnLines, profileSet: ReadonlySet<string>, config: SeccompConfig): NspawnLines {
  // Entries are validated names (letters, digits, _ and @), so a space and a NUL separate them unambiguously.
  const key = `${config.profile}\0${config.allow.join(' ')}\0${config.deny.join(' ')}`;
  let lines = linesOfLists.get(key);
  if (lines === undefined) {
    lines = adjustLines(base, profileSet, config);
    if (linesOfLists.size >= LISTS_KEPT) linesOfLists.clear();
    linesOfLists.set(key, lines);
  }
  return lines;
}

/** A sorted list of distinct names, with the names `keep` refuses taken out and `added` put in, sorted. */
function withChanges(
  sorted: readonly string[],
  keep: (name: string) => boolean,
  added: readonly string[],
): readonly string[] {
  const kept = sorted.filter(keep);
  const extra = added.filter((name) => !kept.includes(name));
  return extra.length === 0 ? kept : [...kept, ...extra].sort();
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
 * Refused (CONFLICT): a filter denying {@link NSPAWN_SELF_REQUIRED_SYSCALLS}; `unconfined` with a deny list (SYSTEMD_SECCOMP=0 switches every nspawn filter off);
 * allow entries with an untrusted settings file (nspawn would drop them: the routes would differ);
 * `boot` with a filter that denies a call in {@link BOOT_REQUIRED_SYSCALLS} (strict, by design).
 *
 * @example
 * ```ts
 * const result = renderNspawnSeccomp(config, { boot: true, settingsTrusted: true });
 * if (result.ok) result.value.arguments; // ['--system-call-filter=landlock_add_rule landlock_create_ruleset landlock_restrict_self', '--system-call-filter=~acct ...']
 * ```
 */
export function renderNspawnSeccomp(
  input: SeccompConfig,
  options: NspawnSeccompOptions,
): Result<NspawnSeccompArtifacts> {
  const checked = validateSeccompConfig(input);
  if (!checked.ok) return checked;
  const config = checked.value;
  // The profile's own set (cached, not copied); the user's lists are applied to its lines below.
  const profileSet = resolveProfileAlone(config.profile);
  const notes: string[] = [];
  if (profileSet.mode === 'denylist') {
    const resolved = resolveSeccompNames(config);
    if (resolved.mode === 'denylist' && resolved.denied.size > 0)
      return fail(
        new VoltError(
          'CONFLICT',
          'profile unconfined with a deny list cannot be expressed for systemd-nspawn: SYSTEMD_SECCOMP=0 switches off every nspawn filter; accepted: unconfined with an empty deny list, or profile default with allow/deny lists',
          { path: ['deny'], hint: 'use profile default and allow what the workload needs' },
        ),
      );
    notes.push(
      'unconfined: SYSTEMD_SECCOMP=0 switches off the built-in filter of systemd-nspawn; on the template-unit route it belongs in the service drop-in as Environment=SYSTEMD_SECCOMP=0',
    );
    return ok({ arguments: [], systemCallFilter: [], environment: FILTER_OFF_ENVIRONMENT, notes });
  }
  const base = profileLines(config.profile, profileSet);
  const lines =
    config.allow.length === 0 && config.deny.length === 0
      ? base
      : listLines(base, profileSet.allowed, config);
  const { needed, bootMissing, allowEntries } = lines;
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
  if (options.boot) {
    const missing = bootMissing;
    if (missing.length > 0)
      return fail(
        new VoltError(
          'CONFLICT',
          `profile ${config.profile} denies ${missing.join(', ')}, which systemd needs to boot as the container's PID 1 (Boot=yes); accepted with Boot=yes: a filter that allows ${BOOT_REQUIRED_SYSCALLS.join(' ')}`,
          {
            path: ['profile'],
            hint: 'boot with profile default and confine the workload with `volt sandbox run --seccomp strict`, or use Boot=no',
          },
        ),
      );
  }
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
  if (config.action.kind !== 'errno' || config.action.errno !== 1)
    notes.push(
      `systemd-nspawn denies with EPERM; the configured action (${config.action.kind === 'errno' ? `errno ${config.action.errno}` : config.action.kind}) applies on the BPF and OCI routes only`,
    );
  return ok({
    arguments: lines.arguments,
    systemCallFilter: lines.systemCallFilter,
    environment: NO_ENVIRONMENT,
    notes,
  });
}
