/** Where Volt keeps per-container state on the host. */
export const VOLT_STATE_DIR = '/var/lib/volt';
/** Where trusted `.nspawn` files live. */
export const NSPAWN_SETTINGS_DIR = '/etc/systemd/nspawn';
/** Where unit drop-ins live. */
export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';
/** The directory bound read-only into every container for Volt's own files (helper, policy). */
export const CONTAINER_VOLT_DIR = '/run/volt';
/**
 * The file name of Volt's drop-in for a booting container's workload unit. systemd applies a unit's
 * drop-ins in file-name order across all its unit directories, a later name winning and the same name in
 * a directory of higher priority (`/etc` over `/run`) replacing it: this name sorts after the names images
 * use, and an image drop-in that sorts at or after it is refused (see `overridingDropIns`).
 */
export const WORKLOAD_DROP_IN_NAME = 'zz-volt-landlock.conf';
/**
 * The runtime unit directory inside a container. systemd-nspawn mounts a fresh tmpfs on `/run` before it
 * binds anything in, so a bind target here never goes through the image's own files.
 *
 * @example
 * ```ts
 * `${CONTAINER_RUNTIME_UNIT_DIR}/app.service.d`; // where Volt's workload drop-in is bound
 * ```
 */
export const CONTAINER_RUNTIME_UNIT_DIR = '/run/systemd/system';

/** The host paths of everything Volt installs for one container. */
export interface ContainerPaths {
  /** `/etc/systemd/nspawn/NAME.nspawn`. */
  readonly settingsFile: string;
  /** `/etc/systemd/system/systemd-nspawn@NAME.service.d`: the directory of the service drop-in. */
  readonly serviceDropInDir: string;
  /** `/etc/systemd/system/systemd-nspawn@NAME.service.d/50-volt.conf`. */
  readonly serviceDropIn: string;
  /** `/var/lib/volt/containers/NAME`: the container's own state. */
  readonly stateDir: string;
  /** The container's resolv.conf, bound over `/etc/resolv.conf`. */
  readonly resolvConf: string;
  /** The directory bound read-only at {@link CONTAINER_VOLT_DIR}: the Landlock helper and policy. */
  readonly runtimeDir: string;
  /** The Landlock helper binary, in {@link ContainerPaths.runtimeDir}. */
  readonly helper: string;
  /** The helper's binary policy (container paths), in {@link ContainerPaths.runtimeDir}. */
  readonly helperPolicy: string;
  /** A read-only Boot=no root's resolv.conf, which the helper binds, in {@link ContainerPaths.runtimeDir}. */
  readonly runtimeResolvConf: string;
  /** The Landlock policy as requested, in landlockconfig JSON. */
  readonly landlockPolicy: string;
  /** A private container's systemd-networkd file for host0 (its leased address), bound into it. */
  readonly containerNetworkFile: string;
  /** A booting container's drop-in for its workload unit, bound into the container's `/run`. */
  readonly workloadDropIn: string;
  /** The list of files the last apply installed. */
  readonly manifest: string;
  /** The journal of an install in progress. */
  readonly journal: string;
}

/**
 * The host paths for a container. Paths are absolute on the target system; `volt apply --root DIR`
 * prefixes them with DIR when it installs.
 *
 * @example
 * ```ts
 * containerPaths('web').settingsFile; // '/etc/systemd/nspawn/web.nspawn'
 * ```
 */
export function containerPaths(name: string): ContainerPaths {
  const stateDir = `${VOLT_STATE_DIR}/containers/${name}`;
  const runtimeDir = `${stateDir}/runtime`;
  const serviceDropInDir = `${SYSTEMD_UNIT_DIR}/systemd-nspawn@${name}.service.d`;
  return {
    settingsFile: `${NSPAWN_SETTINGS_DIR}/${name}.nspawn`,
    serviceDropInDir,
    serviceDropIn: `${serviceDropInDir}/50-volt.conf`,
    stateDir,
    resolvConf: `${stateDir}/resolv.conf`,
    runtimeDir,
    helper: `${runtimeDir}/volt-landlock`,
    helperPolicy: `${runtimeDir}/landlock.policy`,
    runtimeResolvConf: `${runtimeDir}/resolv.conf`,
    landlockPolicy: `${stateDir}/landlock.json`,
    containerNetworkFile: `${stateDir}/host0.network`,
    workloadDropIn: `${stateDir}/${WORKLOAD_DROP_IN_NAME}`,
    manifest: `${stateDir}/manifest.json`,
    journal: `${stateDir}/install-journal.json`,
  };
}

/**
 * Every file a plan for this container can install: what a manifest or an install journal may name. A
 * path outside this list in either is refused, so neither file can make Volt touch anything else.
 *
 * @example
 * ```ts
 * installableFiles(containerPaths('web')).includes('/etc/systemd/nspawn/web.nspawn'); // true
 * ```
 */
export function installableFiles(paths: ContainerPaths): readonly string[] {
  return [
    paths.settingsFile,
    paths.serviceDropIn,
    paths.resolvConf,
    paths.helper,
    paths.helperPolicy,
    paths.runtimeResolvConf,
    paths.landlockPolicy,
    paths.containerNetworkFile,
    paths.workloadDropIn,
  ];
}

/**
 * The directories that are Volt's alone for this container, deepest first: created with mode 0755 whatever
 * the umask, set to 0755 again on every install (a directory others could write would let them swap the
 * files a container runs), and removed when empty after `volt remove`.
 *
 * @example
 * ```ts
 * ownedDirectories(containerPaths('web'))[0]; // '/var/lib/volt/containers/web/runtime'
 * ```
 */
export function ownedDirectories(paths: ContainerPaths): readonly string[] {
  return [paths.runtimeDir, paths.stateDir, paths.serviceDropInDir];
}

/**
 * Where a booting container's systemd finds Volt's drop-in for the workload unit: bound read-only from
 * {@link ContainerPaths.workloadDropIn} by systemd-nspawn.
 *
 * @example
 * ```ts
 * workloadDropInTarget('app.service'); // '/run/systemd/system/app.service.d/zz-volt-landlock.conf'
 * ```
 */
export function workloadDropInTarget(unit: string): string {
  return `${CONTAINER_RUNTIME_UNIT_DIR}/${unit}.d/${WORKLOAD_DROP_IN_NAME}`;
}
