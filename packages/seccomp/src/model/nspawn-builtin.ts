import { expandSyscallNames } from './catalog.js';

/**
 * systemd-nspawn's built-in allow list (systemd v252, src/nspawn/nspawn-seccomp.c): allowed for every
 * container. Anything else gets EPERM, unless the container keeps one of the capabilities in
 * {@link NSPAWN_CAPABILITY_ALLOW_LIST}.
 *
 * @example
 * ```ts
 * NSPAWN_BUILTIN_ALLOW_LIST.includes('@mount'); // true
 * ```
 */
export const NSPAWN_BUILTIN_ALLOW_LIST: readonly string[] = [
  '@aio',
  '@basic-io',
  '@chown',
  '@default',
  '@file-system',
  '@io-event',
  '@ipc',
  '@mount',
  '@network-io',
  '@process',
  '@resources',
  '@setuid',
  '@signal',
  '@sync',
  '@timer',
  'brk',
  'capget',
  'capset',
  'copy_file_range',
  'fadvise64',
  'fadvise64_64',
  'flock',
  'get_mempolicy',
  'getcpu',
  'getpriority',
  'getrandom',
  'ioctl',
  'ioprio_get',
  'kcmp',
  'madvise',
  'mincore',
  'mprotect',
  'mremap',
  'name_to_handle_at',
  'oldolduname',
  'olduname',
  'personality',
  'readahead',
  'readdir',
  'remap_file_pages',
  'sched_get_priority_max',
  'sched_get_priority_min',
  'sched_getaffinity',
  'sched_getattr',
  'sched_getparam',
  'sched_getscheduler',
  'sched_rr_get_interval',
  'sched_rr_get_interval_time64',
  'sched_yield',
  'seccomp',
  'sendfile',
  'sendfile64',
  'setdomainname',
  'setfsgid',
  'setfsgid32',
  'setfsuid',
  'setfsuid32',
  'sethostname',
  'setpgid',
  'setsid',
  'splice',
  'sysinfo',
  'tee',
  'umask',
  'uname',
  'userfaultfd',
  'vmsplice',
];

/**
 * The parts of nspawn's built-in allow list that depend on a capability the container keeps (v252).
 *
 * @example
 * ```ts
 * NSPAWN_CAPABILITY_ALLOW_LIST.CAP_SYS_TIME; // ['@clock']
 * ```
 */
export const NSPAWN_CAPABILITY_ALLOW_LIST: Readonly<Record<string, readonly string[]>> = {
  CAP_SYS_TIME: ['@clock'],
  CAP_SYS_MODULE: ['@module'],
  CAP_SYS_RAWIO: ['@raw-io'],
  CAP_IPC_LOCK: ['@memlock'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['process_vm_readv', 'process_vm_writev', 'ptrace'],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYSLOG: ['syslog'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
};

/**
 * The capabilities systemd-nspawn 252 keeps by default (without `--capability=`/`--drop-capability=`)
 * that unlock entries of {@link NSPAWN_CAPABILITY_ALLOW_LIST}.
 *
 * @example
 * ```ts
 * NSPAWN_DEFAULT_CAPABILITIES.includes('CAP_SYS_BOOT'); // true: reboot is allowed
 * ```
 */
export const NSPAWN_DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_SYS_BOOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_TTY_CONFIG',
];

/**
 * The names systemd-nspawn 252 allows every container, whatever its capabilities: the built-in list with
 * its groups expanded (derived when the module loads).
 *
 * @example
 * ```ts
 * NSPAWN_ALWAYS_ALLOWED.has('mount'); // true
 * NSPAWN_ALWAYS_ALLOWED.has('ptrace'); // false: only with CAP_SYS_PTRACE
 * ```
 */
export const NSPAWN_ALWAYS_ALLOWED: ReadonlySet<string> = expandSyscallNames(NSPAWN_BUILTIN_ALLOW_LIST);

/**
 * The names systemd-nspawn 252 may allow a container: the built-in list and the entries of every
 * capability, groups expanded (derived when the module loads). A name outside it is denied by nspawn
 * unless a `SystemCallFilter=` line allows it.
 *
 * @example
 * ```ts
 * NSPAWN_MAYBE_ALLOWED.has('ptrace'); // true
 * NSPAWN_MAYBE_ALLOWED.has('landlock_create_ruleset'); // false in nspawn 252
 * ```
 */
export const NSPAWN_MAYBE_ALLOWED: ReadonlySet<string> = expandSyscallNames([
  ...NSPAWN_BUILTIN_ALLOW_LIST,
  ...Object.values(NSPAWN_CAPABILITY_ALLOW_LIST).flat(),
]);

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
