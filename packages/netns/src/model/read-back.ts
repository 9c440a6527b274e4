import {
  fail,
  type InputPath,
  NETWORK_MODES,
  type NetworkConfig,
  ok,
  parseInterfaceAddress,
  parseUnitFile,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { parseNetworkConfig } from './config.js';
import { NSPAWN_NETWORK_KEYS, NSPAWN_NETWORK_MODES, type SettingsEntry } from './nspawn-settings.js';

/** The subnets a container's networkd file implies: the bridge's, read back from the leased addresses. */
export interface ContainerNetworkSubnets {
  readonly subnet: string;
  readonly subnet6?: string;
}

/**
 * Reads back the bridge subnets from a networkd file `renderContainerNetworkFile` wrote: its `Address=`
 * lines carry the leased addresses with the bridge's prefix, which is what the installed files say of the
 * subnet (the `.nspawn` file names only the bridge). `volt start` needs it to bring the bridge up with the
 * subnet the container's address is in. The subnets obey the configuration's rules once
 * {@link networkConfigFromInstalled} reads them into a configuration.
 *
 * @example
 * ```ts
 * parseContainerNetworkFile('[Match]\nName=host0\n\n[Network]\nAddress=10.213.9.2/24\n');
 * // { ok: true, value: { subnet: '10.213.9.0/24' } }
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

/** What a resolv.conf `renderResolvConf` wrote says: the servers and search domains, as written. */
export interface ResolvConfEntries {
  readonly dns: readonly string[];
  readonly searchDomains: readonly string[];
}

/**
 * Reads back a resolv.conf `renderResolvConf` wrote: comment lines, one `nameserver ADDRESS` line per
 * server and at most one `search DOMAIN…` line; any other line is an error (path `line N`). The values are
 * checked when {@link networkConfigFromInstalled} reads them into a configuration.
 *
 * @example
 * ```ts
 * parseResolvConf('nameserver 1.1.1.1\nsearch corp.example\n');
 * // { ok: true, value: { dns: ['1.1.1.1'], searchDomains: ['corp.example'] } }
 * ```
 */
export function parseResolvConf(text: string): Result<ResolvConfEntries> {
  const dns: string[] = [];
  let searchDomains: string[] | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [keyword, ...values] = line.split(/\s+/);
    if (keyword === 'nameserver' && values.length === 1) dns.push(values[0] as string);
    else if (keyword === 'search' && searchDomains === undefined && values.length > 0) searchDomains = values;
    else {
      return fail(
        new VoltError(
          'PARSE_ERROR',
          `${JSON.stringify(line)} is not a line Volt writes in resolv.conf; accepted: comments, "nameserver ADDRESS", one "search DOMAIN..."`,
          { path: [`line ${index + 1}`] },
        ),
      );
    }
  }
  return ok({ dns, searchDomains: searchDomains ?? [] });
}

/** The installed files that say what a container's network is. */
export interface InstalledNetworkFiles {
  /** The `[Network]` entries of the `.nspawn` file, in order. */
  readonly networkSection: readonly SettingsEntry[];
  /** The resolv.conf bound over the container's; the default DNS servers when absent. */
  readonly resolvConf?: string;
  /** The networkd file for host0 (private mode, once leased); the default subnet when absent. */
  readonly containerNetworkFile?: string;
}

function parseError(message: string, path: InputPath): Result<never> {
  return fail(new VoltError('PARSE_ERROR', message, { path }));
}

/**
 * Reads an installed container's network configuration back from its files: the mode from `Private=` and
 * `VirtualEthernet=` by {@link NSPAWN_NETWORK_MODES}, `Bridge=` and `Port=` (private mode), the DNS from
 * resolv.conf and the subnets from the networkd file; then the result goes through
 * {@link parseNetworkConfig}, the rules every configuration obeys (errors at `path`). A key Volt does not
 * write ({@link NSPAWN_NETWORK_KEYS}) is an error, not dropped.
 *
 * @example
 * ```ts
 * networkConfigFromInstalled({ networkSection: [['Private', 'yes'], ['VirtualEthernet', 'no']] });
 * // { ok: true, value: { ...DEFAULT_NETWORK_CONFIG, mode: 'none' } }
 * ```
 */
export function networkConfigFromInstalled(
  files: InstalledNetworkFiles,
  path: InputPath = ['network'],
): Result<Valid<NetworkConfig>> {
  const values = (key: string) => files.networkSection.filter(([name]) => name === key).map(([, v]) => v);
  for (const [key] of files.networkSection) {
    if (!(NSPAWN_NETWORK_KEYS as readonly string[]).includes(key)) {
      return parseError(
        `[Network] ${key}= is not a setting Volt writes; accepted: ${NSPAWN_NETWORK_KEYS.join(', ')}`,
        ['Network', key],
      );
    }
  }
  const [isPrivate, ...morePrivate] = values('Private');
  const [veth, ...moreVeth] = values('VirtualEthernet');
  const mode = NETWORK_MODES.find(
    (candidate) =>
      NSPAWN_NETWORK_MODES[candidate].Private === isPrivate &&
      NSPAWN_NETWORK_MODES[candidate].VirtualEthernet === veth,
  );
  if (mode === undefined || morePrivate.length > 0 || moreVeth.length > 0) {
    return parseError(
      `Private=${isPrivate ?? ''} VirtualEthernet=${veth ?? ''} is not a network mode Volt writes; accepted: ${NETWORK_MODES.map((each) => `${each}: Private=${NSPAWN_NETWORK_MODES[each].Private} VirtualEthernet=${NSPAWN_NETWORK_MODES[each].VirtualEthernet}`).join('; ')}`,
      ['Network', 'Private'],
    );
  }
  const bridges = values('Bridge');
  const ports = values('Port');
  if (NSPAWN_NETWORK_MODES[mode].bridged ? bridges.length !== 1 : bridges.length + ports.length > 0) {
    return parseError(
      `mode ${mode} has ${bridges.length} Bridge= and ${ports.length} Port= entries; accepted: one Bridge= and any Port= in private mode, neither otherwise`,
      ['Network', 'Bridge'],
    );
  }
  let dns: Partial<ResolvConfEntries> = {};
  if (files.resolvConf !== undefined) {
    const parsed = parseResolvConf(files.resolvConf);
    if (!parsed.ok) return fail(parsed.error.at(['resolv.conf']));
    dns = parsed.value;
  }
  let subnets: Partial<ContainerNetworkSubnets> = {};
  if (files.containerNetworkFile !== undefined) {
    const parsed = parseContainerNetworkFile(files.containerNetworkFile);
    if (!parsed.ok) return fail(parsed.error.at(['host0.network']));
    subnets = parsed.value;
  }
  return parseNetworkConfig(
    { mode, ...(bridges[0] === undefined ? {} : { bridge: bridges[0] }), ports, ...dns, ...subnets },
    path,
  );
}
