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
