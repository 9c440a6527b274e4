import {
  type NetworkConfig,
  nspawnBindSpec,
  type PortForward,
  parseAbsolutePath,
  parseMachineName,
  type Valid,
} from '@volt/core';
import {
  NSPAWN_NETWORK_ARGUMENTS,
  NSPAWN_NETWORK_MODES,
  type NspawnNetworkKey,
  nspawnHostInterface,
  type SettingsEntry,
} from '../model/nspawn-settings.js';

/** The network part of an nspawn plan, for both routes. */
export interface NspawnNetwork {
  /** Arguments for a container started with systemd-nspawn directly. */
  readonly arguments: readonly string[];
  /** `[Network]` entries of the `.nspawn` file, correct under the stock `systemd-nspawn@.service`. */
  readonly networkSection: readonly SettingsEntry[];
  /** The host side of the container's veth as nspawn names it; null without a veth or for long names. */
  readonly hostInterface: string | null;
}

/** The DNS part of an nspawn plan: how the rendered resolv.conf reaches the container, on both routes. */
export interface NspawnDns {
  readonly arguments: readonly string[];
  /** `[Exec]` entries of the `.nspawn` file. */
  readonly execSection: readonly SettingsEntry[];
  /** `[Files]` entries of the `.nspawn` file. */
  readonly filesSection: readonly SettingsEntry[];
}

/** A forward as nspawn's `Port=` and `--port=` take it; also the profile's string spelling of a forward. */
function portText(forward: PortForward): string {
  return `${forward.protocol}:${forward.hostPort}:${forward.containerPort}`;
}

/**
 * The `[Network]` entries of a `.nspawn` file for a network configuration, by
 * {@link NSPAWN_NETWORK_MODES}: `Private=` and `VirtualEthernet=` for every mode, then `Bridge=` and one
 * `Port=` per forward in private mode. They do not depend on the container's name.
 *
 * @example
 * ```ts
 * nspawnNetworkSection(unwrap(parseNetworkConfig({ mode: 'none' }))); // [['Private', 'yes'], ['VirtualEthernet', 'no']]
 * ```
 */
export function nspawnNetworkSection(network: Valid<NetworkConfig>): readonly SettingsEntry[] {
  const mode = NSPAWN_NETWORK_MODES[network.mode];
  const entries: [NspawnNetworkKey, string][] = [
    ['Private', mode.Private],
    ['VirtualEthernet', mode.VirtualEthernet],
  ];
  if (mode.bridged) {
    entries.push(['Bridge', network.bridge]);
    for (const forward of network.ports) entries.push(['Port', portText(forward)]);
  }
  return entries;
}

/**
 * Renders a network configuration for systemd-nspawn, the same isolation on both routes: the `[Network]`
 * entries ({@link nspawnNetworkSection}) and the command-line arguments that say the same
 * ({@link NSPAWN_NETWORK_ARGUMENTS}):
 *
 * | mode    | command line                                                              | `[Network]`                                                  |
 * |---------|---------------------------------------------------------------------------|--------------------------------------------------------------|
 * | private | `--private-network --network-veth --network-bridge=BR --port=P:H:C`…      | `Private=yes` `VirtualEthernet=yes` `Bridge=BR` `Port=P:H:C`… |
 * | none    | `--private-network`                                                       | `Private=yes` `VirtualEthernet=no`                           |
 * | host    | (nothing: nspawn shares the host network)                                 | `Private=no` `VirtualEthernet=no`                            |
 *
 * The configuration was validated; `machineName`, which only names the host side of the veth, is checked
 * here.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`).
 * @example
 * ```ts
 * renderNspawnNetwork(unwrap(parseNetworkConfig({ ports: ['8080:80'] })), 'web');
 * // { arguments: ['--private-network', '--network-veth', '--network-bridge=voltbr0', '--port=tcp:8080:80'],
 * //   networkSection: [['Private','yes'], ['VirtualEthernet','yes'], ['Bridge','voltbr0'], ['Port','tcp:8080:80']],
 * //   hostInterface: 'vb-web' }
 * ```
 */
export function renderNspawnNetwork(network: Valid<NetworkConfig>, machineName: string): NspawnNetwork {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  const networkSection = nspawnNetworkSection(network);
  const args: string[] = [];
  for (const [key, value] of networkSection) {
    const argument = NSPAWN_NETWORK_ARGUMENTS[key as NspawnNetworkKey];
    if (argument.form === 'value') args.push(`--${argument.option}=${value}`);
    else if (value === 'yes') args.push(`--${argument.option}`);
  }
  return {
    arguments: args,
    networkSection,
    hostInterface: NSPAWN_NETWORK_MODES[network.mode].bridged ? nspawnHostInterface(name.value) : null,
  };
}

/**
 * Renders how a resolv.conf written on the host at `hostPath` reaches the container: bound read-only over
 * `/etc/resolv.conf`, with nspawn's own resolv.conf handling off so it does not copy the host's over it.
 *
 * @throws {@link VoltError} `INVALID_PATH` (path `resolvConf`) when `hostPath` is not a safe absolute path
 *   (a `:` would split the bind).
 * @example
 * ```ts
 * renderNspawnDns('/run/volt/web/resolv.conf');
 * // { arguments: ['--resolv-conf=off', '--bind-ro=/run/volt/web/resolv.conf:/etc/resolv.conf'],
 * //   execSection: [['ResolvConf', 'off']],
 * //   filesSection: [['BindReadOnly', '/run/volt/web/resolv.conf:/etc/resolv.conf']] }
 * ```
 */
export function renderNspawnDns(hostPath: string): NspawnDns {
  const path = parseAbsolutePath(hostPath);
  if (!path.ok) throw path.error.at(['resolvConf']);
  const bind = nspawnBindSpec({ source: path.value, target: '/etc/resolv.conf' });
  return {
    arguments: ['--resolv-conf=off', `--bind-ro=${bind}`],
    execSection: [['ResolvConf', 'off']],
    filesSection: [['BindReadOnly', bind]],
  };
}
