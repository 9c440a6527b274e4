import type { ByteLimit } from '../values/bytes.js';
import type { IndexSet } from '../values/numbers.js';
import type { Valid } from './valid.js';

// ── Landlock ────────────────────────────────────────────────────────────────────────────────────────

/** Landlock filesystem access rights, by name, in kernel bit order (bit 0 = `execute`). */
export const LANDLOCK_FS_RIGHTS = [
  'execute',
  'write-file',
  'read-file',
  'read-dir',
  'remove-dir',
  'remove-file',
  'make-char',
  'make-dir',
  'make-reg',
  'make-sock',
  'make-fifo',
  'make-block',
  'make-sym',
  'refer',
  'truncate',
  'ioctl-dev',
  'resolve-unix',
] as const;
/** One Landlock filesystem access right. */
export type LandlockFsRight = (typeof LANDLOCK_FS_RIGHTS)[number];

/** Landlock TCP port rights, in kernel bit order. */
export const LANDLOCK_NET_RIGHTS = ['bind-tcp', 'connect-tcp'] as const;
/** One Landlock network access right. */
export type LandlockNetRight = (typeof LANDLOCK_NET_RIGHTS)[number];

/** Landlock IPC scopes, in kernel bit order. */
export const LANDLOCK_SCOPES = ['abstract-unix-socket', 'signal'] as const;
/** One Landlock scope. */
export type LandlockScope = (typeof LANDLOCK_SCOPES)[number];

/** `landlock_restrict_self()` audit-logging flags (ABI 7), in kernel bit order. */
export const LANDLOCK_LOG_FLAGS = ['same-exec-off', 'new-exec-on', 'subdomains-off'] as const;
/** One audit-logging flag. */
export type LandlockLogFlag = (typeof LANDLOCK_LOG_FLAGS)[number];

/**
 * What to do when the running kernel lacks part of a policy.
 * - `best-effort`: enforce what the kernel supports, drop the rest, and report what was dropped.
 * - `soft-requirement`: like best-effort, but fail if nothing at all can be enforced.
 * - `hard-requirement`: fail unless every requested feature is enforced.
 */
export const LANDLOCK_COMPATIBILITY_MODES = ['best-effort', 'soft-requirement', 'hard-requirement'] as const;
/** A Landlock compatibility mode; see {@link LANDLOCK_COMPATIBILITY_MODES}. */
export type LandlockCompatibility = (typeof LANDLOCK_COMPATIBILITY_MODES)[number];

/** The named Landlock presets that `@volt/landlock` provides. */
export const LANDLOCK_PRESETS = ['server', 'desktop'] as const;
/** A Landlock preset name. */
export type LandlockPresetName = (typeof LANDLOCK_PRESETS)[number];

/** Rights granted beneath one path. Paths are written as the workload sees them (container paths). */
export interface LandlockPathRule {
  readonly path: string;
  readonly access: readonly LandlockFsRight[];
  /** Skip the rule when the path does not exist, instead of failing. */
  readonly optional: boolean;
}

/** Rights granted on one TCP port. */
export interface LandlockPortRule {
  readonly port: number;
  readonly access: readonly LandlockNetRight[];
}

/** A complete Landlock policy. Everything handled and not granted by a rule is denied. */
export interface LandlockPolicy {
  /** Filesystem rights the policy restricts. */
  readonly handledFs: readonly LandlockFsRight[];
  /** Network rights the policy restricts. */
  readonly handledNet: readonly LandlockNetRight[];
  readonly paths: readonly LandlockPathRule[];
  readonly ports: readonly LandlockPortRule[];
  readonly scopes: readonly LandlockScope[];
  readonly logFlags: readonly LandlockLogFlag[];
  /** Apply to every thread of the process (ABI 8, `LANDLOCK_RESTRICT_SELF_TSYNC`). */
  readonly threadSync: boolean;
  readonly compatibility: LandlockCompatibility;
}

// ── Seccomp ─────────────────────────────────────────────────────────────────────────────────────────

/** The seccomp base profiles. */
export const SECCOMP_PROFILES = ['strict', 'default', 'unconfined'] as const;
/** A seccomp base profile name. */
export type SeccompProfileName = (typeof SECCOMP_PROFILES)[number];

/** What a denied system call gets. */
export type SeccompAction =
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'kill-process' }
  | { readonly kind: 'log' };

/** A seccomp configuration: a base profile, adjusted by name and by `@group`. */
export interface SeccompConfig {
  readonly profile: SeccompProfileName;
  /** System calls or `@groups` allowed on top of the profile. */
  readonly allow: readonly string[];
  /** System calls or `@groups` denied; denials win over allows. */
  readonly deny: readonly string[];
  /** The action for denied calls. */
  readonly action: SeccompAction;
}

// ── Resources (cgroup v2 through systemd) ───────────────────────────────────────────────────────────

/** A CPU weight: 1..10000, or `idle`. */
export type CpuWeight = number | 'idle';

/** A task limit: a count, a share of the system's limit, or none. */
export type TasksLimit =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'percent'; readonly permyriad: number }
  | { readonly kind: 'infinity' };

