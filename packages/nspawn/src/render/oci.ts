import { type HostResources, type OciLinuxResources, ociLinuxResources } from '@volt/cgroups';
import { type ValidIsolation, VoltError } from '@volt/core';
import { renderResolvConf } from '@volt/netns';
import { type OciSeccomp, renderOciSeccomp, type SeccompArch } from '@volt/seccomp';
import { CONTAINER_VOLT_DIR } from '../model/paths.js';
import { type ContainerProcess, containerProcess, type ProcessRlimit } from '../model/process.js';
import { HELPER_IN_CONTAINER, type LayerEnforcement, type PlannedFile, POLICY_IN_CONTAINER } from './plan.js';
import { landlockWorkload, rootEnforcement, seccompFilterEnforcement } from './workload.js';

/** One entry of the runtime spec's `mounts`. */
export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

/** One entry of `linux.namespaces`: a new namespace, or the one at `path`. */
export interface OciNamespace {
  readonly type: 'pid' | 'mount' | 'ipc' | 'uts' | 'cgroup' | 'network' | 'user';
  readonly path?: string;
}

/** One entry of `linux.uidMappings` / `linux.gidMappings`. */
export interface OciIdMapping {
  readonly containerID: number;
  readonly hostID: number;
  readonly size: number;
}

/** The runtime spec's `config.json` as Volt writes it. */
export interface OciRuntimeConfig {
  readonly ociVersion: string;
  readonly process: {
    readonly terminal: boolean;
    readonly user: { readonly uid: number; readonly gid: number };
    readonly args: readonly string[];
    readonly env: readonly string[];
    readonly cwd: string;
    readonly capabilities: {
      readonly bounding: readonly string[];
      readonly effective: readonly string[];
      readonly permitted: readonly string[];
    };
    readonly rlimits: readonly ProcessRlimit[];
    readonly noNewPrivileges: boolean;
  };
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  readonly linux: {
    readonly namespaces: readonly OciNamespace[];
    readonly uidMappings?: readonly OciIdMapping[];
    readonly gidMappings?: readonly OciIdMapping[];
    readonly cgroupsPath?: string;
    readonly resources: OciLinuxResources;
    readonly seccomp: OciSeccomp;
    readonly maskedPaths: readonly string[];
    readonly readonlyPaths: readonly string[];
  };
}

/** The host range a private container's users map to: container IDs 0..size-1 are hostID..hostID+size-1. */
export interface OciIdRange {
  readonly hostId: number;
  readonly size: number;
}

/** What an OCI bundle is rendered for. */
export interface OciTarget {
  /** The bundle directory (absolute): `config.json` and Volt's files go there. */
  readonly bundle: string;
  /** The Landlock ABI of the kernel the container will run on. */
  readonly landlockAbi: number;
  /** The helper binary on this host, copied into the bundle; needed when the profile has a Landlock policy. */
  readonly landlockHelper?: string;
  /** The architectures the seccomp filter lists (the host's, for a bundle run here). */
  readonly architectures: readonly SeccompArch[];
  /** The host range of a private container's users; by default {@link pickUserRange} of its name. */
  readonly userRange?: OciIdRange;
  /** The network namespace of a private container; by default {@link networkNamespacePath} of its name. */
  readonly networkNamespace?: string;
  /** `linux.cgroupsPath`; the runtime picks one when absent. */
  readonly cgroupsPath?: string;
  /** The host's memory size and block devices, for limits that name them (percentages, `io.devices`). */
  readonly host?: HostResources;
}

/** A runnable bundle: the runtime config, every file of the bundle, and what the OCI target enforces. */
export interface OciBundle {
  readonly config: OciRuntimeConfig;
  /** `config.json`, the resolv.conf and, with a Landlock policy, the helper and its policy. */
  readonly files: readonly PlannedFile[];
  readonly enforcement: readonly LayerEnforcement[];
}

/** The runtime spec version written; crun 1.8 and runc 1.1 (Debian 12) read it. */
const OCI_VERSION = '1.0.2';

/** nspawn's range for picked user namespaces (`--private-users=pick`): 64 Ki IDs, 64 Ki aligned. */
const PICK_RANGE = { first: 0x0008_0000, last: 0x6fff_0000, size: 0x1_0000 } as const;

/**
 * A host range for a private container's users, chosen from its name in the range nspawn picks from
 * (0x80000..0x6FFF0000, 65536 IDs): the same name always gets the same range. Unlike nspawn's `pick`, it is
 * not checked against the ranges other containers use; a target can set its own.
 *
 * @example
 * ```ts
 * pickUserRange('web'); // { hostId: 1234567890, size: 65536 } (a multiple of 65536, the same every time)
 * ```
 */
export function pickUserRange(name: string): OciIdRange {
  // FNV-1a over the name's UTF-8 bytes: a small, well-spread hash.
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x0100_0193) >>> 0;
  const slots = (PICK_RANGE.last - PICK_RANGE.first) / PICK_RANGE.size + 1;
  return { hostId: PICK_RANGE.first + (hash % slots) * PICK_RANGE.size, size: PICK_RANGE.size };
}

