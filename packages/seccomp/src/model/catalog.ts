import { describeValue, fail, ok, type Result, VoltError } from '@volt/core';
import {
  LIBSECCOMP_ONLY_SYSCALLS,
  SYSCALL_GROUPS,
  SYSCALL_NUMBERS_AARCH64,
  SYSCALL_NUMBERS_X86_64,
  type SyscallGroupEntry,
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

/**
 * Every group with its nested groups expanded, sorted: a constant table derived from the catalog when
 * the module loads (rendering a plan looks groups up many times; expanding them each time cost hundreds
 * of microseconds per plan).
 */
const GROUP_MEMBERS = Object.fromEntries(
  Object.keys(SYSCALL_GROUPS).map((group) => [group, [...new Set(groupMembers(group, new Set()))].sort()]),
) as Record<string, readonly string[]> as Readonly<Record<SyscallGroupName, readonly string[]>>;

/** Every name systemd or libseccomp knows, sorted: derived from the catalog when the module loads. */
const KNOWN_SYSCALLS: readonly string[] = [
  ...new Set([...Object.values(GROUP_MEMBERS).flat(), ...LIBSECCOMP_ONLY_SYSCALLS]),
].sort();

/** The same names, for lookups. */
const KNOWN_SYSCALL_SET: ReadonlySet<string> = new Set(KNOWN_SYSCALLS);

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
  return KNOWN_SYSCALL_SET.has(name);
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
  return KNOWN_SYSCALLS;
}

/** The names of a group and its nested groups; `seen` stops a group from being expanded twice. */
function groupMembers(group: string, seen: Set<string>): string[] {
  if (seen.has(group)) return [];
  seen.add(group);
  const entry = (SYSCALL_GROUPS as Readonly<Record<string, SyscallGroupEntry>>)[group];
  return (entry?.members ?? []).flatMap((member) =>
    member.startsWith('@') ? groupMembers(member, seen) : [member],
  );
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
  return GROUP_MEMBERS[group];
}

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

/**
 * Parses an architecture name.
 *
 * @example
 * ```ts
 * parseSeccompArch('aarch64'); // { ok: true, value: 'aarch64' }
 * parseSeccompArch('arm64').ok; // false
 * ```
 */
export function parseSeccompArch(input: string): Result<SeccompArch> {
  if ((SECCOMP_ARCHES as readonly string[]).includes(input)) return ok(input as SeccompArch);
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `unknown architecture ${describeValue(input)}; accepted: ${SECCOMP_ARCHES.join(', ')}`,
    ),
  );
}

/**
 * The seccomp architecture of a Node.js `process.arch` value, for filters meant for this host.
 *
 * @example
 * ```ts
 * seccompArchOfNode('x64'); // { ok: true, value: 'x86_64' }
 * seccompArchOfNode('ia32').ok; // false, UNSUPPORTED
 * ```
 */
export function seccompArchOfNode(nodeArch: string): Result<SeccompArch> {
  if (nodeArch === 'x64') return ok('x86_64');
  if (nodeArch === 'arm64') return ok('aarch64');
  return fail(
    new VoltError(
      'UNSUPPORTED',
      `no seccomp filter for the ${describeValue(nodeArch)} architecture; supported: x64 (x86_64), arm64 (aarch64)`,
    ),
  );
}
