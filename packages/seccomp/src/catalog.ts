import {
  LIBSECCOMP_ONLY_SYSCALLS,
  SYSCALL_GROUPS,
  SYSCALL_NUMBERS_AARCH64,
  SYSCALL_NUMBERS_X86_64,
} from './catalog.generated.js';

/**
 * The architectures Volt compiles seccomp filters for.
 *
 * @example
 * ```ts
 * SECCOMP_ARCHES.includes('aarch64'); // true
 * ```
 */
export const SECCOMP_ARCHES = ['x86_64', 'aarch64'] as const;
/** An architecture from {@link SECCOMP_ARCHES}. */
export type SeccompArch = (typeof SECCOMP_ARCHES)[number];

/** A systemd syscall group name such as `@mount`. */
export type SyscallGroupName = keyof typeof SYSCALL_GROUPS;

/**
 * The `AUDIT_ARCH_*` value the kernel reports in `seccomp_data.arch` (linux/audit.h).
 *
 * @example
 * ```ts
 * AUDIT_ARCH.x86_64; // 0xc000003e
 * ```
 */
export const AUDIT_ARCH = {
  x86_64: 0xc000003e,
  aarch64: 0xc00000b7,
} as const;

/**
 * The x32 ABI marker bit in x86_64 syscall numbers (`__X32_SYSCALL_BIT`).
 *
 * @example
 * ```ts
 * (nr & X32_SYSCALL_BIT) !== 0; // an x32 call
 * ```
 */
export const X32_SYSCALL_BIT = 0x40000000;

const NUMBERS: Readonly<Record<SeccompArch, Readonly<Record<string, number>>>> = {
  x86_64: SYSCALL_NUMBERS_X86_64,
  aarch64: SYSCALL_NUMBERS_AARCH64,
};

const KNOWN_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(SYSCALL_GROUPS).flatMap((group) => expandGroupUnchecked(group)),
  ...LIBSECCOMP_ONLY_SYSCALLS,
]);

/**
 * True if `name` is a system call name systemd knows (a member of one of its groups) or libseccomp
 * knows (see {@link LIBSECCOMP_ONLY_SYSCALLS}), on any architecture.
 *
 * @example
 * ```ts
 * isKnownSyscall('openat'); // true
 * isKnownSyscall('opneat'); // false
 * ```
 */
export function isKnownSyscall(name: string): boolean {
  return KNOWN_NAMES.has(name);
}

/**
 * True if `name` is one of systemd's syscall groups (see {@link SYSCALL_GROUPS}).
 *
 * @example
 * ```ts
 * isSyscallGroup('@mount'); // true
 * ```
 */
export function isSyscallGroup(name: string): name is SyscallGroupName {
  return Object.hasOwn(SYSCALL_GROUPS, name);
}

/**
 * Every system call name systemd knows, sorted.
 *
 * @example
 * ```ts
 * knownSyscalls().includes('mount'); // true
 * ```
 */
export function knownSyscalls(): readonly string[] {
  return [...KNOWN_NAMES].sort();
}

function expandGroupUnchecked(group: string, seen: Set<string> = new Set()): string[] {
  if (seen.has(group)) return [];
  seen.add(group);
  const entry = (SYSCALL_GROUPS as Readonly<Record<string, { readonly members: readonly string[] }>>)[group];
  const out: string[] = [];
  for (const member of entry?.members ?? []) {
    if (member.startsWith('@')) out.push(...expandGroupUnchecked(member, seen));
    else out.push(member);
  }
  return out;
}

/**
 * The system call names of a group, with nested groups expanded (architecture independent).
 *
 * @example
 * ```ts
 * expandSyscallGroup('@privileged').includes('chown'); // true, through @chown
 * ```
 */
export function expandSyscallGroup(group: SyscallGroupName): readonly string[] {
  let members = expandedGroups.get(group);
  if (members === undefined) {
    members = Object.freeze([...new Set(expandGroupUnchecked(group))].sort());
    expandedGroups.set(group, members);
  }
  return members;
}

/** Groups are constant data, so each is expanded once. */
const expandedGroups = new Map<SyscallGroupName, readonly string[]>();

/**
 * The system call names of a list of names and groups, each group expanded ({@link expandSyscallGroup}).
 *
 * @example
 * ```ts
 * expandSyscallNames(['@chown', 'mount']).has('fchownat'); // true
 * ```
 */
export function expandSyscallNames(entries: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const entry of entries) {
    if (isSyscallGroup(entry)) for (const name of expandSyscallGroup(entry)) names.add(name);
    else names.add(entry);
  }
  return names;
}

/**
 * The number of a system call on an architecture, or undefined if that architecture does not have it.
 *
 * @example
 * ```ts
 * syscallNumber('x86_64', 'getppid'); // 110
 * syscallNumber('aarch64', 'getppid'); // 173
 * syscallNumber('aarch64', 'open'); // undefined: aarch64 only has openat
 * ```
 */
export function syscallNumber(arch: SeccompArch, name: string): number | undefined {
  const table = NUMBERS[arch];
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * The name of a system call number on an architecture, if systemd knows it.
 *
 * @example
 * ```ts
 * syscallName('x86_64', 165); // 'mount'
 * ```
 */
export function syscallName(arch: SeccompArch, nr: number): string | undefined {
  for (const [name, value] of Object.entries(NUMBERS[arch])) if (value === nr) return name;
  return undefined;
}
