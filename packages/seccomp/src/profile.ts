import {
  describeValue,
  fail,
  failAll,
  frozenCopy,
  isRecord,
  ok,
  parseErrno,
  type Result,
  rememberValidated,
  SECCOMP_PROFILES,
  type SeccompAction,
  type SeccompConfig,
  type SeccompProfileName,
  VoltError,
  wrongType,
} from '@volt/core';
import { SYSCALL_GROUPS } from './catalog.generated.js';
import {
  expandSyscallNames,
  isKnownSyscall,
  isSyscallGroup,
  knownSyscalls,
  type SeccompArch,
  syscallNumber,
} from './catalog.js';
import {
  NSPAWN_BUILTIN_ALLOW_LIST,
  NSPAWN_CAPABILITY_ALLOW_LIST,
  NSPAWN_DEFAULT_CAPABILITIES,
} from './nspawn-builtin.js';

/** A base profile as data: what it allows and denies, before the user's own lists. */
export interface SeccompProfileDefinition {
  /** `allowlist`: everything not allowed is denied; `denylist`: everything not denied is allowed. */
  readonly mode: 'allowlist' | 'denylist';
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Names allowed although a denied group contains them. */
  readonly keep: readonly string[];
  readonly summary: string;
}

/**
 * The three base profiles.
 *
 * - `default`: exactly what systemd-nspawn 252 allows a container with its default capabilities, plus
 *   `@sandbox` (nspawn before v257 does not allow the landlock_* calls; Volt needs them in the container).
 * - `strict`: `@system-service` and `@sandbox`, minus everything privileged, mounting, resource
 *   changes, keyrings, memory locking, debugging, namespaces (setns/unshare), io_uring and userfaultfd;
 *   it keeps setgroups, setresgid, setresuid and capset, which systemd-nspawn calls after installing the
 *   filter to switch to the container's root and drop capabilities (measured with nspawn 252).
 * - `unconfined`: no filter at all.
 *
 * @example
 * ```ts
 * SECCOMP_PROFILE_DEFINITIONS.strict.deny.includes('@mount'); // true
 * ```
 */
export const SECCOMP_PROFILE_DEFINITIONS: Readonly<Record<SeccompProfileName, SeccompProfileDefinition>> = {
  strict: {
    mode: 'allowlist',
    summary:
      'system-service calls only: no mounts, privileged calls, namespaces, io_uring, keyrings or tracing',
    allow: ['@system-service', '@sandbox'],
    deny: [
      '@clock',
      '@cpu-emulation',
      '@debug',
      '@keyring',
      '@memlock',
      '@module',
      '@mount',
      '@obsolete',
      '@pkey',
      '@privileged',
      '@raw-io',
      '@reboot',
      '@resources',
      '@swap',
      'io_uring_enter',
      'io_uring_register',
      'io_uring_setup',
      'kcmp',
      'name_to_handle_at',
      'setns',
      'unshare',
      'userfaultfd',
    ],
    keep: ['capset', 'setgroups', 'setresgid', 'setresuid'],
  },
  default: {
    mode: 'allowlist',
    summary: "systemd-nspawn's own allow list (v252, default capabilities) plus @sandbox",
    allow: [
      ...NSPAWN_BUILTIN_ALLOW_LIST,
      ...NSPAWN_DEFAULT_CAPABILITIES.flatMap((cap) => NSPAWN_CAPABILITY_ALLOW_LIST[cap] ?? []),
      '@sandbox',
    ],
    deny: [],
    keep: [],
  },
  unconfined: {
    mode: 'denylist',
    summary: 'no filter (only the explicit deny list, if any)',
    allow: [],
    deny: [],
    keep: [],
  },
};

const GROUP_LIST = Object.keys(SYSCALL_GROUPS).join(' ');

