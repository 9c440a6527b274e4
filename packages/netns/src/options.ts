import { createHash } from 'node:crypto';
import { parseAbsolutePath, parseInterfaceName, parseMachineName, unwrap, VoltError } from '@volt/core';
import type { HostContext } from './exec.js';
import { DEFAULT_STATE_DIR } from './leases.js';
import { checkTableName, DEFAULT_NFT_TABLE } from './nft.js';

/** Where and under which names the host-side effects happen. Every field has a production default. */
export interface NetOptions {
  /** The namespace standing in for the host (tests); the real host when absent. */
  readonly host?: HostContext;
  /** The nftables table (family inet); default `volt`. */
  readonly table?: string;
  /** The lock and lease directory; default `/run/volt/net`. */
  readonly stateDir?: string;
  /** Where per-namespace resolv.conf files go; default `/etc/netns` (what `ip netns exec` reads). */
  readonly etcNetnsDir?: string;
  /** The prefix of host-side veth names of direct sandboxes; default `vs-`. */
  readonly vethPrefix?: string;
}

/** {@link NetOptions} with every default filled in and checked. */
export interface ResolvedNetOptions {
  readonly host: HostContext;
  readonly table: string;
  readonly stateDir: string;
  readonly etcNetnsDir: string;
  readonly vethPrefix: string;
}

/**
 * Fills in and checks {@link NetOptions}.
 *
 * @throws {@link VoltError} `INVALID_VALUE` (table, veth prefix), `INVALID_PATH` (directories),
 *   `INVALID_MACHINE_NAME` (host namespace).
 * @example
 * ```ts
 * resolveNetOptions({}).table; // 'volt'
 * ```
 */
export function resolveNetOptions(options: NetOptions = {}): ResolvedNetOptions {
  const stateDir = parseAbsolutePath(options.stateDir ?? DEFAULT_STATE_DIR);
  if (!stateDir.ok) throw stateDir.error.at(['stateDir']);
  const etcNetnsDir = parseAbsolutePath(options.etcNetnsDir ?? '/etc/netns');
  if (!etcNetnsDir.ok) throw etcNetnsDir.error.at(['etcNetnsDir']);
  const vethPrefix = options.vethPrefix ?? 'vs-';
  if (!/^[a-z][a-z0-9-]{0,5}$/.test(vethPrefix)) {
    throw new VoltError(
      'INVALID_VALUE',
      `${JSON.stringify(vethPrefix)} is not a veth prefix; accepted: a lower-case letter then up to 5 letters, digits or '-'`,
      { path: ['vethPrefix'] },
    );
  }
  const namespace = options.host?.namespace;
  if (namespace !== undefined) {
    const parsed = parseMachineName(namespace);
    if (!parsed.ok) throw parsed.error.at(['host', 'namespace']);
  }
  return {
    host: namespace === undefined ? {} : { namespace },
    table: checkTableName(options.table ?? DEFAULT_NFT_TABLE),
    stateDir: stateDir.value,
    etcNetnsDir: etcNetnsDir.value,
    vethPrefix,
  };
}

/**
 * The host-side veth name of a direct sandbox: the prefix and the name when that fits in 15 bytes,
 * else the prefix and a hash of the name (stable, so teardown finds it again).
 *
 * @example
 * ```ts
 * sandboxVethName('vs-', 'web-1'); // 'vs-web-1'
 * sandboxVethName('vs-', 'a-rather-long-sandbox').length; // 15
 * ```
 */
export function sandboxVethName(prefix: string, name: string): string {
  const plain = parseInterfaceName(`${prefix}${name}`);
  if (plain.ok) return plain.value;
  const hash = createHash('sha256').update(name).digest('hex');
  return unwrap(parseInterfaceName(`${prefix}${hash.slice(0, 15 - prefix.length)}`));
}