/** A per-second rate (bytes or operations), or no limit. */
export type RateLimit = { readonly kind: 'rate'; readonly perSecond: number } | { readonly kind: 'infinity' };

/** IO limits for one block device (or the device behind a path). */
export interface IoDeviceLimit {
  readonly device: string;
  readonly weight?: number;
  readonly readBandwidthMax?: RateLimit;
  readonly writeBandwidthMax?: RateLimit;
  readonly readIopsMax?: RateLimit;
  readonly writeIopsMax?: RateLimit;
}

/** Memory limits: systemd's MemoryMin/Low/High/Max/SwapMax/ZSwapMax. Absent means "leave it alone". */
export interface MemoryLimits {
  readonly min?: ByteLimit;
  readonly low?: ByteLimit;
  readonly high?: ByteLimit;
  readonly max?: ByteLimit;
  readonly swapMax?: ByteLimit;
  readonly zswapMax?: ByteLimit;
}

/** CPU limits and placement. */
export interface CpuLimits {
  readonly weight?: CpuWeight;
  readonly startupWeight?: CpuWeight;
  /** CPUQuota in permyriad of one CPU: 15000 is `150%`. */
  readonly quota?: number;
  /** CPUQuotaPeriodSec in microseconds (1000..1000000). */
  readonly quotaPeriod?: number;
  readonly allowedCpus?: IndexSet;
  readonly allowedMemoryNodes?: IndexSet;
}

/** IO limits. */
export interface IoLimits {
  readonly weight?: number;
  readonly devices?: readonly IoDeviceLimit[];
}

/** Task limits. */
export interface TasksLimits {
  readonly max?: TasksLimit;
}

/**
 * The cgroup v2 resource set, as systemd's resource-control settings name it. Every field is optional: a
 * limit that is absent is left alone (the containerd/cgroups model). Made by `parseResourceLimits` from the
 * values a profile's `resources:` holds; the table of every limit is {@link RESOURCE_LIMITS}.
 */
export interface ResourceLimits {
  /** Delegate the cgroup subtree to the container (systemd `Delegate=yes`). */
  readonly delegate?: boolean;
  readonly memory?: MemoryLimits;
  readonly cpu?: CpuLimits;
  readonly io?: IoLimits;
  readonly tasks?: TasksLimits;
}

// ── Network ─────────────────────────────────────────────────────────────────────────────────────────

/** Network modes: a private stack on the bridge, the host's stack, or loopback only. */
export const NETWORK_MODES = ['private', 'host', 'none'] as const;
/** A network mode. */
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** Transport protocols for port forwards. */
export const PORT_PROTOCOLS = ['tcp', 'udp'] as const;
/** A port-forward protocol. */
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

/** Forward a host port to a container port. */
export interface PortForward {
  readonly protocol: PortProtocol;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** Network settings of a container. */
export interface NetworkConfig {
  readonly mode: NetworkMode;
  /** The host bridge for private mode. */
  readonly bridge: string;
  /** The bridge's IPv4 subnet in CIDR form, e.g. `10.87.0.0/16`. */
  readonly subnet: string;
  /** An optional IPv6 subnet for the bridge. */
  readonly subnet6?: string;
  readonly ports: readonly PortForward[];
  /** DNS servers, as canonical IP address text. */
  readonly dns: readonly string[];
  /** DNS search domains. */
  readonly searchDomains: readonly string[];
}

// ── The whole configuration ─────────────────────────────────────────────────────────────────────────

/**
 * Everything Volt isolates for one container, fully resolved: no presets, no defaults left to apply.
 * `@volt/nspawn` builds one from a profile; the domain packages each read their part.
 */
export interface IsolationConfig {
  /** The machine name. */
  readonly name: string;
  /** The container's root directory on the host. */
  readonly rootfs: string;
  /** Boot an init system (`Boot=yes`) or run `command` directly. */
  readonly boot: boolean;
  /** The command for Boot=no containers (or arguments to init when booting). */
  readonly command: readonly string[];
  /** For Boot=yes: the unit inside the container whose ExecStart the Landlock policy wraps. */
  readonly workloadUnit?: string;
  /** Extra environment variables, in order. */
  readonly environment: readonly (readonly [name: string, value: string])[];
  /** The Landlock policy for the workload, or null for none. */
  readonly landlock: LandlockPolicy | null;
  readonly seccomp: SeccompConfig;
  readonly resources: ResourceLimits;
  readonly network: NetworkConfig;
  /** Run the container in its own user namespace (`PrivateUsers=pick`). */
  readonly privateUsers: boolean;
  /** Mount the root directory read-only. */
  readonly readOnlyRoot: boolean;
}

/**
 * A whole configuration that went through the one validator (`parseIsolation` in `@volt/nspawn`), each part
 * through its own: what the plan renderer takes.
 */
export type ValidIsolation = Valid<
  IsolationConfig & {
    readonly landlock: Valid<LandlockPolicy> | null;
    readonly seccomp: Valid<SeccompConfig>;
    readonly resources: Valid<ResourceLimits>;
    readonly network: Valid<NetworkConfig>;
  }
>;
