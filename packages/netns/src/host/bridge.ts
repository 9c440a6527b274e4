import { type NetworkConfig, parseInterfaceName, unwrap, type Valid, VoltError } from '@volt/core';
import { type BridgeConfig, type BridgePlan, planBridge } from '../model/bridge-plan.js';
import {
  type HostContext,
  type NetOptions,
  parseNetOptions,
  type ResolvedNetOptions,
} from '../model/options.js';
import type { ActiveForward, BridgeStatus } from '../model/status.js';
import { forwardMapName, renderBridgeRuleset } from '../render/nft.js';
import { checkIpBatch, inHost, isMissing, runCommand, runIpBatch } from './exec.js';
import { readRecords, withStateLock } from './lease-records.js';

/** A bridge name from the command line or a caller, checked at this boundary. */
function checkBridgeName(bridge: string): string {
  const parsed = parseInterfaceName(bridge);
  if (!parsed.ok) throw parsed.error.at(['network', 'bridge']);
  return parsed.value;
}

interface IpLink {
  readonly ifname: string;
  readonly flags?: readonly string[];
  readonly linkinfo?: { readonly info_kind?: string };
  readonly addr_info?: readonly {
    readonly local: string;
    readonly prefixlen: number;
    readonly scope?: string;
  }[];
}

