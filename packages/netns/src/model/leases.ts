import {
  fail,
  failAll,
  type IpAddress,
  ipFromBytes,
  ok,
  parseIpAddress,
  type Result,
  subnetContains,
  type Valid,
  VoltError,
} from '@volt/core';
import { type BridgePlan, ipv4ToNumber, numberToIpv4 } from './bridge-plan.js';

/**
 * The lowest address in the plan's lease range that is not taken, or undefined when the range is full.
 *
 * @example
 * ```ts
 * const plan = planBridge(unwrap(parseNetworkConfig({ subnet: '10.87.0.0/24' })));
 * pickFreeAddress(plan, new Set(['10.87.0.2']))?.text; // '10.87.0.3'
 * ```
 */
export function pickFreeAddress(plan: BridgePlan, taken: ReadonlySet<string>): IpAddress | undefined {
  for (let value = plan.firstLease; value <= plan.lastLease; value++) {
    const candidate = numberToIpv4(value);
    if (!taken.has(candidate.text)) return candidate;
  }
  return undefined;
}

/**
 * The IPv6 address paired with an IPv4 lease: the IPv6 subnet's prefix with the lease's offset inside the
 * IPv4 subnet as its low bits (`10.87.0.2` in `10.87.0.0/16` → `fd87::2` in `fd87::/64`); undefined without
 * an IPv6 subnet.
 *
 * @example
 * ```ts
 * pairedIpv6(planBridge(unwrap(parseNetworkConfig({ subnet6: 'fd87::/64' }))), leased)?.text; // 'fd87::102' for 10.87.1.2
 * ```
 */
export function pairedIpv6(plan: BridgePlan, address: IpAddress): IpAddress | undefined {
  if (plan.subnet6 === undefined) return undefined;
  let offset = ipv4ToNumber(address) - ipv4ToNumber(plan.subnet.address);
  const bytes = [...plan.subnet6.address.bytes];
  for (let index = 15; index >= 12 && offset > 0; index--) {
    bytes[index] = (bytes[index] as number) | (offset & 0xff);
    offset = Math.floor(offset / 256);
  }
  return ipFromBytes(bytes);
}

/**
 * Parses an address asked for in the plan's lease range (not the gateway, not broadcast).
 *
 * @example
 * ```ts
 * leasableAddress(plan, '10.87.0.9').ok; // true in 10.87.0.0/24
 * leasableAddress(plan, '10.87.0.1').ok; // false: the gateway; INVALID_IP_ADDRESS
 * ```
 */
export function leasableAddress(plan: BridgePlan, text: string): Result<IpAddress> {
  const parsed = parseIpAddress(text, 4);
  if (!parsed.ok) return parsed;
  const value = ipv4ToNumber(parsed.value);
  if (subnetContains(plan.subnet, parsed.value) && value >= plan.firstLease && value <= plan.lastLease)
    return parsed;
  return fail(
    new VoltError(
      'INVALID_IP_ADDRESS',
      `${parsed.value.text} is not leasable in ${plan.subnet.text}; accepted: ${numberToIpv4(plan.firstLease).text} to ${numberToIpv4(plan.lastLease).text} (the gateway is ${plan.gateway.text})`,
    ),
  );
}

/** A container's addresses on its bridge, as its networkd file gives them to host0. */
export interface ContainerLease {
  /** The IPv4 address from the bridge's lease range. */
  readonly address: IpAddress;
  /** Its IPv6 twin, when the bridge has an IPv6 subnet and the lease says one. */
  readonly address6?: IpAddress;
}

/**
 * Parses a container's leased addresses against its bridge: the IPv4 address must be in the lease range
 * (path `address`), an IPv6 address inside the bridge's IPv6 subnet (path `address6`; refused when the
 * bridge has none).
 *
 * @example
 * ```ts
 * const plan = planBridge(DEFAULT_NETWORK_CONFIG);
 * parseContainerLease(plan, { address: '10.87.0.2' }).ok; // true
 * parseContainerLease(plan, { address: '10.88.0.2' }).ok; // false: INVALID_IP_ADDRESS at ['address']
 * ```
 */
export function parseContainerLease(
  plan: BridgePlan,
  lease: { readonly address: string; readonly address6?: string | undefined },
): Result<Valid<ContainerLease>> {
  const issues: VoltError[] = [];
  const address = leasableAddress(plan, lease.address);
  if (!address.ok) issues.push(address.error.at(['address']));
  let address6: IpAddress | undefined;
  if (lease.address6 !== undefined) {
    const parsed = parseIpAddress(lease.address6, 6);
    if (!parsed.ok) issues.push(parsed.error.at(['address6']));
    else if (plan.subnet6 === undefined || !subnetContains(plan.subnet6, parsed.value)) {
      issues.push(
        new VoltError(
          'INVALID_IP_ADDRESS',
          `${parsed.value.text} is not in the bridge's IPv6 subnet; accepted: ${plan.subnet6 === undefined ? 'no IPv6 address (the bridge has no IPv6 subnet)' : `an address in ${plan.subnet6.text}`}`,
          { path: ['address6'] },
        ),
      );
    } else address6 = parsed.value;
  }
  const failed = failAll<Valid<ContainerLease>>(issues);
  if (failed !== undefined) return failed;
  if (!address.ok) return address; // reported above
  const valid: ContainerLease =
    address6 === undefined ? { address: address.value } : { address: address.value, address6 };
  return ok(valid as Valid<ContainerLease>);
}