/** Where iproute2 keeps named network namespaces; `@volt/netns` `sandboxUp(NAME)` makes `NETNS_DIR/NAME`. */
const NETNS_DIR = '/run/netns';

/**
 * The network namespace a private container joins: the one `@volt/netns` `sandboxUp(name, network)`
 * (`volt net sandbox up NAME`) sets up with a veth on the bridge, the leased address and the port forwards.
 *
 * @example
 * ```ts
 * networkNamespacePath('web'); // '/run/netns/web'
 * ```
 */
export function networkNamespacePath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/**
 * The file systems systemd-nspawn gives every payload (its mount table, v252), as runtime-spec mounts:
 * /proc, a /dev tmpfs with pts, shm and mqueue, /sys read-only, the container's cgroup read-only, and
 * tmpfs on /tmp and /run. sysfs can only be mounted by the user namespace that owns the network
 * namespace: a container with private users in the host's network, or in one `@volt/netns` made (mode
 * private), gets the host's /sys bound read-only instead.
 */
function apiFileSystems(config: ValidIsolation): OciMount[] {
  const sysBound = config.privateUsers && config.network.mode !== 'none';
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    sysBound
      ? {
          destination: '/sys',
          type: 'bind',
          source: '/sys',
          options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
        }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755'] },
  ];
}

/** nspawn makes these unreadable (`PROC_INACCESSIBLE_REG`). */
const MASKED_PATHS = [
  '/proc/kallsyms',
  '/proc/kcore',
  '/proc/keys',
  '/proc/sysrq-trigger',
  '/proc/timer_list',
];
/**
 * nspawn makes these read-only (`PROC_READ_ONLY`, and /proc/sys). nspawn leaves /proc/sys/net writable
 * in a network namespace of the container's own; the runtime spec cannot make an exception, so it is
 * read-only here too.
 */
const READONLY_PATHS = [
  '/proc/acpi',
  '/proc/apm',
  '/proc/asound',
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/scsi',
  '/proc/sys',
];

const bindReadOnly = (source: string, destination: string, options: readonly string[]): OciMount => ({
  destination,
  type: 'bind',
  source,
  options: ['rbind', 'ro', 'nosuid', 'nodev', ...options],
});

function networkPart(
  config: ValidIsolation,
  target: OciTarget,
): { readonly namespaces: readonly OciNamespace[]; readonly enforcement: LayerEnforcement } {
  const { network } = config;
  if (network.mode === 'host') {
    return {
      namespaces: [],
      enforcement: {
        layer: 'network',
        status: 'enforced',
        detail: "mode host: the host's network stack is shared",
      },
    };
  }
  if (network.mode === 'none') {
    return {
      namespaces: [{ type: 'network' }],
      enforcement: {
        layer: 'network',
        status: 'enforced',
        detail: 'mode none: a network namespace of its own, loopback only',
      },
    };
  }
  const path = target.networkNamespace ?? networkNamespacePath(config.name);
  return {
    namespaces: [{ type: 'network', path }],
    enforcement: {
      layer: 'network',
      status: 'enforced',
      detail: `mode private on ${network.bridge}: joins ${path}, which must exist first (volt net sandbox up ${config.name}: a veth on the bridge, the leased address, the port forwards)`,
    },
  };
}

function usersPart(config: ValidIsolation, target: OciTarget) {
  if (!config.privateUsers) {
    return {
      namespaces: [],
      mappings: {},
      enforcement: {
        layer: 'users',
        status: 'not-enforced',
        detail: 'container root is host root (privateUsers: false)',
      } satisfies LayerEnforcement,
    };
  }
  const range = target.userRange ?? pickUserRange(config.name);
  const mapping = [{ containerID: 0, hostID: range.hostId, size: range.size }];
  return {
    namespaces: [{ type: 'user' } satisfies OciNamespace],
    mappings: { uidMappings: mapping, gidMappings: mapping },
    enforcement: {
      layer: 'users',
      status: 'enforced',
      detail: `private user namespace: container 0..${range.size - 1} is host ${range.hostId}..${range.hostId + range.size - 1}; files of the root owned by other host IDs appear as nobody (chown the root into the range to write to it), and the root's path must be searchable by them (Debian makes /var/lib/machines 0700)`,
    } satisfies LayerEnforcement,
  };
}

function resourcesEnforcement(omitted: ReturnType<typeof ociLinuxResources>['omitted']): LayerEnforcement {
  if (omitted.length === 0) {
    return { layer: 'resources', status: 'enforced', detail: 'every limit is in linux.resources' };
  }
  return {
    layer: 'resources',
    status: 'partially-enforced',
    detail: `linux.resources cannot say: ${omitted.map((entry) => `${entry.path.slice(1).join('.')} (${entry.reason})`).join('; ')}`,
  };
}

