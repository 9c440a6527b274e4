import type { SeccompAction, SeccompConfig, SeccompProfileName, Valid } from '@volt/core';
import { expandSyscallNames, type SeccompArch, syscallNumber } from './catalog.js';
import {
  NSPAWN_BUILTIN_ALLOW_LIST,
  NSPAWN_CAPABILITY_ALLOW_LIST,
  NSPAWN_DEFAULT_CAPABILITIES,
  NSPAWN_SELF_REQUIRED_SYSCALLS,
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
    keep: NSPAWN_SELF_REQUIRED_SYSCALLS,
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

/** The architecture-independent outcome of a configuration: which names are allowed or denied. */
export type ResolvedSeccompNames =
  | { readonly mode: 'allowlist'; readonly allowed: ReadonlySet<string>; readonly action: SeccompAction }
  | { readonly mode: 'denylist'; readonly denied: ReadonlySet<string>; readonly action: SeccompAction };

/** What a profile allows (allowlist) or denies (denylist) before the user's lists. */
function profileNames(definition: SeccompProfileDefinition): ReadonlySet<string> {
  if (definition.mode === 'denylist') return expandSyscallNames(definition.deny);
  const allowed = expandSyscallNames(definition.allow);
  for (const name of expandSyscallNames(definition.deny)) allowed.delete(name);
  for (const name of definition.keep) allowed.add(name);
  return allowed;
}

/**
 * What each profile allows (allowlist) or denies (denylist) by itself, before the user's lists: a constant
 * table derived from {@link SECCOMP_PROFILE_DEFINITIONS} when the module loads.
 *
 * @example
 * ```ts
 * PROFILE_SYSCALLS.strict.has('mount'); // false
 * PROFILE_SYSCALLS.default.has('landlock_create_ruleset'); // true
 * ```
 */
export const PROFILE_SYSCALLS: Readonly<Record<SeccompProfileName, ReadonlySet<string>>> = {
  strict: profileNames(SECCOMP_PROFILE_DEFINITIONS.strict),
  default: profileNames(SECCOMP_PROFILE_DEFINITIONS.default),
  unconfined: profileNames(SECCOMP_PROFILE_DEFINITIONS.unconfined),
};

/**
 * Expands a configuration to system call names: the profile's lists first, then the user's allow list
 * (which can take back a profile denial), then the user's deny list (which always wins).
 *
 * @example
 * ```ts
 * const names = resolveSeccompNames(unwrap(parseSeccompConfig('strict')));
 * names.mode === 'allowlist' && names.allowed.has('mount'); // false
 * ```
 */
export function resolveSeccompNames(config: Valid<SeccompConfig>): ResolvedSeccompNames {
  const { mode } = SECCOMP_PROFILE_DEFINITIONS[config.profile];
  const names = new Set(PROFILE_SYSCALLS[config.profile]);
  for (const name of expandSyscallNames(config.allow))
    if (mode === 'allowlist') names.add(name);
    else names.delete(name);
  for (const name of expandSyscallNames(config.deny))
    if (mode === 'allowlist') names.delete(name);
    else names.add(name);
  return mode === 'allowlist'
    ? { mode, allowed: names, action: config.action }
    : { mode, denied: names, action: config.action };
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
 * @example
 * ```ts
 * const set = expandSeccompConfig(DEFAULT_SECCOMP_CONFIG, 'x86_64');
 * set.numbers.includes(110); // true: getppid
 * ```
 */
export function expandSeccompConfig(config: Valid<SeccompConfig>, arch: SeccompArch): ArchSyscallSet {
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
