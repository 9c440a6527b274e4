import { joinUnderRoot } from '@volt/core';

/** Where Volt keeps per-container state on the host. */
export const VOLT_STATE_DIR = '/var/lib/volt';
/** Where trusted `.nspawn` files live. */
export const NSPAWN_SETTINGS_DIR = '/etc/systemd/nspawn';
/** Where unit drop-ins live. */
export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';
/** The directory bound read-only into every container for Volt's own files (helper, policy). */
export const CONTAINER_VOLT_DIR = '/run/volt';

/** The host paths of everything Volt installs for one container. */
export interface ContainerPaths {
  /** `/etc/systemd/nspawn/NAME.nspawn`. */
  readonly settingsFile: string;
  /** `/etc/systemd/system/systemd-nspawn@NAME.service.d/50-volt.conf`. */
  readonly serviceDropIn: string;
  /** `/var/lib/volt/containers/NAME`: the container's own state. */
  readonly stateDir: string;
  /** The container's resolv.conf, bound over `/etc/resolv.conf`. */
  readonly resolvConf: string;
  /** The directory bound read-only at {@link CONTAINER_VOLT_DIR}: the Landlock helper and policy. */
  readonly runtimeDir: string;
  /** The Landlock policy as requested, in landlockconfig JSON. */
  readonly landlockPolicy: string;
  /** A private container's systemd-networkd file for host0 (its leased address), bound into it. */
  readonly containerNetworkFile: string;
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
  return {
    settingsFile: `${NSPAWN_SETTINGS_DIR}/${name}.nspawn`,
    serviceDropIn: `${SYSTEMD_UNIT_DIR}/systemd-nspawn@${name}.service.d/50-volt.conf`,
    stateDir,
    resolvConf: `${stateDir}/resolv.conf`,
    runtimeDir: `${stateDir}/runtime`,
    landlockPolicy: `${stateDir}/landlock.json`,
    containerNetworkFile: `${stateDir}/host0.network`,
  };
}

/**
 * A path inside the container rootfs, as seen from the host.
 *
 * @example
 * ```ts
 * hostPathInRootfs('/var/lib/machines/web', '/etc/systemd/system'); // '/var/lib/machines/web/etc/systemd/system'
 * ```
 */
export function hostPathInRootfs(rootfs: string, containerPath: string): string {
  return joinUnderRoot(rootfs, containerPath);
}
