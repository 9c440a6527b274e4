import { createHash } from 'node:crypto';
import {
  describeValue,
  fail,
  type InputPath,
  ok,
  parseAbsolutePath,
  parseInterfaceName,
  parseMachineName,
  type Result,
  unwrap,
  type Valid,
  VoltError,
} from '@volt/core';

/**
 * Where the "host" side of Volt's networking lives. Empty for the real host. Tests set `namespace` to a
 * network namespace of their own, so the bridge, nftables table and forwarding switch never touch the
 * machine's own network.
 */
export interface HostContext {
  /** A named network namespace (under /run/netns) standing in for the host, or undefined for the host. */
  readonly namespace?: string;
}

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
 * Where Volt keeps its network state unless told otherwise: in /run, since namespaces end at reboot.
 *
 * @example
 * ```ts
 * unwrap(parseNetOptions({})).stateDir === DEFAULT_STATE_DIR; // true
 * ```
 */
export const DEFAULT_STATE_DIR = '/run/volt/net';

/**
 * The nftables table Volt keeps its rules in unless told otherwise (family `inet`).
 *
 * @example
 * ```ts
 * unwrap(parseNetOptions({})).table === DEFAULT_NFT_TABLE; // true
 * ```
 */
export const DEFAULT_NFT_TABLE = 'volt';

/** Where `ip netns exec` looks for a namespace's own /etc files. */
const DEFAULT_ETC_NETNS_DIR = '/etc/netns';
const DEFAULT_VETH_PREFIX = 'vs-';

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const VETH_PREFIX = /^[a-z][a-z0-9-]{0,5}$/;

/**
 * Parses an nftables table name: a letter, then letters, digits and `_`, at most 32 characters.
 *
 * @example
 * ```ts
 * parseTableName('volt_test_a'); // { ok: true, value: 'volt_test_a' }
 * parseTableName('volt;flush ruleset').ok; // false, code INVALID_VALUE
 * ```
 */
export function parseTableName(table: string): Result<string> {
  if (typeof table === 'string' && TABLE_NAME.test(table)) return ok(table);
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `${describeValue(table)} is not an nftables table name; accepted: a letter, then up to 31 letters, digits and '_'`,
    ),
  );
}

/**
 * Fills in and checks {@link NetOptions}: every problem at once, each at its path under `path`.
 *
 * @example
 * ```ts
 * unwrap(parseNetOptions({})).table; // 'volt'
 * parseNetOptions({ table: '1volt' }).ok; // false, INVALID_VALUE at ['table']
 * ```
 */
export function parseNetOptions(
  options: NetOptions,
  path: InputPath = [],
): Result<Valid<ResolvedNetOptions>> {
  const issues: VoltError[] = [];
  const take = <T>(result: Result<T>, ...at: InputPath): T | undefined => {
    if (result.ok) return result.value;
    issues.push(result.error.at([...path, ...at]));
    return undefined;
  };
  const table = take(parseTableName(options.table ?? DEFAULT_NFT_TABLE), 'table');
  const stateDir = take(parseAbsolutePath(options.stateDir ?? DEFAULT_STATE_DIR), 'stateDir');
  const etcNetnsDir = take(parseAbsolutePath(options.etcNetnsDir ?? DEFAULT_ETC_NETNS_DIR), 'etcNetnsDir');
  const vethPrefix = options.vethPrefix ?? DEFAULT_VETH_PREFIX;
  if (typeof vethPrefix !== 'string' || !VETH_PREFIX.test(vethPrefix)) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${describeValue(vethPrefix)} is not a veth prefix; accepted: a lower-case letter then up to 5 letters, digits or '-'`,
        { path: [...path, 'vethPrefix'] },
      ),
    );
  }
  const namespace = options.host?.namespace;
  if (namespace !== undefined) take(parseMachineName(namespace), 'host', 'namespace');
  const [first, ...rest] = issues;
  if (first !== undefined) return fail(first, ...rest);
  return ok({
    host: namespace === undefined ? {} : { namespace },
    table,
    stateDir,
    etcNetnsDir,
    vethPrefix,
  } as Valid<ResolvedNetOptions>);
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
