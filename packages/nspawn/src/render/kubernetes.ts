import { cpuSharesToWeight, cpuWeightToShares } from '@volt/cgroups';
import {
  type CpuWeight,
  type ResourceLimits,
  resourceValue,
  type ValidIsolation,
  VoltError,
} from '@volt/core';
import { type OciSeccomp, renderOciSeccomp, type SeccompArch } from '@volt/seccomp';
import { CONTAINER_VOLT_DIR } from '../model/paths.js';
import { containerProcess } from '../model/process.js';
import { type LayerEnforcement, POLICY_IN_CONTAINER } from './plan.js';
import { landlockWorkload, rootEnforcement, seccompFilterEnforcement } from './workload.js';

/** The workload objects Volt renders. */
export const KUBERNETES_KINDS = ['pod', 'deployment'] as const;
/** One of {@link KUBERNETES_KINDS}. */
export type KubernetesKind = (typeof KUBERNETES_KINDS)[number];

/**
 * Where the Landlock helper is in the container image by default. The helper comes in an image layer
 * (`COPY volt-landlock /usr/local/lib/volt/volt-landlock`), the policy from a ConfigMap: the helper is the
 * same static binary for every profile (about 690 KB, two thirds of a ConfigMap's 1 MiB, and podman
 * writes ConfigMap files without the execute bit), while the policy changes with the profile.
 *
 * @example
 * ```ts
 * KUBERNETES_HELPER_PATH; // '/usr/local/lib/volt/volt-landlock'
 * ```
 */
export const KUBERNETES_HELPER_PATH = '/usr/local/lib/volt/volt-landlock';

/** The kubelet's directory of `Localhost` seccomp profiles (`--root-dir` /var/lib/kubelet). */
export const KUBELET_SECCOMP_DIR = '/var/lib/kubelet/seccomp';

/** What the manifests are rendered for. */
export interface KubernetesTarget {
  /** The lowest Landlock ABI among the nodes the pod may run on: the helper refuses a kernel below the policy's. */
  readonly landlockAbi: number;
  /** The container image: it runs the profile's command and holds the Landlock helper at `helperPath`. */
  readonly image: string;
  readonly kind: KubernetesKind;
  /** The architectures the seccomp profile lists (the nodes'). */
  readonly architectures: readonly SeccompArch[];
  /** The helper's path in the image; {@link KUBERNETES_HELPER_PATH} by default. */
  readonly helperPath?: string;
}

/** A Kubernetes object as Volt renders it: plain data, for YAML or JSON. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** The seccomp profile the pod names: the file to install on every node. */
export interface KubernetesSeccompProfile {
  /** `securityContext.seccompProfile.localhostProfile`, relative to the kubelet's seccomp directory. */
  readonly localhostProfile: string;
  /** Where the file goes on every node. */
  readonly nodePath: string;
  /** The profile (OCI `linux.seccomp`, which containerd, CRI-O and podman read as a Docker profile). */
  readonly profile: OciSeccomp;
}

/** The manifests, the seccomp profile they name, and what Kubernetes enforces of the profile. */
export interface KubernetesManifests {
  /** The Landlock policy's ConfigMap (with a policy), the Pod or Deployment, and, for mode none, a NetworkPolicy. */
  readonly objects: readonly KubernetesObject[];
  /** Absent when the profile loads no filter (`unconfined` without a deny list). */
  readonly seccompProfile?: KubernetesSeccompProfile;
  readonly enforcement: readonly LayerEnforcement[];
}

/** How Kubernetes carries one limit: a container resource, or not at all, and why. */
export type KubernetesResourceMapping =
  | { readonly kind: 'limits.memory' | 'limits.cpu' | 'requests.cpu' }
  | { readonly kind: 'none'; readonly reason: string };

const NO_BLOCK_IO = 'Kubernetes has no block IO controls for a container';

/**
 * How Kubernetes carries each limit of the resource set, by its profile key (every row of
 * `RESOURCE_LIMITS`, and `io.devices` for the per-device limits).
 *
 * @example
 * ```ts
 * KUBERNETES_RESOURCES['memory.max']; // { kind: 'limits.memory' }
 * KUBERNETES_RESOURCES['tasks.max'].kind; // 'none'
 * ```
 */