async function readLink(options: ResolvedNetOptions, name: string): Promise<IpLink | null> {
  try {
    const { stdout } = await runCommand(
      inHost(options.host, ['ip', '-json', '-details', 'address', 'show', 'dev', name]),
      { span: 'ip address show' },
    );
    return (JSON.parse(stdout) as IpLink[])[0] ?? null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function applyBridge(options: ResolvedNetOptions, plan: BridgePlan): Promise<void> {
  const link = await readLink(options, plan.bridge);
  if (link !== null && link.linkinfo?.info_kind !== 'bridge') {
    throw new VoltError(
      'CONFLICT',
      `${plan.bridge} exists and is a ${link.linkinfo?.info_kind ?? 'plain'} interface, not a bridge`,
      { path: ['network', 'bridge'], hint: 'choose another bridge name' },
    );
  }
  try {
    await configureBridge(options, plan, link);
  } catch (error) {
    if (link === null) {
      await runCommand(inHost(options.host, ['ip', 'link', 'delete', plan.bridge]), {
        span: 'ip link delete',
      }).catch(() => undefined);
    }
    throw error;
  }
}

/** Creates the bridge when `link` is null, then adds what it lacks: addresses, up, forwarding, the table. */
async function configureBridge(
  options: ResolvedNetOptions,
  plan: BridgePlan,
  link: IpLink | null,
): Promise<void> {
  const has = (address: string, prefix: number): boolean =>
    link?.addr_info?.some((info) => info.local === address && info.prefixlen === prefix) ?? false;
  const batch: string[] = link === null ? [`link add ${plan.bridge} type bridge`] : [];
  if (!has(plan.gateway.text, plan.subnet.prefixLength))
    batch.push(`address replace ${plan.gateway.text}/${plan.subnet.prefixLength} dev ${plan.bridge}`);
  if (
    plan.gateway6 !== undefined &&
    plan.subnet6 !== undefined &&
    !has(plan.gateway6.text, plan.subnet6.prefixLength)
  )
    batch.push(`address replace ${plan.gateway6.text}/${plan.subnet6.prefixLength} dev ${plan.bridge} nodad`);
  if (!(link?.flags?.includes('UP') ?? false)) batch.push(`link set ${plan.bridge} up`);
  if (batch.length > 0) {
    const failures = await runIpBatch(options.host.namespace, batch, {
      keepGoing: false,
      span: 'ip -batch: bridge',
    });
    checkIpBatch(failures, () => false);
  }

  // A fixed command: writing /proc/sys from this process would reach the host, not the host context.
  const forwarding = ['echo 1 > /proc/sys/net/ipv4/ip_forward'];
  if (plan.subnet6 !== undefined) forwarding.push('echo 1 > /proc/sys/net/ipv6/conf/all/forwarding');
  await runCommand(inHost(options.host, ['sh', '-c', forwarding.join(' && ')]), {
    span: 'sysctl: forwarding',
  });
  await runCommand(inHost(options.host, ['nft', '-f', '-']), {
    input: renderBridgeRuleset(options.table, plan),
    span: 'nft -f: bridge ruleset',
  });
}

/**
 * Puts the bridge of a network configuration in place on the host, or leaves it as it is when it already
 * is: the bridge exists and is up, carries the gateway address (and the IPv6 gateway), IPv4 (and IPv6)
 * forwarding is on, and the nftables table forwards, masquerades and port-forwards (see
 * {@link renderBridgeRuleset}). Serialised across processes by the state lock, so concurrent calls do
 * not race. Forwarding is a host-wide switch and stays on after {@link bridgeDown}.
 *
 * @throws {@link VoltError} option codes (`parseNetOptions`), `CONFLICT` when an interface of that name
 *   is not a bridge, `COMMAND_FAILED` / `NOT_FOUND` from ip, sysctl or nft, `BUSY` from the lock.
 * @example
 * ```ts
 * const plan = await bridgeUp(DEFAULT_NETWORK_CONFIG);
 * plan.gateway.text; // '10.87.0.1'
 * ```
 */
export async function bridgeUp(network: Valid<BridgeConfig>, options: NetOptions = {}): Promise<BridgePlan> {
  const resolved = unwrap(parseNetOptions(options));
  const plan = planBridge(network);
  await withStateLock(resolved.stateDir, () => applyBridge(resolved, plan));
  return plan;
}

/**
 * Removes the bridge and Volt's nftables table. Refuses while direct sandboxes are recorded on the bridge
 * unless `force` (their namespaces stay; their forwards go with the table). Missing pieces are fine.
 *
 * @throws {@link VoltError} `INVALID_INTERFACE_NAME` (path `network.bridge`), `BUSY` when sandboxes still
 *   use the bridge; `COMMAND_FAILED` from ip or nft.
 * @example
 * ```ts
 * await bridgeDown({ bridge: 'voltbr0' });
 * ```
 */
export async function bridgeDown(
  network: Pick<NetworkConfig, 'bridge'>,
  options: NetOptions & { readonly force?: boolean } = {},
): Promise<void> {
  const resolved = unwrap(parseNetOptions(options));
  const bridge = checkBridgeName(network.bridge);
  await withStateLock(resolved.stateDir, async () => {
    const users = readRecords(resolved.stateDir).filter((record) => record.bridge === bridge);
    if (users.length > 0 && options.force !== true) {
      throw new VoltError(
        'BUSY',
        `bridge ${bridge} still has sandboxes: ${users.map((record) => record.name).join(', ')}`,
        { hint: 'tear them down first (volt net sandbox down NAME) or force' },
      );
    }
    try {
      await runCommand(inHost(resolved.host, ['ip', 'link', 'delete', bridge, 'type', 'bridge']), {
        span: 'ip link delete',
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    try {
      await runCommand(inHost(resolved.host, ['nft', 'delete', 'table', 'inet', resolved.table]), {
        span: 'nft delete table',
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  });
}

interface NftListing {
  readonly nftables: readonly {
    readonly map?: {
      readonly name: string;
      readonly elem?: readonly [number, { readonly concat: [string, number] }][];
    };
  }[];
}

/**
 * Reads the active port forwards from the maps of Volt's nftables table (`table`, a checked name), sorted
 * by host port; null when the table does not exist.
 *
 * @throws {@link VoltError} `COMMAND_FAILED` / `NOT_FOUND` from nft.
 * @example
 * ```ts
 * await readForwards({}, 'volt'); // [{ protocol: 'tcp', hostPort: 8080, address: '10.87.0.2', containerPort: 80 }]
 * ```
 */
export async function readForwards(host: HostContext, table: string): Promise<ActiveForward[] | null> {
  let stdout: string;
  try {
    ({ stdout } = await runCommand(inHost(host, ['nft', '-json', 'list', 'table', 'inet', table]), {
      span: 'nft list table',
    }));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  const forwards: ActiveForward[] = [];
  for (const item of (JSON.parse(stdout) as NftListing).nftables) {
    for (const protocol of ['tcp', 'udp'] as const) {
      if (item.map?.name !== forwardMapName(protocol)) continue;
      for (const [hostPort, value] of item.map.elem ?? []) {
        forwards.push({ protocol, hostPort, address: value.concat[0], containerPort: value.concat[1] });
      }
    }
  }
  return forwards.sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol));
}

/**
 * Reads what is in place for a bridge: the link, its addresses and members, Volt's table, the active
 * port forwards and the sandboxes recorded on it.
 *
 * @throws {@link VoltError} `INVALID_INTERFACE_NAME` (path `network.bridge`), `COMMAND_FAILED` /
 *   `NOT_FOUND` from ip or nft, `PARSE_ERROR` for a bad record file.
 * @example
 * ```ts
 * const status = await bridgeStatus({ bridge: 'voltbr0' });
 * status.exists && status.up; // true once bridgeUp ran
 * ```
 */
export async function bridgeStatus(
  network: Pick<NetworkConfig, 'bridge'>,
  options: NetOptions = {},
): Promise<BridgeStatus> {
  const resolved = unwrap(parseNetOptions(options));
  const bridge = checkBridgeName(network.bridge);
  const link = await readLink(resolved, bridge);
  let members: string[] = [];
  if (link !== null) {
    const { stdout } = await runCommand(
      inHost(resolved.host, ['ip', '-json', 'link', 'show', 'master', bridge]),
      { span: 'ip link show' },
    );
    members = (JSON.parse(stdout === '' ? '[]' : stdout) as IpLink[]).map((member) => member.ifname);
  }
  const active = await readForwards(resolved.host, resolved.table);
  const sandboxes = readRecords(resolved.stateDir).filter((record) => record.bridge === bridge);
  return {
    bridge,
    exists: link !== null,
    up: link?.flags?.includes('UP') ?? false,
    addresses: (link?.addr_info ?? [])
      .filter((info) => info.scope !== 'link')
      .map((info) => `${info.local}/${info.prefixlen}`),
    members,
    table: resolved.table,
    tableExists: active !== null,
    forwards: active ?? [],
    sandboxes,
  };
}
