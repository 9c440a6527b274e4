import {
  describeValue,
  fail,
  failAll,
  type InputPath,
  isRecord,
  type NetworkConfig,
  ok,
  PORT_PROTOCOLS,
  type PortForward,
  parseDomainName,
  parseInterfaceName,
  parseIpAddress,
  parsePort,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { type NetworkProfile, parseNetworkProfile } from '@volt/core/profile';
import { bridgeSubnets } from './bridge-plan.js';

/**
 * The bridge private-mode containers attach to unless configured otherwise.
 *
 * @example
 * ```ts
 * unwrap(parseNetworkConfig({})).bridge === DEFAULT_BRIDGE; // true
 * ```
 */
export const DEFAULT_BRIDGE = 'voltbr0';

/**
 * The bridge's IPv4 subnet unless configured otherwise. `10.87.0.0/16` lies in RFC 1918 space and clear of
 * the ranges Docker (172.17.0.0/16 and up), libvirt (192.168.122.0/24) and systemd-networkd's nspawn
 * defaults (pools from 192.168.0.0/16 and 10.0.0.0/8 picked at run time) start from; 65533 addresses.
 *
 * @example
 * ```ts
 * unwrap(parseNetworkConfig({})).subnet === DEFAULT_SUBNET; // true
 * ```
 */
export const DEFAULT_SUBNET = '10.87.0.0/16';

/**
 * The DNS servers a container gets unless configured otherwise (Cloudflare's public resolvers).
 *
 * @example
 * ```ts
 * unwrap(parseNetworkConfig({})).dns; // ['1.1.1.1', '1.0.0.1']
 * ```
 */
export const DEFAULT_DNS_SERVERS: readonly string[] = Object.freeze(['1.1.1.1', '1.0.0.1']);

/**
 * The most DNS servers a configuration may name: the C library reads no more from resolv.conf.
 *
 * @example
 * ```ts
 * parseNetworkConfig({ dns: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '9.9.9.9'] }).ok; // false
 * ```
 */
export const MAX_DNS_SERVERS = 3;

/**
 * The most DNS search domains a configuration may name.
 *
 * @example
 * ```ts
 * parseNetworkConfig({ searchDomains: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }).ok; // false
 * ```
 */
export const MAX_SEARCH_DOMAINS = 6;

/**
 * The default network of a container, and the defaults of every field a profile leaves out: a private
 * stack on {@link DEFAULT_BRIDGE} in {@link DEFAULT_SUBNET}, no port forwards, DNS `1.1.1.1` and
 * `1.0.0.1`, no search domains. A constant, frozen; a unit test checks that it validates to itself.
 *
 * @example
 * ```ts
 * DEFAULT_NETWORK_CONFIG.mode; // 'private'
 * renderResolvConf(DEFAULT_NETWORK_CONFIG); // nameserver 1.1.1.1, nameserver 1.0.0.1
 * ```
 */
export const DEFAULT_NETWORK_CONFIG: Valid<NetworkConfig> = Object.freeze<NetworkConfig>({
  mode: 'private',
  bridge: DEFAULT_BRIDGE,
  subnet: DEFAULT_SUBNET,
  ports: Object.freeze([]),
  dns: DEFAULT_DNS_SERVERS,
  searchDomains: Object.freeze([]),
}) as Valid<NetworkConfig>;

/**
 * The problems of one port forward, each at its field (`protocol`, `hostPort`, `containerPort`): a protocol
 * of {@link PORT_PROTOCOLS} and ports 1..65535 given as numbers. Shared by configurations and lease records.
 *
 * @example
 * ```ts
 * portForwardIssues({ protocol: 'tcp', hostPort: 0, containerPort: 80 })[0]?.path; // ['hostPort']
 * ```
 */
export function portForwardIssues(forward: PortForward): VoltError[] {
  const issues: VoltError[] = [];
  if (!(PORT_PROTOCOLS as readonly unknown[]).includes(forward.protocol)) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${describeValue(forward.protocol)} is not a port-forward protocol; accepted: ${PORT_PROTOCOLS.join(', ')}`,
        { path: ['protocol'] },
      ),
    );
  }
  for (const field of ['hostPort', 'containerPort'] as const) {
    const value: unknown = forward[field];
    const port =
      typeof value === 'number'
        ? parsePort(value)
        : fail(
            new VoltError(
              'INVALID_PORT',
              `${describeValue(value)} is not a port; accepted: a number 1..65535`,
            ),
          );
    if (!port.ok) issues.push(port.error.at([field]));
  }
  return issues;
}

/**
 * Completes the network part of a profile into a configuration: what the profile leaves out takes the
 * value of {@link DEFAULT_NETWORK_CONFIG}; then the rules that need the whole part or its own data: the
 * bridge name and subnets (an IPv4 subnet with room for containers, an IPv6 subnet as large), port
 * forwards only in private mode and each protocol and host port once, at most {@link MAX_DNS_SERVERS} DNS
 * servers and {@link MAX_SEARCH_DOMAINS} search domains. Every problem at once, each at its path under
 * `path`.
 *
 * A {@link NetworkProfile} is a plain type a caller can fill by hand, so each string is read with the same
 * core parser the profile schema uses, which also gives the canonical text (subnets, addresses, lower-case
 * domains without the trailing dot). The shape itself is the type checker's (or
 * {@link parseNetworkConfig}'s, for untyped input).
 *
 * @example
 * ```ts
 * unwrap(networkConfigFromProfile({ mode: 'none' })).bridge; // 'voltbr0'
 * networkConfigFromProfile({ mode: 'host', ports: [{ protocol: 'tcp', hostPort: 80, containerPort: 80 }] }).ok;
 * // false: CONFLICT at ['network', 'ports']
 * ```
 */
export function networkConfigFromProfile(
  profile: NetworkProfile,
  path: InputPath = ['network'],
): Result<Valid<NetworkConfig>> {
  const issues: VoltError[] = [];
  const mode = profile.mode ?? DEFAULT_NETWORK_CONFIG.mode;

  const bridge = parseInterfaceName(profile.bridge ?? DEFAULT_NETWORK_CONFIG.bridge);
  if (!bridge.ok) issues.push(bridge.error.at([...path, 'bridge']));
  const subnets = bridgeSubnets(profile.subnet ?? DEFAULT_NETWORK_CONFIG.subnet, profile.subnet6);
  if (!subnets.ok) issues.push(...subnets.issues.map((issue) => issue.at(path)));

  const ports = profile.ports ?? DEFAULT_NETWORK_CONFIG.ports;
  if (ports.length > 0 && mode !== 'private') {
    issues.push(
      new VoltError(
        'CONFLICT',
        `port forwards need a private network, but the mode is ${mode}; accepted: mode private with ports, or no ports`,
        { path: [...path, 'ports'], hint: 'set network.mode to private or remove network.ports' },
      ),
    );
  }
  ports.forEach((forward, index) => {
    const at = [...path, 'ports', index];
    const problems = portForwardIssues(forward);
    issues.push(...problems.map((issue) => issue.at(at)));
    if (problems.length > 0) return;
    const first = ports.findIndex(
      (other) => other.protocol === forward.protocol && other.hostPort === forward.hostPort,
    );
    if (first < index) {
      issues.push(
        new VoltError(
          'CONFLICT',
          `host port ${forward.protocol}/${forward.hostPort} is already forwarded by ports[${first}]; accepted: each protocol and host port once`,
          { path: at },
        ),
      );
    }
  });

  const dns = profile.dns ?? DEFAULT_NETWORK_CONFIG.dns;
  if (dns.length > MAX_DNS_SERVERS) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${dns.length} DNS servers given; accepted: at most ${MAX_DNS_SERVERS} (the C library reads no more from resolv.conf)`,
        { path: [...path, 'dns'] },
      ),
    );
  }
  const servers = dns.map((server, index) => {
    const address = parseIpAddress(server);
    if (address.ok) return address.value.text;
    issues.push(address.error.at([...path, 'dns', index]));
    return server;
  });

  const searchDomains = profile.searchDomains ?? DEFAULT_NETWORK_CONFIG.searchDomains;
  if (searchDomains.length > MAX_SEARCH_DOMAINS) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${searchDomains.length} search domains given; accepted: at most ${MAX_SEARCH_DOMAINS}`,
        { path: [...path, 'searchDomains'] },
      ),
    );
  }
  const domains = searchDomains.map((domain, index) => {
    const parsed = parseDomainName(domain);
    if (parsed.ok) return parsed.value;
    issues.push(parsed.error.at([...path, 'searchDomains', index]));
    return domain;
  });

  const failed = failAll<Valid<NetworkConfig>>(issues);
  if (failed !== undefined) return failed;
  if (!subnets.ok) return subnets; // reported above
  const config: NetworkConfig = {
    mode,
    bridge: profile.bridge ?? DEFAULT_NETWORK_CONFIG.bridge,
    subnet: subnets.value.subnet.text,
    ...(subnets.value.subnet6 === undefined ? {} : { subnet6: subnets.value.subnet6.text }),
    ports: ports.map(({ protocol, hostPort, containerPort }) => ({ protocol, hostPort, containerPort })),
    dns: servers,
    searchDomains: domains,
  };
  return ok(config as Valid<NetworkConfig>);
}

/**
 * Core's profile grammar spells a port-forward object `{ protocol, host, container }`, a typed
 * {@link PortForward} `{ protocol, hostPort, containerPort }`. A forward in the typed spelling is renamed for
 * the grammar (and the paths of its problems renamed back), so a typed configuration is itself a valid
 * input, like a typed Landlock policy is to core's Landlock part.
 */
const TYPED_FORWARD_FIELDS = { hostPort: 'host', containerPort: 'container' } as const;

function inProfileSpelling(input: unknown): { readonly document: unknown; readonly typed: Set<number> } {
  const typed = new Set<number>();
  const ports = isRecord(input) ? input['ports'] : undefined;
  if (!isRecord(input) || !Array.isArray(ports)) return { document: input, typed };
  const renamed = ports.map((forward: unknown, index) => {
    if (!isRecord(forward) || 'host' in forward || 'container' in forward) return forward;
    if (!('hostPort' in forward || 'containerPort' in forward)) return forward;
    typed.add(index);
    const { hostPort, containerPort, ...rest } = forward;
    return {
      ...rest,
      ...(hostPort === undefined ? {} : { host: hostPort }),
      ...(containerPort === undefined ? {} : { container: containerPort }),
    };
  });
  return { document: { ...input, ports: renamed }, typed };
}

function inTypedSpelling(issue: VoltError, path: InputPath, typed: ReadonlySet<number>): VoltError {
  const at = issue.path.slice(path.length);
  const [ports, index, field, ...rest] = at;
  if (ports !== 'ports' || typeof index !== 'number' || !typed.has(index)) return issue;
  const typedField = Object.entries(TYPED_FORWARD_FIELDS).find(([, spelled]) => spelled === field)?.[0];
  if (typedField === undefined) return issue;
  return new VoltError(issue.code, issue.message, {
    path: [...path, 'ports', index, typedField, ...rest],
    ...(issue.hint === undefined ? {} : { hint: issue.hint }),
    cause: issue,
  });
}

/**
 * Parses a network configuration from untrusted input: core's network part of a profile
 * (`parseNetworkProfile`: shape, unknown keys, each value), then {@link networkConfigFromProfile}
 * (defaults and the rules across fields). The one validator of network configurations, for profile
 * documents and JavaScript callers alike: the profile's spellings (`ports: ['8080:80']`,
 * `{ protocol, host, container }`) and a typed {@link NetworkConfig} are both accepted. Every problem at
 * once, each at its path under `path`.
 *
 * @example
 * ```ts
 * unwrap(parseNetworkConfig({ ports: ['8080:80'] })).ports; // [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }]
 * parseNetworkConfig({ dnss: ['1.1.1.1'] }).ok; // false: INVALID_PROFILE, unknown key "dnss"
 * ```
 */
export function parseNetworkConfig(
  input: unknown,
  path: InputPath = ['network'],
): Result<Valid<NetworkConfig>> {
  const { document, typed } = inProfileSpelling(input);
  const profile = parseNetworkProfile(document, path);
  if (profile.ok) return networkConfigFromProfile(profile.value, path);
  const [first, ...rest] = profile.issues.map((issue) => inTypedSpelling(issue, path, typed));
  return fail(first ?? profile.error, ...rest);
}
