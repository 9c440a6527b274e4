import type { Valid } from '@volt/core';
import type { BridgePlan } from '../model/bridge-plan.js';
import type { SandboxRecord } from '../model/sandbox-record.js';

/**
 * The interface name of a sandbox's side of its veth pair.
 *
 * @example
 * ```ts
 * (await sandboxStatus('web-1')).interfaces.some((link) => link.name === SANDBOX_INTERFACE); // true
 * ```
 */
export const SANDBOX_INTERFACE = 'eth0';

/**
 * The `ip -batch` commands run inside a private sandbox's namespace: the veth pair, created from inside
 * with its other end (`record.hostInterface`) moved to the host namespace `hostNamespace` (a name under
 * /run/netns or a path such as /proc/PID/ns/net), loopback and the sandbox side up, the leased address
 * and the default route through the gateway (and the IPv6 twins). Every command but the first replaces
 * what is there, so running the batch again changes nothing; the first fails with `File exists` then.
 * The record is a private sandbox's (`parseSandboxRecord`).
 *
 * @example
 * ```ts
 * renderSandboxLinks(record, plan, 'vtn-host');
 * // ['link add eth0 type veth peer name vs-web-1 netns vtn-host', 'link set lo up', 'link set eth0 up',
 * //  'address replace 10.87.0.2/16 dev eth0', 'route replace default via 10.87.0.1 dev eth0']
 * ```
 */
export function renderSandboxLinks(
  record: Valid<SandboxRecord>,
  plan: BridgePlan,
  hostNamespace: string,
): readonly string[] {
  const inside = SANDBOX_INTERFACE;
  const lines = [
    `link add ${inside} type veth peer name ${record.hostInterface as string} netns ${hostNamespace}`,
    'link set lo up',
    `link set ${inside} up`,
    `address replace ${record.address as string}/${record.prefixLength as number} dev ${inside}`,
    `route replace default via ${plan.gateway.text} dev ${inside}`,
  ];
  if (record.address6 !== null && plan.gateway6 !== undefined) {
    lines.push(
      `address replace ${record.address6}/${record.prefixLength6 as number} dev ${inside} nodad`,
      `route replace default via ${plan.gateway6.text} dev ${inside}`,
    );
  }
  return lines;
}

/**
 * The `ip -batch` commands that put a private sandbox's host-side veth on its bridge, up. The first
 * names the bridge alone (and sets it up), so a missing bridge fails there, before anything changed.
 * Running them again changes nothing.
 *
 * @example
 * ```ts
 * renderBridgePort(record); // ['link set dev voltbr0 up', 'link set dev vs-web-1 master voltbr0 up']
 * ```
 */
export function renderBridgePort(record: Valid<SandboxRecord>): readonly string[] {
  const bridge = record.bridge as string;
  return [`link set dev ${bridge} up`, `link set dev ${record.hostInterface as string} master ${bridge} up`];
}

/**
 * The `ip -batch` commands, run in the host namespace, that remove a sandbox's network: its host-side veth
 * (`veth`; the sandbox side goes with it) and its namespace's name. Deleting the veth does not wait for
 * the namespace to end, so no link is left while a process keeps the namespace alive.
 *
 * @example
 * ```ts
 * renderSandboxTeardown('web-1', 'vs-web-1'); // ['link delete dev vs-web-1', 'netns delete web-1']
 * ```
 */
export function renderSandboxTeardown(name: string, veth: string): readonly string[] {
  return [`link delete dev ${veth}`, `netns delete ${name}`];
}