const ociProcess = (payload: ContainerProcess, args: readonly string[]): OciRuntimeConfig['process'] => ({
  terminal: false,
  user: payload.user,
  args,
  env: [`PATH=${payload.path}`, ...payload.env.map(([name, value]) => `${name}=${value}`)],
  cwd: payload.cwd,
  capabilities: {
    bounding: payload.capabilities,
    effective: payload.capabilities,
    permitted: payload.capabilities,
  },
  rlimits: payload.rlimits,
  noNewPrivileges: payload.noNewPrivileges,
});

/**
 * Renders a container's isolation as a runnable OCI bundle for crun, runc or any runtime-spec runtime:
 * the payload (the profile's command, under the Landlock helper bound read-only at /run/volt exactly as on
 * the nspawn route, with nspawn's capabilities and open-file limit, no new privileges), the root
 * (read-only as the profile says), nspawn's file systems and the profile's DNS as /etc/resolv.conf, the
 * hostname, the namespaces by network mode (none: a new empty one; host: the host's; private: the one
 * `@volt/netns` sets up), the user mapping of a private container, `linux.resources` from
 * `@volt/cgroups`, `linux.seccomp` from `@volt/seccomp`, nspawn's masked and read-only /proc paths; and
 * the report of what the OCI target enforces, with every limit it cannot say.
 *
 * Pure, like {@link renderPlan}: the caller probes the host for the {@link OciTarget}
 * (`hostOciTarget()`) and writes the files (`writeBundle()`).
 *
 * @throws {@link VoltError} UNSUPPORTED for a booting container (`boot: true`); INVALID_VALUE at
 * `landlockHelper` when a Landlock policy has no helper to bind; the renderers' codes for a Landlock
 * hard requirement the ABI cannot meet or limits the host facts cannot resolve.
 * @example
 * ```ts
 * const config = unwrap(parseIsolation({ name: 'web', boot: false, command: ['/bin/app'] }));
 * const bundle = renderOciBundle(config, { bundle: '/srv/web', landlockAbi: 7, landlockHelper, architectures: ['x86_64'] });
 * bundle.config.process.args; // ['/run/volt/volt-landlock', '--policy', '/run/volt/landlock.policy', '--', '/bin/app']
 * ```
 */
export function renderOciBundle(config: ValidIsolation, target: OciTarget): OciBundle {
  const payload = containerProcess(config, 'oci');
  const workload = landlockWorkload(config, payload.args, target.landlockAbi, {
    helperPath: HELPER_IN_CONTAINER,
    policyPath: POLICY_IN_CONTAINER,
  });
  const landlockDir = `${target.bundle}/volt`;
  const resolvConf = `${target.bundle}/resolv.conf`;
  const files: PlannedFile[] = [
    {
      path: resolvConf,
      mode: 0o644,
      content: { text: renderResolvConf(config.network) },
      purpose: 'DNS for the container, bound over /etc/resolv.conf',
    },
  ];
  const mounts = [...apiFileSystems(config), bindReadOnly(resolvConf, '/etc/resolv.conf', ['noexec'])];
  if (workload.policy !== undefined) {
    if (target.landlockHelper === undefined) {
      throw new VoltError(
        'INVALID_VALUE',
        "this bundle applies Landlock to its payload, so its target needs the Landlock helper's path; accepted: a target with landlockHelper (hostOciTarget() gives this host's)",
        { path: ['landlockHelper'] },
      );
    }
    files.push(
      {
        path: `${landlockDir}/volt-landlock`,
        mode: 0o755,
        content: { copyOf: target.landlockHelper },
        purpose: `Landlock helper, bound read-only at ${CONTAINER_VOLT_DIR}`,
      },
      {
        path: `${landlockDir}/landlock.policy`,
        mode: 0o644,
        content: { bytes: workload.policy },
        purpose: 'Landlock policy for the helper (container paths)',
      },
    );
    mounts.push(bindReadOnly(landlockDir, CONTAINER_VOLT_DIR, []));
  }
  const network = networkPart(config, target);
  const users = usersPart(config, target);
  const resources = ociLinuxResources(config.resources, target.host);
  const seccomp = renderOciSeccomp(config.seccomp, target.architectures);
  const runtimeConfig: OciRuntimeConfig = {
    ociVersion: OCI_VERSION,
    process: ociProcess(payload, workload.args),
    root: { path: config.rootfs, readonly: config.readOnlyRoot },
    hostname: config.name,
    mounts,
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'mount' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'cgroup' },
        ...network.namespaces,
        ...users.namespaces,
      ],
      ...users.mappings,
      ...(target.cgroupsPath === undefined ? {} : { cgroupsPath: target.cgroupsPath }),
      resources: resources.resources,
      seccomp,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
  return {
    config: runtimeConfig,
    files: [
      {
        path: `${target.bundle}/config.json`,
        mode: 0o644,
        content: { text: `${JSON.stringify(runtimeConfig, null, 2)}\n` },
        purpose: 'OCI runtime configuration',
      },
      ...files,
    ],
    enforcement: [
      workload.enforcement,
      seccompFilterEnforcement(config.seccomp, seccomp, 'linux.seccomp'),
      resourcesEnforcement(resources.omitted),
      network.enforcement,
      users.enforcement,
      rootEnforcement(config, 'root.readonly'),
    ],
  };
}
