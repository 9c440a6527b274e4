import {
  fail,
  type NetworkConfig,
  ok,
  parseInterfaceAddress,
  parseIpAddress,
  parseMachineName,
  parseUnitFile,
  type Result,
  renderUnitFile,
  type UnitFileEntry,
  unwrap,
  VoltError,
} from '@volt/core';
import { leaseAddress, removeRecord, type SandboxRecord, withStateLock } from './leases.js';
import { type BridgePlan, ipv4ToNumber, planBridge, validateNetworkConfig } from './model.js';
import { nspawnHostInterface } from './nspawn.js';
import { type NetOptions, resolveNetOptions } from './options.js';

/**
 * Where the container's network file goes inside it. The name matches the file systemd ships in
 * /usr/lib/systemd/network (which asks for DHCP on host0), so this one, in /etc, replaces it.
 */
export const CONTAINER_NETWORK_FILE = '/etc/systemd/network/80-container-host0.network';

/**
 * Leases an address on the bridge for an nspawn container (private mode), recorded under the machine
 * name like a direct sandbox, so both kinds never share an address and the bridge is not torn down under
 * them. The container's port forwards are nspawn's own (`Port=`), not recorded here.
 *
 * @throws {@link VoltError} validation codes, `UNSUPPORTED` outside private mode, `CONFLICT`, `BUSY`.
 * @example
 * ```ts
 * const record = await leaseContainerAddress('web', DEFAULT_NETWORK_CONFIG);
 * record.address; // '10.87.0.2'
 * ```
 */
export async function leaseContainerAddress(
  machineName: string,
  network: NetworkConfig,
  options: NetOptions = {},
): Promise<SandboxRecord> {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  const valid = unwrap(validateNetworkConfig(network));
  if (valid.mode !== 'private') {
    throw new VoltError('UNSUPPORTED', `a container in mode ${valid.mode} has no address on the bridge`, {
      path: ['network', 'mode'],
    });
  }
  const resolved = resolveNetOptions(options);
  const plan = planBridge(valid);
  return leaseAddress(resolved.stateDir, plan, {
    name: name.value,
    mode: 'private',
    bridge: plan.bridge,
    table: null,
    hostInterface: nspawnHostInterface(name.value),
    ports: [],
  });
}

/**
 * Releases the address of an nspawn container. Releasing a missing lease is not an error.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), `BUSY` from the lock.
 * @example
 * ```ts
 * await releaseContainerAddress('web');
 * ```
 */
export async function releaseContainerAddress(machineName: string, options: NetOptions = {}): Promise<void> {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  const resolved = resolveNetOptions(options);
  await withStateLock(resolved.stateDir, () => removeRecord(resolved.stateDir, name.value));
}

/**
 * Renders the systemd-networkd file that gives a booted container its leased address on `host0`: the
 * address with the bridge's prefix, the gateway, the IPv6 twin when the bridge has an IPv6 subnet, and
 * the DNS servers. Nothing on Volt's bridge answers DHCP, so a container that boots systemd-networkd
 * needs this file at {@link CONTAINER_NETWORK_FILE} (bound read-only).
 *
 * @throws {@link VoltError} `INVALID_IP_ADDRESS` when the record's address is not inside the bridge
 *   subnet; validation codes for the configuration.
 * @example
 * ```ts
 * renderContainerNetworkFile(DEFAULT_NETWORK_CONFIG, '10.87.0.2');
 * // '[Match]\nName=host0\n\n[Network]\nAddress=10.87.0.2/16\nGateway=10.87.0.1\nDNS=1.1.1.1\nDNS=1.0.0.1\n'
 * ```
 */
export function renderContainerNetworkFile(
  network: NetworkConfig,
  address: string,
  address6?: string,
): string {
  const valid = unwrap(validateNetworkConfig(network));
  const plan: BridgePlan = planBridge(valid);
  const v4 = parseIpAddress(address, 4);
  const value = v4.ok ? ipv4ToNumber(v4.value) : -1;
  if (!v4.ok || value < plan.firstLease || value > plan.lastLease) {
    throw new VoltError(
      'INVALID_IP_ADDRESS',
      `${JSON.stringify(address)} is not a container address in ${plan.subnet.text}; accepted: an address from the bridge's lease range`,
      { path: ['address'] },
    );
  }
  const entries: UnitFileEntry[] = [
    ['Address', `${v4.value.text}/${plan.subnet.prefixLength}`],
    ['Gateway', plan.gateway.text],
  ];
  if (address6 !== undefined && plan.subnet6 !== undefined && plan.gateway6 !== undefined) {
    const v6 = parseIpAddress(address6, 6);
    if (!v6.ok) throw v6.error.at(['address6']);
    entries.push(
      ['Address', `${v6.value.text}/${plan.subnet6.prefixLength}`],
      ['Gateway', plan.gateway6.text],
    );
  }
  for (const server of valid.dns) entries.push(['DNS', server]);
  if (valid.searchDomains.length > 0) entries.push(['Domains', valid.searchDomains.join(' ')]);
  return renderUnitFile({
    sections: [
      { name: 'Match', entries: [['Name', 'host0']] },
      { name: 'Network', entries },
    ],
  });
}

/** The subnets a container's networkd file implies: the bridge's, read back from the leased addresses. */
export interface ContainerNetworkSubnets {
  readonly subnet: string;
  readonly subnet6?: string;
}

/**
 * Reads back the bridge subnets from a networkd file {@link renderContainerNetworkFile} wrote: its
 * `Address=` lines carry the leased addresses with the bridge's prefix, which is what the installed files
 * say of the subnet (the `.nspawn` file names only the bridge). `volt start` needs it to bring the bridge
 * up with the subnet the container's address is in.
 *
 * @example
 * ```ts
 * const file = renderContainerNetworkFile({ ...DEFAULT_NETWORK_CONFIG, subnet: '10.213.9.0/24' }, '10.213.9.2');
 * parseContainerNetworkFile(file); // { ok: true, value: { subnet: '10.213.9.0/24' } }
 * ```
 */
export function parseContainerNetworkFile(text: string): Result<ContainerNetworkSubnets> {
  const file = parseUnitFile(text);
  if (!file.ok) return file;
  let subnet: string | undefined;
  let subnet6: string | undefined;
  for (const section of file.value.sections) {
    if (section.name !== 'Network') continue;
    for (const [key, value] of section.entries) {
      if (key !== 'Address') continue;
      const parsed = parseInterfaceAddress(value);
      if (!parsed.ok) return fail(parsed.error.at(['Network', 'Address']));
      if (parsed.value.address.family === 4) subnet ??= parsed.value.subnet.text;
      else subnet6 ??= parsed.value.subnet.text;
    }
  }
  if (subnet === undefined) {
    return fail(
      new VoltError('PARSE_ERROR', 'the networkd file has no IPv4 Address= in [Network]', {
        path: ['Network', 'Address'],
      }),
    );
  }
  return ok(subnet6 === undefined ? { subnet } : { subnet, subnet6 });
}