function checkEntry(entry: unknown, path: readonly (string | number)[]): VoltError | undefined {
  if (typeof entry !== 'string')
    return new VoltError('INVALID_SYSCALL', `expected a system call name or @group, got ${typeof entry}`, {
      path,
    });
  if (entry.startsWith('@')) {
    if (isSyscallGroup(entry)) return undefined;
    return new VoltError(
      'INVALID_SYSCALL',
      `unknown system call group ${JSON.stringify(entry)}; accepted groups: ${GROUP_LIST}`,
      { path, hint: 'run `systemd-analyze syscall-filter` to list the groups and their members' },
    );
  }
  if (isKnownSyscall(entry)) return undefined;
  const near = suggest(entry);
  return new VoltError(
    'INVALID_SYSCALL',
    `unknown system call ${JSON.stringify(entry)}; accepted: a system call name known to systemd or libseccomp (e.g. openat) or a @group`,
    { path, ...(near === undefined ? {} : { hint: `did you mean ${near}?` }) },
  );
}

function suggest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of knownSyscalls()) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function checkAction(action: unknown): VoltError | undefined {
  const path = ['action'];
  if (typeof action !== 'object' || action === null)
    return new VoltError(
      'INVALID_VALUE',
      'expected an action object; accepted kinds: errno, kill-process, log',
      {
        path,
      },
    );
  const kind = (action as { kind?: unknown }).kind;
  if (kind === 'kill-process' || kind === 'log') return undefined;
  if (kind === 'errno') {
    const errno = (action as { errno?: unknown }).errno;
    const parsed = typeof errno === 'number' ? parseErrno(errno) : undefined;
    if (parsed?.ok === true) return undefined;
    return new VoltError(
      'INVALID_VALUE',
      `errno ${describeValue(errno)} is out of range; accepted: 1..4095`,
      {
        path: [...path, 'errno'],
      },
    );
  }
  return new VoltError(
    'INVALID_VALUE',
    `unknown action kind ${describeValue(kind)}; accepted: errno, kill-process, log`,
    { path: [...path, 'kind'] },
  );
}

function checkSeccompConfig(config: SeccompConfig): Result<SeccompConfig> {
  if (!isRecord(config))
    return fail(wrongType([], 'a seccomp configuration { profile, allow, deny, action }', config));
  const issues: VoltError[] = [];
  if (!(SECCOMP_PROFILES as readonly string[]).includes(config.profile))
    issues.push(
      new VoltError(
        'INVALID_PROFILE',
        `unknown seccomp profile ${describeValue(config.profile)}; accepted: ${SECCOMP_PROFILES.join(', ')}`,
        { path: ['profile'] },
      ),
    );
  for (const key of ['allow', 'deny'] as const) {
    const list: unknown = config[key];
    if (!Array.isArray(list)) {
      issues.push(new VoltError('INVALID_SYSCALL', `expected a list of names or @groups`, { path: [key] }));
      continue;
    }
    list.forEach((entry: unknown, index) => {
      const issue = checkEntry(entry, [key, index]);
      if (issue !== undefined) issues.push(issue);
    });
  }
  const actionIssue = checkAction(config.action);
  if (actionIssue !== undefined) issues.push(actionIssue);
  const failed = failAll<SeccompConfig>(issues);
  if (failed !== undefined) return failed;
  // Built from the fields read, so that nothing else the input carries gets into the validated value.
  const action: SeccompAction =
    config.action.kind === 'errno'
      ? { kind: 'errno', errno: config.action.errno }
      : { kind: config.action.kind };
  return ok(
    Object.freeze({
      profile: config.profile,
      allow: frozenCopy(config.allow),
      deny: frozenCopy(config.deny),
      action: Object.freeze(action),
    }),
  );
}

/**
 * Checks a seccomp configuration and reports every problem at once: the profile, each allow/deny entry
 * (a name systemd knows or a group) and the action.
 *
 * The result is a frozen copy, checked only once: validated again (by a renderer), it is accepted at once.
 *
 * @example
 * ```ts
 * const result = validateSeccompConfig({ profile: 'strict', allow: ['mount'], deny: ['@nope'], action: { kind: 'kill-process' } });
 * result.ok; // false: INVALID_SYSCALL at deny[0]
 * ```
 */
export const validateSeccompConfig: (config: SeccompConfig) => Result<SeccompConfig> =
  rememberValidated(checkSeccompConfig);

