import type { PortForward, PortProtocol } from '@volt/core';
import type { BridgePlan } from '../model/bridge-plan.js';

/**
 * The map holding the port forwards of one protocol: host port → container address . container port.
 *
 * @example
 * ```ts
 * forwardMapName('udp'); // 'forward_udp'
 * ```
 */
export function forwardMapName(protocol: PortProtocol): string {
  return `forward_${protocol}`;
}

/**
 * Renders the nftables script that puts a bridge's table in place: masquerading of the subnet's outbound
 * traffic, forwarding to and from the bridge (new connections into the bridge only when port-forwarded),
 * and DNAT of forwarded host ports through two maps (`forward_tcp`, `forward_udp`) that sandboxes add
 * their ports to. The script is one atomic transaction; running it again changes nothing and keeps the
 * maps' elements.
 *
 * Connections to the host's own addresses other than loopback are forwarded too (the `output` chain);
 * connections to 127.0.0.0/8 are not, as with nspawn's `--port`. `table` is a checked table name
 * (`parseNetOptions`).
 *
 * @example
 * ```ts
 * renderBridgeRuleset('volt', planBridge(DEFAULT_NETWORK_CONFIG)).includes('masquerade'); // true
 * ```
 */
export function renderBridgeRuleset(table: string, plan: BridgePlan): string {
  const t = `inet ${table}`;
  const br = plan.bridge;
  const lines = [
    `add table ${t}`,
    `add map ${t} ${forwardMapName('tcp')} { type inet_service : ipv4_addr . inet_service; }`,
    `add map ${t} ${forwardMapName('udp')} { type inet_service : ipv4_addr . inet_service; }`,
    `add chain ${t} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `add chain ${t} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    ...['prerouting', 'output', 'forward', 'postrouting'].map((chain) => `flush chain ${t} ${chain}`),
  ];
  for (const protocol of ['tcp', 'udp'] as const) {
    const map = `@${forwardMapName(protocol)}`;
    lines.push(
      `add rule ${t} prerouting meta nfproto ipv4 fib daddr type local dnat ip to ${protocol} dport map ${map}`,
      `add rule ${t} output meta nfproto ipv4 ip daddr != 127.0.0.0/8 fib daddr type local dnat ip to ${protocol} dport map ${map}`,
    );
  }
  lines.push(
    `add rule ${t} forward iifname "${br}" accept`,
    `add rule ${t} forward oifname "${br}" ct state established,related accept`,
    `add rule ${t} forward oifname "${br}" ct status dnat accept`,
    `add rule ${t} forward oifname "${br}" drop`,
    `add rule ${t} postrouting ip saddr ${plan.subnet.text} oifname != "${br}" masquerade`,
    `add rule ${t} postrouting oifname "${br}" ct status dnat ip saddr ${plan.subnet.text} masquerade`,
  );
  if (plan.subnet6 !== undefined) {
    lines.push(`add rule ${t} postrouting ip6 saddr ${plan.subnet6.text} oifname != "${br}" masquerade`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Renders the nftables commands that add (or delete) a sandbox's port forwards to the bridge table's
 * maps. Adding an element whose host port another sandbox holds fails in the kernel (`File exists`), so
 * two sandboxes never share a host port; adding the same element again changes nothing. The table,
 * address and forwards come from a checked lease record (`parseSandboxRecord`).
 *
 * @example
 * ```ts
 * renderForwardElements('volt', 'add', '10.87.0.2', [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }]);
 * // 'add element inet volt forward_tcp { 8080 : 10.87.0.2 . 80 }\n'
 * ```
 */
export function renderForwardElements(
  table: string,
  action: 'add' | 'delete',
  address: string,
  ports: readonly PortForward[],
): string {
  const t = `inet ${table}`;
  return ports
    .map((forward) => {
      const element =
        action === 'add'
          ? `${forward.hostPort} : ${address} . ${forward.containerPort}`
          : `${forward.hostPort}`;
      return `${action} element ${t} ${forwardMapName(forward.protocol)} { ${element} }\n`;
    })
    .join('');
}

/**
 * Renders one nftables transaction that removes a sandbox's port forwards only where they are its own.
 * `delete element` goes by the host port alone, whatever address it maps to, so each element is first
 * added with the sandbox's address and port, then deleted:
 * - the sandbox's own element: the add changes nothing, the delete removes it;
 * - no element for that port: the add creates it, the delete removes it again;
 * - another sandbox's element for that port: the add fails (`File exists`) and, the transaction being
 *   atomic, nothing at all changes.
 * One run, no listing first. The table, address and forwards come from a checked lease record.
 *
 * @example
 * ```ts
 * renderForwardRemoval('volt', '10.87.0.2', [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }]);
 * // 'add element inet volt forward_tcp { 8080 : 10.87.0.2 . 80 }\ndelete element inet volt forward_tcp { 8080 }\n'
 * ```
 */
export function renderForwardRemoval(table: string, address: string, ports: readonly PortForward[]): string {
  return `${renderForwardElements(table, 'add', address, ports)}${renderForwardElements(table, 'delete', address, ports)}`;
}
