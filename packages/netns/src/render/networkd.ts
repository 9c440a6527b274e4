import { type NetworkConfig, renderUnitFile, type UnitFileEntry, type Valid } from '@volt/core';
import { planBridge } from '../model/bridge-plan.js';
import type { ContainerLease } from '../model/leases.js';

/**
 * Where the container's network file goes inside it. The name matches the file systemd ships in
 * /usr/lib/systemd/network (which asks for DHCP on host0), so this one, in /etc, replaces it.
 *
 * @example
 * ```ts
 * `--bind-ro=${hostPath}:${CONTAINER_NETWORK_FILE}`;
 * ```
 */
export const CONTAINER_NETWORK_FILE = '/etc/systemd/network/80-container-host0.network';

/**
 * Renders the systemd-networkd file that gives a booted container its leased address on `host0`: the
 * address with the bridge's prefix, the gateway, the IPv6 twin and gateway when the lease has one, the DNS
 * servers and search domains. Nothing on Volt's bridge answers DHCP, so a container that boots
 * systemd-networkd needs this file at {@link CONTAINER_NETWORK_FILE} (bound read-only). The lease is parsed
 * against the same configuration's bridge (`parseContainerLease`).
 *
 * @example
 * ```ts
 * const lease = unwrap(parseContainerLease(planBridge(DEFAULT_NETWORK_CONFIG), { address: '10.87.0.2' }));
 * renderContainerNetworkFile(DEFAULT_NETWORK_CONFIG, lease);
 * // '[Match]\nName=host0\n\n[Network]\nAddress=10.87.0.2/16\nGateway=10.87.0.1\nDNS=1.1.1.1\nDNS=1.0.0.1\n'
 * ```
 */
export function renderContainerNetworkFile(
  network: Valid<NetworkConfig>,
  lease: Valid<ContainerLease>,
): string {
  const plan = planBridge(network);
  const entries: UnitFileEntry[] = [
    ['Address', `${lease.address.text}/${plan.subnet.prefixLength}`],
    ['Gateway', plan.gateway.text],
  ];
  if (lease.address6 !== undefined && plan.subnet6 !== undefined && plan.gateway6 !== undefined) {
    entries.push(
      ['Address', `${lease.address6.text}/${plan.subnet6.prefixLength}`],
      ['Gateway', plan.gateway6.text],
    );
  }
  for (const server of network.dns) entries.push(['DNS', server]);
  if (network.searchDomains.length > 0) entries.push(['Domains', network.searchDomains.join(' ')]);
  return renderUnitFile({
    sections: [
      { name: 'Match', entries: [['Name', 'host0']] },
      { name: 'Network', entries },
    ],
  });
}
