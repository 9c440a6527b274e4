import {
  type NetworkConfig,
  type PortForward,
  parseAbsolutePath,
  parseMachineName,
  unwrap,
} from '@volt/core';
import { validateNetworkConfig } from './model.js';

/** One `key=value` line of a `.nspawn` section, in order. */
export type SettingsEntry = readonly [key: string, value: string];

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

const IFNAMSIZ_MAX = 15;

/**
 * The host-side interface name nspawn gives a private container's veth: `vb-NAME` with a bridge
 * (`--network-bridge`, `Bridge=`), or null when that is over the kernel's 15 bytes: nspawn then shortens
 * the name itself (by naming scheme: a cut or a hash), which Volt does not predict.
 *
 * @example
 * ```ts
 * nspawnHostInterface('web-1'); // 'vb-web-1'
 * nspawnHostInterface('a-very-long-machine'); // null
 * ```
 */
export function nspawnHostInterface(machineName: string): string | null {
  const name = `vb-${machineName}`;
  return Buffer.byteLength(name) <= IFNAMSIZ_MAX ? name : null;
}

/**
 * Renders a network configuration for systemd-nspawn, the same isolation on both routes:
 *
 * | mode    | command line                              | `[Network]` (wins under `--settings=override`)          |
 * |---------|-------------------------------------------|---------------------------------------------------------|
 * | private | `--network-bridge=BR`, `--port=P:H:C`…    | `Private=yes`, `VirtualEthernet=yes`, `Bridge=BR`, `Port=`… |
 * | none    | `--private-network`                       | `Private=yes`, `VirtualEthernet=no`                     |
 * | host    | (nothing: nspawn shares the host network) | `Private=no`, `VirtualEthernet=no`                      |
 *
 * The stock `systemd-nspawn@.service` passes `--network-veth`; once the `.nspawn` file sets any network
 * key, nspawn takes all network settings from the file, so every mode states `Private=` and
 * `VirtualEthernet=` explicitly (an empty section would leave the unit's veth in place).
 *
 * @throws {@link VoltError} any code from {@link validateNetworkConfig} (path under `network`), or
 *   `INVALID_MACHINE_NAME` (path `name`).
 * @example
 * ```ts
 * renderNspawnNetwork({ ...DEFAULT_NETWORK_CONFIG, ports: [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }] }, 'web');
 * // { arguments: ['--network-bridge=voltbr0', '--port=tcp:8080:80'],
 * //   networkSection: [['Private','yes'], ['VirtualEthernet','yes'], ['Bridge','voltbr0'], ['Port','tcp:8080:80']],
 * //   hostInterface: 'vb-web' }
 * ```
 */
export function renderNspawnNetwork(network: NetworkConfig, machineName: string): NspawnNetwork {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  const valid = unwrap(validateNetworkConfig(network));
  switch (valid.mode) {
    case 'private':
      return {
        arguments: [
          `--network-bridge=${valid.bridge}`,
          ...valid.ports.map((forward) => `--port=${portText(forward)}`),
        ],
        networkSection: nspawnNetworkSection(valid),
        hostInterface: nspawnHostInterface(name.value),
      };
    case 'none':
      return {
        arguments: ['--private-network'],
        networkSection: nspawnNetworkSection(valid),
        hostInterface: null,
      };
    case 'host':
      return { arguments: [], networkSection: nspawnNetworkSection(valid), hostInterface: null };
  }
}

function portText(forward: PortForward): string {
  return `${forward.protocol}:${forward.hostPort}:${forward.containerPort}`;
}

/**
 * The `[Network]` entries of a `.nspawn` file for a network configuration, as {@link renderNspawnNetwork}
 * gives them; they do not depend on the container's name.
 *
 * @throws {@link VoltError} any code from {@link validateNetworkConfig} (path under `network`).
 * @example
 * ```ts
 * nspawnNetworkSection({ ...DEFAULT_NETWORK_CONFIG, mode: 'none' }); // [['Private', 'yes'], ['VirtualEthernet', 'no']]
 * ```
 */
export function nspawnNetworkSection(network: NetworkConfig): readonly SettingsEntry[] {
  const valid = unwrap(validateNetworkConfig(network));
  switch (valid.mode) {
    case 'private': {
      const entries: SettingsEntry[] = [
        ['Private', 'yes'],
        ['VirtualEthernet', 'yes'],
        ['Bridge', valid.bridge],
      ];
      for (const forward of valid.ports) entries.push(['Port', portText(forward)]);
      return entries;
    }
    case 'none':
      return [
        ['Private', 'yes'],
        ['VirtualEthernet', 'no'],
      ];
    case 'host':
      return [
        ['Private', 'no'],
        ['VirtualEthernet', 'no'],
      ];
  }
}

/**
 * Renders the container's resolv.conf: one `nameserver` line per DNS server, in order, and a `search`
 * line when there are search domains. The configuration is validated first, so nothing but IP addresses
 * and domain names reaches the file.
 *
 * @throws {@link VoltError} any code from {@link validateNetworkConfig}, e.g. `INVALID_IP_ADDRESS` at
 *   `['network', 'dns', 0]`.
 * @example
 * ```ts
 * renderResolvConf(DEFAULT_NETWORK_CONFIG);
 * // '# Written by Volt; changes are lost when the container restarts.\nnameserver 1.1.1.1\nnameserver 1.0.0.1\n'
 * ```
 */
export function renderResolvConf(network: NetworkConfig): string {
  const valid = unwrap(validateNetworkConfig(network));
  let text = '# Written by Volt; changes are lost when the container restarts.\n';
  for (const server of valid.dns) text += `nameserver ${server}\n`;
  if (valid.searchDomains.length > 0) text += `search ${valid.searchDomains.join(' ')}\n`;
  return text;
}

/**
 * Renders how a resolv.conf written on the host at `hostPath` reaches the container: bound read-only over
 * `/etc/resolv.conf`, with nspawn's own resolv.conf handling off so it does not copy the host's over it.
 *
 * @throws {@link VoltError} `INVALID_PATH` (path `resolvConf`) when `hostPath` is not a safe absolute path.
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
  const bind = `${path.value}:/etc/resolv.conf`;
  return {
    arguments: ['--resolv-conf=off', `--bind-ro=${bind}`],
    execSection: [['ResolvConf', 'off']],
    filesSection: [['BindReadOnly', bind]],
  };
}