export const KUBERNETES_RESOURCES: Readonly<Record<string, KubernetesResourceMapping>> = {
  delegate: { kind: 'none', reason: 'the container runtime decides what a container may do with its cgroup' },
  'memory.min': {
    kind: 'none',
    reason: 'memory protection follows requests.memory only with the MemoryQoS feature gate (alpha)',
  },
  'memory.low': { kind: 'none', reason: 'Kubernetes has no memory.low for a container' },
  'memory.high': {
    kind: 'none',
    reason:
      'the kubelet sets memory.high itself, from the limit, only with the MemoryQoS feature gate (alpha)',
  },
  'memory.max': { kind: 'limits.memory' },
  'memory.swapMax': {
    kind: 'none',
    reason: "swap is the node's setting (memorySwap.swapBehavior), not a container's",
  },
  'memory.zswapMax': { kind: 'none', reason: 'Kubernetes has no zswap limit' },
  'cpu.weight': { kind: 'requests.cpu' },
  'cpu.startupWeight': { kind: 'none', reason: 'StartupCPUWeight exists only in systemd' },
  'cpu.quota': { kind: 'limits.cpu' },
  'cpu.quotaPeriod': {
    kind: 'none',
    reason:
      "the CFS period is the kubelet's cpuCFSQuotaPeriod (100ms by default), the same for every pod of a node",
  },
  'cpu.allowedCpus': {
    kind: 'none',
    reason:
      'CPUs are pinned only by the static CPU manager policy, for Guaranteed pods with whole CPUs, and the kubelet chooses which',
  },
  'cpu.allowedMemoryNodes': {
    kind: 'none',
    reason: "NUMA placement is the kubelet's memory manager's (static policy), not a container field",
  },
  'io.weight': { kind: 'none', reason: NO_BLOCK_IO },
  'io.devices': { kind: 'none', reason: NO_BLOCK_IO },
  'tasks.max': {
    kind: 'none',
    reason: "the pids limit is the kubelet's podPidsLimit, the same for every pod of a node",
  },
};

/** The kubelet's default CFS period in microseconds: a quota on that period is exactly a CPU limit. */
const KUBELET_CFS_PERIOD_US = 100_000;

