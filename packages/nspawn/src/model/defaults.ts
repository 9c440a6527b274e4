import { DEFAULT_RESOURCE_LIMITS } from '@volt/cgroups';
import { type IsolationConfig, type SeccompConfig, unwrap } from '@volt/core';
import { landlockPreset } from '@volt/landlock';
import { DEFAULT_NETWORK_CONFIG } from '@volt/netns';
import { validateSeccompConfig } from '@volt/seccomp';

/** The machines directory machinectl uses; a container's rootfs defaults to `DIR/NAME`. */
export const MACHINES_DIR = '/var/lib/machines';

/**
 * The default seccomp configuration: nspawn's own filter, denied calls get EPERM. A validated (frozen)
 * value, shared by every container that keeps it.
 */
export const DEFAULT_SECCOMP: SeccompConfig = unwrap(
  validateSeccompConfig({ profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }),
);

/**
 * The default isolation, security first: the server Landlock preset, the default seccomp profile, the
 * default limits (2G / 1G / CPU weight 100 / no pinning / IO weight 100 / 4096 tasks), a private network on
 * `voltbr0`, private users on, a writable root. The container boots its init (Boot=yes).
 *
 * @example
 * ```ts
 * defaultIsolation('web').rootfs; // '/var/lib/machines/web'
 * ```
 */
export function defaultIsolation(name: string, rootfs: string = `${MACHINES_DIR}/${name}`): IsolationConfig {
  return {
    name,
    rootfs,
    boot: true,
    command: [],
    environment: [],
    landlock: landlockPreset('server'),
    seccomp: DEFAULT_SECCOMP,
    resources: DEFAULT_RESOURCE_LIMITS,
    network: DEFAULT_NETWORK_CONFIG,
    privateUsers: true,
    readOnlyRoot: false,
  };
}
