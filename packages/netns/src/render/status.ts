import type { BridgeStatus, SandboxStatus } from '../model/status.js';

/**
 * Formats a bridge status for a terminal, one fact a line.
 *
 * @example
 * ```ts
 * formatBridgeStatus(await bridgeStatus({ bridge: 'voltbr0' }));
 * // 'bridge voltbr0: up, 10.87.0.1/16\nmembers: vs-web-1\nnftables table inet volt: present\n...'
 * ```
 */
export function formatBridgeStatus(status: BridgeStatus): string {
  const lines = [
    status.exists
      ? `bridge ${status.bridge}: ${status.up ? 'up' : 'down'}, ${status.addresses.join(' ') || 'no address'}`
      : `bridge ${status.bridge}: absent`,
    `members: ${status.members.join(' ') || 'none'}`,
    `nftables table inet ${status.table}: ${status.tableExists ? 'present' : 'absent'}`,
    ...status.forwards.map(
      (forward) =>
        `forward ${forward.protocol} ${forward.hostPort} -> ${forward.address}:${forward.containerPort}`,
    ),
    ...status.sandboxes.map((record) => `sandbox ${record.name}: ${record.address ?? 'no address'}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Formats a direct sandbox's status for a terminal, one fact a line.
 *
 * @example
 * ```ts
 * formatSandboxStatus(await sandboxStatus('web-1'));
 * // 'sandbox web-1: namespace present, mode private on voltbr0\nlo up 127.0.0.1/8\neth0 up 10.87.0.2/16\n'
 * ```
 */
export function formatSandboxStatus(status: SandboxStatus): string {
  const record = status.record;
  const where =
    record === null
      ? 'no record'
      : `mode ${record.mode}${record.bridge === null ? '' : ` on ${record.bridge}`}`;
  const lines = [`sandbox ${status.name}: namespace ${status.exists ? 'present' : 'absent'}, ${where}`];
  for (const link of status.interfaces) {
    lines.push(`${link.name} ${link.up ? 'up' : 'down'} ${link.addresses.join(' ')}`.trimEnd());
  }
  for (const forward of record?.ports ?? []) {
    lines.push(`forward ${forward.protocol} ${forward.hostPort} -> ${forward.containerPort}`);
  }
  return `${lines.join('\n')}\n`;
}