/** A byte count as a Kubernetes quantity, in the largest binary unit that divides it. */
function byteQuantity(bytes: number): string {
  for (const [unit, size] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** The kubelet's `cpu.shares` for a CPU request (MilliCPUToShares: millicores × 1024 / 1000, at least 2). */
const kubeletShares = (millicores: number): number => Math.max(2, Math.floor((millicores * 1024) / 1000));

/**
 * The largest CPU request (millicores) whose `cpu.shares` the runtime turns into cpu.weight `weight` by
 * runc's curve: counted down from the request of the weight's largest share count, since the kubelet's
 * rounding can land one share beside it (every weight 1..10000 has such a request; tested).
 */
function weightToMillicores(weight: number): number {
  let millicores = Math.ceil((cpuWeightToShares(weight) * 1000) / 1024) + 1;
  while (millicores > 1 && cpuSharesToWeight(kubeletShares(millicores)) !== weight) millicores -= 1;
  return millicores;
}

interface KubernetesResources {
  readonly limits: Record<string, string>;
  readonly requests: Record<string, string>;
  readonly notes: readonly string[];
  readonly omitted: readonly string[];
}

/** The container's `resources` and the report's lines, driven by {@link KUBERNETES_RESOURCES}. */
function kubernetesResources(resources: ResourceLimits): KubernetesResources {
  const limits: Record<string, string> = {};
  const notes: string[] = [];
  const omitted: string[] = [];
  let cpuLimit: number | undefined;
  let cpuRequest: number | undefined;
  for (const [key, mapping] of Object.entries(KUBERNETES_RESOURCES)) {
    const value =
      key === 'io.devices'
        ? (resources.io?.devices?.length ?? 0) > 0 || undefined
        : resourceValue(resources, key);
    if (value === undefined || value === false) continue;
    if (key === 'cpu.quotaPeriod' && value === KUBELET_CFS_PERIOD_US) continue;
    if (mapping.kind === 'none') {
      omitted.push(`${key} (${mapping.reason})`);
    } else if (mapping.kind === 'limits.memory') {
      const memory = resources.memory?.max;
      if (memory?.kind === 'bytes') {
        limits['memory'] = byteQuantity(memory.bytes);
        notes.push(`limits.memory ${limits['memory']} (memory.max)`);
      } else if (memory?.kind === 'percent') {
        omitted.push("memory.max (a share of the node's memory has no Kubernetes spelling)");
      }
    } else if (mapping.kind === 'limits.cpu') {
      cpuLimit = Math.ceil((value as number) / 10);
      notes.push(`limits.cpu ${cpuLimit}m (the CPU quota; a quota below 1m is rounded up to 1m)`);
    } else {
      const weight = value as CpuWeight;
      if (weight === 'idle') {
        omitted.push('cpu.weight idle (SCHED_IDLE has no Kubernetes spelling)');
        continue;
      }
      cpuRequest = weightToMillicores(weight);
      notes.push(
        `requests.cpu ${cpuRequest}m (cpu.weight ${weight}: the kubelet writes cpu.shares = millicores × 1024 / 1000 = ${kubeletShares(cpuRequest)}, which the runtime turns back into cpu.weight ${weight} by runc's curve (runc 1.3.2 and later); older runtimes map shares linearly and give a lower weight; a request also reserves that much CPU on the node)`,
      );
    }
  }
  if (cpuLimit !== undefined) limits['cpu'] = `${cpuLimit}m`;
  if (cpuLimit !== undefined && cpuRequest !== undefined && cpuRequest > cpuLimit) {
    cpuRequest = cpuLimit;
    notes.push(
      `requests.cpu lowered to the limit ${cpuLimit}m: Kubernetes refuses a request above the limit`,
    );
  }
  return { limits, requests: cpuRequest === undefined ? {} : { cpu: `${cpuRequest}m` }, notes, omitted };
}

/** Names Kubernetes accepts for a pod's hostname and a container: a DNS-1123 label. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Renders a container's isolation as Kubernetes manifests: a Pod (or a Deployment of one replica) whose
 * container carries what Kubernetes can express — the command under the Landlock helper (in the image at
 * `helperPath`, its policy from a ConfigMap mounted at /run/volt), `securityContext` (a `Localhost`
 * seccomp profile with the node path stated, nspawn's capabilities after dropping all, the read-only root,
 * root as user and group, no privilege escalation), `hostUsers: false` for private users, `hostNetwork`
 * for host mode, the profile's DNS (`dnsPolicy: None`), `resources` (limits.memory from memory.max,
 * limits.cpu from the quota, requests.cpu from the weight, the conversion stated in the report), host
 * ports for the forwards, tmpfs on /tmp and /run as `emptyDir` with medium Memory (as nspawn mounts them);
 * and the report of what the target enforces, with every limit Kubernetes cannot say.
 *
 * The seccomp profile is also named in the pod annotation `container.seccomp.security.alpha.kubernetes.io/`
 * NAME, which podman's `kube play` reads (it ignores the field; the kubelet ignores the annotation since
 * Kubernetes 1.27, and the API server requires the two to agree).
 *
 * @throws {@link VoltError} UNSUPPORTED for a booting container (`boot: true`); INVALID_VALUE at `name`
 * for a name that is not a DNS label (lower case letters, digits and `-`, at most 63).
 * @example
 * ```ts
 * const manifests = renderKubernetes(config, { landlockAbi: 6, image: 'registry.example/web:1', kind: 'pod', architectures: ['x86_64'] });
 * manifests.objects.map((object) => object.kind); // ['ConfigMap', 'Pod']
 * manifests.seccompProfile?.nodePath; // '/var/lib/kubelet/seccomp/volt-web.json'
 * ```
 */
export function renderKubernetes(config: ValidIsolation, target: KubernetesTarget): KubernetesManifests {
  const { name, network } = config;
  if (!DNS_LABEL.test(name)) {
    throw new VoltError(
      'INVALID_VALUE',
      `${JSON.stringify(name)} cannot name a pod and its container; accepted: a DNS label (lower case letters, digits and -, at most 63, starting and ending with a letter or digit)`,
      { path: ['name'] },
    );
  }
  const payload = containerProcess(config, 'kubernetes');
  const helperPath = target.helperPath ?? KUBERNETES_HELPER_PATH;
  const workload = landlockWorkload(config, payload.args, target.landlockAbi, {
    helperPath,
    policyPath: POLICY_IN_CONTAINER,
  });
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'volt' };
  const objects: KubernetesObject[] = [];
  const volumes: Record<string, unknown>[] = [
    { name: 'tmp', emptyDir: { medium: 'Memory' } },
    { name: 'run', emptyDir: { medium: 'Memory' } },
  ];
  const volumeMounts: Record<string, unknown>[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'run', mountPath: '/run' },
  ];
  if (workload.policy !== undefined) {
    const configMap = `${name}-landlock`;
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: configMap, labels },
      binaryData: { 'landlock.policy': Buffer.from(workload.policy).toString('base64') },
    });
    volumes.push({ name: 'volt-landlock', configMap: { name: configMap, defaultMode: 0o444 } });
    volumeMounts.push({ name: 'volt-landlock', mountPath: CONTAINER_VOLT_DIR, readOnly: true });
  }

  const filter = renderOciSeccomp(config.seccomp, target.architectures);
  const seccompEnforcement = seccompFilterEnforcement(config.seccomp, filter, 'Localhost profile');
  // One file name, not a path under the seccomp directory: podman's kube play keeps only the first component.
  const localhostProfile = `volt-${name}.json`;
  const seccompProfile =
    seccompEnforcement.status === 'not-enforced'
      ? undefined
      : { localhostProfile, nodePath: `${KUBELET_SECCOMP_DIR}/${localhostProfile}`, profile: filter };

  const resources = kubernetesResources(config.resources);
  const hostUsers = config.privateUsers && network.mode !== 'host' ? false : undefined;
  const container = {
    name,
    image: target.image,
    command: workload.args,
    workingDir: payload.cwd,
    env: payload.env.map(([variable, value]) => ({ name: variable, value })),
    ...(network.mode === 'private' && network.ports.length > 0
      ? {
          ports: network.ports.map((port) => ({
            containerPort: port.containerPort,
            hostPort: port.hostPort,
            protocol: port.protocol.toUpperCase(),
          })),
        }
      : {}),
    securityContext: {
      runAsUser: payload.user.uid,
      runAsGroup: payload.user.gid,
      allowPrivilegeEscalation: !payload.noNewPrivileges,
      readOnlyRootFilesystem: config.readOnlyRoot,
      capabilities: {
        drop: ['ALL'],
        add: payload.capabilities.map((capability) => capability.replace(/^CAP_/, '')),
      },
      seccompProfile:
        seccompProfile === undefined ? { type: 'Unconfined' } : { type: 'Localhost', localhostProfile },
    },
    ...(Object.keys(resources.limits).length + Object.keys(resources.requests).length > 0
      ? {
          resources: {
            ...(Object.keys(resources.limits).length > 0 ? { limits: resources.limits } : {}),
            ...(Object.keys(resources.requests).length > 0 ? { requests: resources.requests } : {}),
          },
        }
      : {}),
    volumeMounts,
  };
  const podSpec = {
    hostname: name,
    ...(hostUsers === undefined ? {} : { hostUsers }),
    ...(network.mode === 'host' ? { hostNetwork: true } : {}),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: target.kind === 'pod' ? 'Never' : 'Always',
    dnsPolicy: 'None',
    dnsConfig: {
      nameservers: network.dns,
      ...(network.searchDomains.length > 0 ? { searches: network.searchDomains } : {}),
    },
    containers: [container],
    volumes,
  };
  const annotations = {
    [`container.seccomp.security.alpha.kubernetes.io/${name}`]:
      seccompProfile === undefined ? 'unconfined' : `localhost/${localhostProfile}`,
  };
  objects.push(
    target.kind === 'pod'
      ? { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, annotations }, spec: podSpec }
      : {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: { 'app.kubernetes.io/name': name } },
            template: { metadata: { labels, annotations }, spec: podSpec },
          },
        },
  );
  if (network.mode === 'none') {
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${name}-no-network`, labels },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
        policyTypes: ['Ingress', 'Egress'],
      },
    });
  }

  const landlock: LayerEnforcement =
    workload.policy === undefined
      ? workload.enforcement
      : {
          ...workload.enforcement,
          detail: `${workload.enforcement.detail}; the image must hold the helper at ${helperPath}, its policy comes from the ConfigMap ${name}-landlock, and every node needs Landlock ABI ${target.landlockAbi} or later (the helper refuses an older kernel)`,
        };
  return {
    objects,
    ...(seccompProfile === undefined ? {} : { seccompProfile }),
    enforcement: [
      landlock,
      seccompProfile === undefined
        ? seccompEnforcement
        : {
            ...seccompEnforcement,
            detail: `${seccompEnforcement.detail}; the file must be on every node at ${seccompProfile.nodePath}`,
          },
      kubernetesResourceEnforcement(resources),
      networkEnforcement(config),
      usersEnforcement(config),
      rootEnforcement(config, 'readOnlyRootFilesystem'),
    ],
  };
}

function kubernetesResourceEnforcement(resources: KubernetesResources): LayerEnforcement {
  const carried = resources.notes.length > 0 ? resources.notes.join('; ') : 'no limit';
  if (resources.omitted.length === 0) return { layer: 'resources', status: 'enforced', detail: carried };
  return {
    layer: 'resources',
    status: resources.notes.length > 0 ? 'partially-enforced' : 'not-enforced',
    detail: `${carried}; Kubernetes cannot say: ${resources.omitted.join('; ')}`,
  };
}

function networkEnforcement(config: ValidIsolation): LayerEnforcement {
  const { network } = config;
  const dns = `the profile's DNS (${network.dns.join(', ')}) replaces the cluster's (dnsPolicy: None)`;
  if (network.mode === 'host') {
    return { layer: 'network', status: 'enforced', detail: `mode host: hostNetwork; ${dns}` };
  }
  if (network.mode === 'none') {
    return {
      layer: 'network',
      status: 'partially-enforced',
      detail: `mode none: every pod gets the cluster's network; the NetworkPolicy ${config.name}-no-network denies all ingress and egress, where the network plugin enforces NetworkPolicy`,
    };
  }
  return {
    layer: 'network',
    status: 'partially-enforced',
    detail: `mode private: the pod's own network namespace from the cluster's network plugin, not ${network.bridge} and its subnet; port forwards are hostPort entries; ${dns}`,
  };
}