/** Profiles are constant data, so each allowlist profile's own set is computed once. */
const baseAllowed = new Map<SeccompProfileName, ReadonlySet<string>>();

function profileBaseAllowed(
  name: SeccompProfileName,
  definition: SeccompProfileDefinition,
): ReadonlySet<string> {
  let allowed = baseAllowed.get(name);
  if (allowed === undefined) {
    const set = expandSyscallNames(definition.allow);
    for (const entry of expandSyscallNames(definition.deny)) set.delete(entry);
    for (const entry of definition.keep) set.add(entry);
    allowed = set;
    baseAllowed.set(name, allowed);
  }
  return allowed;
}

/** The architecture-independent outcome of a configuration: which names are allowed or denied. */
export type ResolvedSeccompNames =
  | { readonly mode: 'allowlist'; readonly allowed: ReadonlySet<string>; readonly action: SeccompAction }
  | { readonly mode: 'denylist'; readonly denied: ReadonlySet<string>; readonly action: SeccompAction };

/**
 * Expands a configuration to system call names: the profile's lists first, then the user's allow list
 * (which can take back a profile denial), then the user's deny list (which always wins).
 *
 * @throws {@link VoltError} `INVALID_SYSCALL`, `INVALID_PROFILE` or `INVALID_VALUE` for an invalid config.
 * @example
 * ```ts
 * const names = resolveSeccompNames({ profile: 'strict', allow: [], deny: [], action: { kind: 'errno', errno: 1 } });
 * names.mode === 'allowlist' && names.allowed.has('mount'); // false
 * ```
 */
export function resolveSeccompNames(config: SeccompConfig): ResolvedSeccompNames {
  const checked = validateSeccompConfig(config);
  if (!checked.ok) throw checked.error;
  const definition = SECCOMP_PROFILE_DEFINITIONS[config.profile];
  const userDeny = expandSyscallNames(config.deny);
  if (definition.mode === 'denylist') {
    const denied = expandSyscallNames(definition.deny);
    for (const name of expandSyscallNames(config.allow)) denied.delete(name);
    for (const name of userDeny) denied.add(name);
    return { mode: 'denylist', denied, action: config.action };
  }
  const base = profileBaseAllowed(config.profile, definition);
  if (config.allow.length === 0 && config.deny.length === 0) {
    return { mode: 'allowlist', allowed: base, action: config.action };
  }
  const allowed = new Set(base);
  for (const name of expandSyscallNames(config.allow)) allowed.add(name);
  for (const name of userDeny) allowed.delete(name);
  return { mode: 'allowlist', allowed, action: config.action };
}

/** A configuration made concrete for one architecture: numbers, not names. */
export interface ArchSyscallSet {
  readonly arch: SeccompArch;
  readonly mode: 'allowlist' | 'denylist';
  /** Allowed numbers (allowlist) or denied numbers (denylist), ascending. */
  readonly numbers: readonly number[];
  /** Names of the list that this architecture does not have (skipped, as systemd does). */
  readonly absent: readonly string[];
  readonly action: SeccompAction;
}

/**
 * The concrete syscall numbers of a configuration on one architecture.
 *
 * @throws {@link VoltError} `INVALID_SYSCALL`, `INVALID_PROFILE` or `INVALID_VALUE` for an invalid config.
 * @example
 * ```ts
 * const set = expandSeccompConfig({ profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }, 'x86_64');
 * set.numbers.includes(110); // true: getppid
 * ```
 */
export function expandSeccompConfig(config: SeccompConfig, arch: SeccompArch): ArchSyscallSet {
  const resolved = resolveSeccompNames(config);
  const names = resolved.mode === 'allowlist' ? resolved.allowed : resolved.denied;
  const numbers = new Set<number>();
  const absent: string[] = [];
  for (const name of names) {
    const nr = syscallNumber(arch, name);
    if (nr === undefined) absent.push(name);
    else numbers.add(nr);
  }
  return {
    arch,
    mode: resolved.mode,
    numbers: [...numbers].sort((a, b) => a - b),
    absent: absent.sort(),
    action: resolved.action,
  };
}
