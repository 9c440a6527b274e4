import { type ValidIsolation, VoltError } from '@volt/core';

/**
 * The capabilities systemd-nspawn 252 keeps for a container's payload when it is given no
 * `--capability=`/`--drop-capability=` (its manual, `--capability=`): the bounding set the other targets
 * (OCI, Kubernetes) give the same profile, so that a payload can do there what it can do under nspawn.
 *
 * @example
 * ```ts
 * NSPAWN_CAPABILITIES.includes('CAP_SYS_ADMIN'); // true
 * NSPAWN_CAPABILITIES.includes('CAP_NET_ADMIN'); // false: only with a private network
 * ```
 */
export const NSPAWN_CAPABILITIES: readonly string[] = [
  'CAP_AUDIT_CONTROL',
  'CAP_AUDIT_WRITE',
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_IPC_OWNER',
  'CAP_KILL',
  'CAP_LEASE',
  'CAP_LINUX_IMMUTABLE',
  'CAP_MKNOD',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_RAW',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_CHROOT',
  'CAP_SYS_NICE',
  'CAP_SYS_PTRACE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TTY_CONFIG',
];

/** The capability nspawn adds when the container has a network of its own (`--private-network`). */
const PRIVATE_NETWORK_CAPABILITY = 'CAP_NET_ADMIN';

/** One POSIX resource limit of the payload. */
export interface ProcessRlimit {
  /** `RLIMIT_NOFILE`, … as the OCI runtime spec names it. */
  readonly type: string;
  readonly soft: number;
  readonly hard: number;
}

/**
 * The payload's identity and privileges, the same for every target that runs one process (OCI,
 * Kubernetes). The profile has no fields for them yet: each is nspawn's default here, and a profile field
 * (capabilities, user, rlimits) becomes one more line of {@link containerProcess} that reads it.
 */
export interface ContainerProcess {
  /** The command, before a target wraps it in the Landlock helper. */
  readonly args: readonly string[];
  /** nspawn's `PATH` for the payload; an image (Kubernetes) brings its own. */
  readonly path: string;
  /** The environment, in order (without `PATH`). */
  readonly env: readonly (readonly [name: string, value: string])[];
  readonly cwd: string;
  readonly user: { readonly uid: number; readonly gid: number };
  /** Capability names (`CAP_…`): bounding, effective and permitted alike. */
  readonly capabilities: readonly string[];
  readonly noNewPrivileges: boolean;
  readonly rlimits: readonly ProcessRlimit[];
}

/** The runtimes a profile is rendered for besides systemd-nspawn; the payload sees it as `VOLT_RUNTIME`. */
export type ProcessRuntime = 'oci' | 'kubernetes';

/**
 * The limits nspawn 252 gives a payload: "the same values the Linux kernel originally passed to the host
 * init system". Of those only RLIMIT_NOFILE is the same on every machine (the kernel's INR_OPEN_CUR and
 * INR_OPEN_MAX); the others (NPROC, SIGPENDING) scale with the machine's memory and are left to the runtime.
 */
const NSPAWN_RLIMITS: readonly ProcessRlimit[] = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }];

/** nspawn's PATH for a payload (systemd's DEFAULT_PATH_COMPAT). */
const NSPAWN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The payload process of a container that runs one command (OCI, Kubernetes), from its isolation: the
 * command and environment of the profile (with `VOLT_CONTAINER` and `VOLT_RUNTIME`, as on the nspawn
 * routes), root in `/`, nspawn's capabilities (with `CAP_NET_ADMIN` when the container has a network of
 * its own, as nspawn does), no new privileges, nspawn's open-file limit.
 *
 * @throws {@link VoltError} UNSUPPORTED for a container that boots an init (`boot: true`): these targets
 * run the profile's command as the container's one process.
 * @example
 * ```ts
 * containerProcess(config, 'oci').capabilities.includes('CAP_SYS_ADMIN'); // true
 * containerProcess(config, 'oci').env; // [['VOLT_CONTAINER', 'web'], ['VOLT_RUNTIME', 'oci'], …]
 * ```
 */
export function containerProcess(config: ValidIsolation, runtime: ProcessRuntime): ContainerProcess {
  if (config.boot) {
    throw new VoltError(
      'UNSUPPORTED',
      `the ${runtime === 'oci' ? 'OCI' : 'Kubernetes'} target runs the profile's command as the container's process; a container that boots its init (boot: true) runs on systemd-nspawn only`,
      { path: ['boot'], hint: 'set boot: false (volt render --no-boot) and give the command' },
    );
  }
  const ownNetwork = config.network.mode !== 'host';
  return {
    args: config.command,
    path: NSPAWN_PATH,
    env: [['VOLT_CONTAINER', config.name], ['VOLT_RUNTIME', runtime], ...config.environment],
    cwd: '/',
    user: { uid: 0, gid: 0 },
    capabilities: ownNetwork ? [...NSPAWN_CAPABILITIES, PRIVATE_NETWORK_CAPABILITY] : NSPAWN_CAPABILITIES,
    noNewPrivileges: true,
    rlimits: NSPAWN_RLIMITS,
  };
}
