import {
  failAll,
  type IpAddress,
  type IpSubnet,
  ipFromBytes,
  type NetworkConfig,
  ok,
  parseSubnet,
  type Result,
  unwrap,
  type Valid,
  VoltError,
} from '@volt/core';

/** The bridge part of a network configuration: what {@link planBridge} and the bridge effects need. */
export type BridgeConfig = Pick<NetworkConfig, 'bridge' | 'subnet' | 'subnet6'>;

/** The address plan of a bridge: its subnet, the gateway (first host address) and the range leased out. */
export interface BridgePlan {
  readonly bridge: string;
  readonly subnet: IpSubnet;
  /** The bridge's own address, the containers' default route. */
  readonly gateway: IpAddress;
  /** The optional IPv6 subnet and its gateway (`::1` in it). */
  readonly subnet6?: IpSubnet;
  readonly gateway6?: IpAddress;
  /** The first and last address handed to containers (inclusive), as 32-bit numbers. */
  readonly firstLease: number;
  readonly lastLease: number;
}

/** The longest IPv4 prefix that leaves room for a gateway and one container (network, .1, .2, broadcast). */
const LONGEST_IPV4_PREFIX = 30;

/**
 * Turns an IPv4 address into its 32-bit number.
 *
 * @example
 * ```ts
 * ipv4ToNumber(unwrap(parseIpAddress('10.87.0.2'))); // 0x0a570002
 * ```
 */
export function ipv4ToNumber(address: IpAddress): number {
  return address.bytes.reduce((sum, byte) => sum * 256 + byte, 0);
}

/**
 * Turns a 32-bit number into an IPv4 address.
 *
 * @example
 * ```ts
 * numberToIpv4(0x0a570002).text; // '10.87.0.2'
 * ```
 */
export function numberToIpv4(value: number): IpAddress {
  return ipFromBytes([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/**
 * The rules a bridge's subnets obey: an IPv4 subnet with room for a gateway and a container (/30 or
 * shorter), and an optional IPv6 subnet holding as many addresses (each lease gets its IPv6 twin). The
 * subnets parsed, or every problem with its field name as path (`subnet`, `subnet6`).
 *
 * @example
 * ```ts
 * bridgeSubnets('10.87.0.0/16', 'fd87::/64').ok; // true
 * bridgeSubnets('10.0.0.0/31', undefined).ok; // false, INVALID_SUBNET at ['subnet']
 * ```
 */
export function bridgeSubnets(
  subnetText: string,
  subnet6Text: string | undefined,
): Result<{ readonly subnet: IpSubnet; readonly subnet6?: IpSubnet }> {
  const issues: VoltError[] = [];
  const subnet = parseSubnet(subnetText, 4);
  if (!subnet.ok) issues.push(subnet.error.at(['subnet']));
  else if (subnet.value.prefixLength > LONGEST_IPV4_PREFIX) {
    issues.push(
      new VoltError(
        'INVALID_SUBNET',
        `${subnet.value.text} has no room for a gateway and a container; accepted: an IPv4 subnet of prefix length /${LONGEST_IPV4_PREFIX} or shorter`,
        { path: ['subnet'] },
      ),
    );
  }
  const subnet6 = subnet6Text === undefined ? undefined : parseSubnet(subnet6Text, 6);
  if (subnet6 !== undefined && !subnet6.ok) issues.push(subnet6.error.at(['subnet6']));
  else if (subnet6 !== undefined && subnet.ok) {
    const longest6 = 128 - (32 - subnet.value.prefixLength);
    if (subnet6.value.prefixLength > longest6) {
      issues.push(
        new VoltError(
          'INVALID_SUBNET',
          `${subnet6.value.text} is smaller than the IPv4 subnet ${subnet.value.text}; accepted: an IPv6 subnet of prefix length /${longest6} or shorter (e.g. fd87::/64), so every IPv4 lease has its IPv6 twin`,
          { path: ['subnet6'] },
        ),
      );
    }
  }
  const failed = failAll<{ subnet: IpSubnet }>(issues);
  if (failed !== undefined) return failed;
  if (!subnet.ok) return subnet; // reported above
  return ok(subnet6?.ok ? { subnet: subnet.value, subnet6: subnet6.value } : { subnet: subnet.value });
}

/**
 * Plans the addresses of a validated bridge: the gateway is the subnet's first host address; containers
 * lease from the next address up to the last one before broadcast; an IPv6 subnet's gateway is its `::1`.
 *
 * @example
 * ```ts
 * const plan = planBridge(unwrap(parseNetworkConfig({ subnet: '10.87.0.0/24' })));
 * plan.gateway.text; // '10.87.0.1'
 * numberToIpv4(plan.lastLease).text; // '10.87.0.254'
 * ```
 */
export function planBridge(network: Valid<BridgeConfig>): BridgePlan {
  // The configuration was validated: its subnets are canonical text that parses.
  const subnet = unwrap(parseSubnet(network.subnet, 4));
  const base = ipv4ToNumber(subnet.address);
  const size = 2 ** (32 - subnet.prefixLength);
  const plan = {
    bridge: network.bridge,
    subnet,
    gateway: numberToIpv4(base + 1),
    firstLease: base + 2,
    lastLease: base + size - 2,
  };
  if (network.subnet6 === undefined) return plan;
  const subnet6 = unwrap(parseSubnet(network.subnet6, 6));
  const bytes6 = [...subnet6.address.bytes];
  bytes6[15] = (bytes6[15] as number) | 1;
  return { ...plan, subnet6, gateway6: ipFromBytes(bytes6) };
}
