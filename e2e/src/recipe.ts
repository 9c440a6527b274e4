import { createHash } from 'node:crypto';

/** Everything that decides what the cached VM base image contains. Change it and the cache key changes. */
export interface ImageRecipe {
  /** Bumped when the build code changes in a way the other fields do not show. */
  readonly format: number;
  readonly suite: string;
  readonly variant: string;
  readonly include: readonly string[];
  /** Debian's metapackage that names the current kernel image package. */
  readonly kernelMetapackage: string;
  /** Regular expressions over module paths (relative to /lib/modules/VERSION) to keep, with dependencies. */
  readonly modules: readonly string[];
  /** Units masked in the image. */
  readonly maskedUnits: readonly string[];
  /** Paths (relative to the image root) emptied to keep the image small. */
  readonly trimmedPaths: readonly string[];
  /** busybox applets linked into the container rootfs at /var/lib/vtv/busybox. */
  readonly containerApplets: readonly string[];
  readonly kernelCommandLine: readonly string[];
}

/**
 * The recipe of the VM image: Debian bookworm minbase with systemd as PID 1, cgroup v2 with every
 * controller, nspawn, nftables, iproute2 and the netfilter/bridge/veth modules of Debian's kernel.
 *
 * @example
 * ```ts
 * VM_IMAGE_RECIPE.suite; // 'bookworm'
 * ```
 */
export const VM_IMAGE_RECIPE: ImageRecipe = {
  format: 2,
  suite: 'bookworm',
  variant: 'minbase',
  include: [
    'systemd',
    'systemd-sysv',
    'systemd-container',
    'dbus',
    'busybox-static',
    'kmod',
    'iproute2',
    'nftables',
    'crun',
    'runc',
    'podman', // kube play: runs the Kubernetes manifests @volt/nspawn renders
    'catatonit', // podman's pause process for a pod's infra container
    'containernetworking-plugins', // podman's container-network-stack (debootstrap installs no virtual package)
  ],
  kernelMetapackage: 'linux-image-amd64',
  modules: [
    '^kernel/net/(netfilter|ipv4/netfilter|ipv6/netfilter|bridge|802|llc|sched)/',
    '^kernel/drivers/net/(veth|dummy|macvlan|tun)\\.ko$',
    '^kernel/drivers/net/ipvlan/',
    '^kernel/fs/overlayfs/',
    // libcrc32c (nf_tables) softdepends on the crc32c algorithm, an alias depmod cannot resolve for us
    '^kernel/crypto/crc32c_generic\\.ko$',
    '^kernel/arch/x86/crypto/crc32c-intel\\.ko$',
  ],
  maskedUnits: [
    'serial-getty@ttyS0.service',
    'getty.target',
    'apt-daily.timer',
    'apt-daily-upgrade.timer',
    'dpkg-db-backup.timer',
    'e2scrub_all.timer',
    'e2scrub_reap.service',
    'fstrim.timer',
    'systemd-pstore.service',
  ],
  trimmedPaths: [
    'usr/share/doc',
    'usr/share/man',
    'usr/share/locale',
    'usr/share/info',
    'var/cache/apt',
    'var/lib/apt/lists',
  ],
  containerApplets: [
    'sh',
    'cat',
    'dd',
    'echo',
    'grep',
    'head',
    'id',
    'ip',
    'ls',
    'mkdir',
    'mount',
    'swapoff',
    'ping',
    'httpd',
    'rm',
    'seq',
    'sleep',
    'test',
    'touch',
    'true',
    'false',
    'wc',
  ],
  kernelCommandLine: [
    'console=ttyS0',
    'rdinit=/lib/systemd/systemd',
    'systemd.unified_cgroup_hierarchy=1',
    'panic=-1',
    'quiet',
  ],
};

/** What, besides the recipe, goes into the cache key. */
export interface CacheKeyInputs {
  readonly recipe: ImageRecipe;
  /** The kernel image package and version, e.g. `linux-image-6.1.0-56-amd64=6.1.192-2`. */
  readonly kernelPackage: string;
  /** Files copied into the image (relative path → contents). */
  readonly overlayFiles: ReadonlyMap<string, string>;
}

/**
 * A short hex key that changes whenever anything that shapes the base image changes.
 *
 * @example
 * ```ts
 * imageCacheKey({ recipe: VM_IMAGE_RECIPE, kernelPackage: 'linux-image-6.1.0-56-amd64=6.1.192-2', overlayFiles: new Map() });
 * // e.g. '3f9c0d1e2a7b4c55'
 * ```
 */
export function imageCacheKey(inputs: CacheKeyInputs): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(inputs.recipe));
  hash.update('\0');
  hash.update(inputs.kernelPackage);
  for (const [path, contents] of [...inputs.overlayFiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`\0${path}\0${contents}`);
  }
  return hash.digest('hex').slice(0, 16);
}