function usersEnforcement(config: ValidIsolation): LayerEnforcement {
  if (!config.privateUsers) {
    return {
      layer: 'users',
      status: 'not-enforced',
      detail: 'container root is host root (privateUsers: false)',
    };
  }
  if (config.network.mode === 'host') {
    return {
      layer: 'users',
      status: 'not-enforced',
      detail: 'Kubernetes refuses hostUsers: false with hostNetwork, so container root is host root',
    };
  }
  return {
    layer: 'users',
    status: 'enforced',
    detail:
      'hostUsers: false: a user namespace whose range the kubelet picks (needs the UserNamespacesSupport feature and a runtime and file system that support it)',
  };
}

/**
 * The manifests as one YAML stream (`---` between objects), for `kubectl apply -f` or `podman kube
 * play`, after a comment that says where the seccomp profile goes and what the image must hold.
 *
 * @example
 * ```ts
 * process.stdout.write(await formatKubernetesManifests(renderKubernetes(config, target)));
 * ```
 */
export async function formatKubernetesManifests(manifests: KubernetesManifests): Promise<string> {
  // Loaded here: only this output needs a YAML writer.
  const { stringify } = await import('yaml');
  const header = [
    '# Generated by Volt isolation.',
    ...(manifests.seccompProfile === undefined
      ? []
      : [`# Install the seccomp profile on every node at ${manifests.seccompProfile.nodePath}`]),
    ...manifests.enforcement
      .filter((entry) => entry.layer === 'landlock' && entry.status !== 'not-enforced')
      .map((entry) => `# Landlock: ${entry.detail}`),
  ];
  const documents = manifests.objects.map((object) => stringify(object, { lineWidth: 0 }));
  return `${header.join('\n')}\n${documents.map((document) => `---\n${document}`).join('')}`;
}
