import {
  describeValue,
  EMPTY_LIST,
  failAll,
  fieldTypeChecker,
  type InputPath,
  type IpAddress,
  type IpSubnet,
  ipFromBytes,
  isRecord,
  type Mutable,
  NETWORK_MODES,
  type NetworkConfig,
  type NetworkMode,
  ok,
  PORT_PROTOCOLS,
  type PortForward,
  parseDomainName,
  parseInterfaceName,
  parseIpAddress,
  parsePort,
  parseSubnet,
  type Result,
  rememberValidated,
  unwrap,
  VoltError,
  wrongType,
} from '@volt/core';
import type { NetworkProfile } from '@volt/core/profile';

/**
 * The bridge private-mode containers attach to unless configured otherwise.
 *
 * @example
 * ```ts
 * resolveNetworkConfig({}).bridge === DEFAULT_BRIDGE; // true
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
 * planBridge({ bridge: DEFAULT_BRIDGE, subnet: DEFAULT_SUBNET }).gateway.text; // '10.87.0.1'
 * ```
 */
export const DEFAULT_SUBNET = '10.87.0.0/16';

/**
 * The DNS servers a container gets unless configured otherwise (Cloudflare's public resolvers).
 *
 * @example
 * ```ts
 * resolveNetworkConfig({}).dns; // ['1.1.1.1', '1.0.0.1']
 * ```
 */
export const DEFAULT_DNS_SERVERS: readonly string[] = Object.freeze(['1.1.1.1', '1.0.0.1']);

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

const MAX_SEARCH_DOMAINS = 6;

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

function checkMode(mode: unknown, network: InputPath): VoltError | undefined {
  if ((NETWORK_MODES as readonly unknown[]).includes(mode)) return undefined;
  return new VoltError(
    'INVALID_VALUE',
    `${describeValue(mode)} is not a network mode; accepted: ${NETWORK_MODES.join(', ')}`,
    { path: [...network, 'mode'] },
  );
}

/** The port forwards that passed their checks, each a frozen copy; problems are added to `issues`. */
function checkPorts(
  mode: NetworkMode,
  ports: readonly PortForward[],
  network: InputPath,
  issues: VoltError[],
): readonly PortForward[] {
  const path = [...network, 'ports'];
  const out: PortForward[] = [];
  const seen = new Map<string, number>();
  if (ports.length > 0 && mode !== 'private') {
    issues.push(
      new VoltError(
        'CONFLICT',
        `port forwards need a private network, but the mode is ${mode}; accepted: mode private with ports, or no ports`,
        { path, hint: 'set network.mode to private or remove network.ports' },
      ),
    );
  }
  for (let index = 0; index < ports.length; index++) {
    const forward = ports[index];
    const at = [...path, index];
    if (!isRecord(forward)) {
      issues.push(wrongType(at, 'a port forward { protocol, hostPort, containerPort }', forward));
      continue;
    }
    let valid = true;
    if (!(PORT_PROTOCOLS as readonly unknown[]).includes(forward.protocol)) {
      issues.push(
        new VoltError(
          'INVALID_VALUE',
          `${describeValue(forward.protocol)} is not a port-forward protocol; accepted: ${PORT_PROTOCOLS.join(', ')}`,
          { path: [...at, 'protocol'] },
        ),
      );
      valid = false;
    }
    for (const key of ['hostPort', 'containerPort'] as const) {
      if (typeof forward[key] !== 'number') {
        issues.push(wrongType([...at, key], 'a port number 1..65535', forward[key]));
        valid = false;
        continue;
      }
      const port = parsePort(forward[key]);
      if (!port.ok) {
        issues.push(port.error.at([...at, key]));
        valid = false;
      }
    }
    if (!valid) continue;
    const key = `${forward.protocol}:${forward.hostPort}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push(
        new VoltError(
          'CONFLICT',
          `host port ${forward.protocol}/${forward.hostPort} is already forwarded by ${[...path, first].join('.')}; accepted: each protocol and host port once`,
          { path: [...at, 'hostPort'] },
        ),
      );
      continue;
    }
    seen.set(key, index);
    out.push(
      Object.freeze({
        protocol: forward.protocol,
        hostPort: forward.hostPort,
        containerPort: forward.containerPort,
      }),
    );
  }
  return Object.freeze(out);
}

/**
 * Checks a bridge name (kernel limit of 15 bytes, characters safe in files and argument lists).
 *
 * @throws {@link VoltError} `INVALID_INTERFACE_NAME` at `['network', 'bridge']`.
 * @example
 * ```ts
 * checkBridgeName('voltbr0'); // 'voltbr0'
 * ```
 */
export function checkBridgeName(bridge: string): string {
  const parsed = parseInterfaceName(bridge);
  if (!parsed.ok) throw parsed.error.at(['network', 'bridge']);
  return parsed.value;
}

/**
 * Plans the addresses of a bridge: the gateway is the subnet's first host address; containers lease from
 * the next address up to the last one before broadcast. IPv4 subnets must leave room for at least one
 * container (prefix /30 or shorter); an IPv6 subnet's gateway is its `::1`, and it must hold as many
 * addresses as the IPv4 subnet (each lease gets its IPv6 twin).
 *
 * @throws {@link VoltError} `INVALID_SUBNET` (path `subnet`/`subnet6`) for bad or too small subnets,
 *   `INVALID_INTERFACE_NAME` (path `bridge`) for a bad bridge name.
 * @example
 * ```ts
 * const plan = planBridge({ ...DEFAULT_NETWORK_CONFIG, subnet: '10.87.0.0/24' });
 * plan.gateway.text; // '10.87.0.1'
 * numberToIpv4(plan.lastLease).text; // '10.87.0.254'
 * ```
 */
export function planBridge(network: Pick<NetworkConfig, 'bridge' | 'subnet' | 'subnet6'>): BridgePlan {
  const bridge = parseInterfaceName(network.bridge);
  if (!bridge.ok) throw bridge.error.at(['bridge']);
  const { subnet, subnet6 } = parseBridgeSubnets(network);
  const base = ipv4ToNumber(subnet.address);
  const size = 2 ** (32 - subnet.prefixLength);
  const plan = {
    bridge: bridge.value,
    subnet,
    gateway: numberToIpv4(base + 1),
    firstLease: base + 2,
    lastLease: base + size - 2,
  };
  if (subnet6 === undefined) return plan;
  const bytes6 = [...subnet6.address.bytes];
  bytes6[15] = (bytes6[15] as number) | 1;
  return { ...plan, subnet6, gateway6: ipFromBytes(bytes6) };
}

/**
 * The bridge's subnets, parsed and checked for room: an IPv4 subnet of /30 or shorter, and an optional
 * IPv6 subnet holding as many addresses.
 *
 * @throws {@link VoltError} `INVALID_SUBNET` at `subnet` or `subnet6`.
 */
function parseBridgeSubnets(network: Pick<NetworkConfig, 'subnet' | 'subnet6'>): {
  readonly subnet: IpSubnet;
  readonly subnet6: IpSubnet | undefined;
} {
  const subnet = parseSubnet(network.subnet, 4);
  if (!subnet.ok) throw subnet.error.at(['subnet']);
  if (subnet.value.prefixLength > 30) {
    throw new VoltError(
      'INVALID_SUBNET',
      `${subnet.value.text} has no room for a gateway and a container; accepted: an IPv4 subnet of prefix length /30 or shorter`,
      { path: ['subnet'] },
    );
  }
  if (network.subnet6 === undefined) return { subnet: subnet.value, subnet6: undefined };
  const subnet6 = parseSubnet(network.subnet6, 6);
  if (!subnet6.ok) throw subnet6.error.at(['subnet6']);
  const longest6 = 128 - (32 - subnet.value.prefixLength);
  if (subnet6.value.prefixLength > longest6) {
    throw new VoltError(
      'INVALID_SUBNET',
      `${subnet6.value.text} is smaller than the IPv4 subnet ${subnet.value.text}; accepted: an IPv6 subnet of prefix length /${longest6} or shorter (e.g. fd87::/64), so every IPv4 lease has its IPv6 twin`,
      { path: ['subnet6'] },
    );
  }
  return { subnet: subnet.value, subnet6: subnet6.value };
}

/** The field types a JavaScript caller may get wrong; checked before anything reads the fields. */
const checkNetworkFieldTypes = fieldTypeChecker({
  bridge: 'string',
  subnet: 'string',
  subnet6: 'string?',
  ports: 'list',
  dns: 'list',
  searchDomains: 'list',
});

function checkNetworkConfig(network: NetworkConfig, path: InputPath = ['network']): Result<NetworkConfig> {
  const wrongTypes = failAll<NetworkConfig>(checkNetworkFieldTypes(network, path));
  if (wrongTypes !== undefined) return wrongTypes;
  const issues: VoltError[] = [];
  const modeIssue = checkMode(network.mode, path);
  if (modeIssue !== undefined) issues.push(modeIssue);

  let subnet = network.subnet;
  let subnet6 = network.subnet6;
  const bridge = parseInterfaceName(network.bridge);
  if (!bridge.ok) issues.push(bridge.error.at([...path, 'bridge']));
  try {
    const subnets = parseBridgeSubnets(network);
    subnet = subnets.subnet.text;
    subnet6 = subnets.subnet6?.text;
  } catch (error) {
    if (!VoltError.isInstance(error)) throw error;
    issues.push(error.at(path));
  }

  const ports =
    network.ports.length === 0 ? EMPTY_LIST : checkPorts(network.mode, network.ports, path, issues);

  const dns: string[] = [];
  if (network.dns.length > 3) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${network.dns.length} DNS servers given; accepted: at most 3 (the C library reads no more from resolv.conf)`,
        { path: [...path, 'dns'] },
      ),
    );
  }
  for (let index = 0; index < network.dns.length; index++) {
    const address = parseIpAddress(network.dns[index] as string);
    if (address.ok) dns.push(address.value.text);
    else issues.push(address.error.at([...path, 'dns', index]));
  }

  const searchDomains: string[] = [];
  if (network.searchDomains.length > MAX_SEARCH_DOMAINS) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${network.searchDomains.length} search domains given; accepted: at most ${MAX_SEARCH_DOMAINS}`,
        { path: [...path, 'searchDomains'] },
      ),
    );
  }
  for (let index = 0; index < network.searchDomains.length; index++) {
    const domain = parseDomainName(network.searchDomains[index] as string);
    if (domain.ok) searchDomains.push(domain.value);
    else issues.push(domain.error.at([...path, 'searchDomains', index]));
  }

  const failed = failAll<NetworkConfig>(issues);
  if (failed !== undefined) return failed;
  const canonical: Mutable<NetworkConfig> = {
    mode: network.mode,
    bridge: network.bridge,
    subnet,
    ports,
    dns: Object.freeze(dns),
    searchDomains: searchDomains.length === 0 ? EMPTY_LIST : Object.freeze(searchDomains),
  };
  if (subnet6 !== undefined) canonical.subnet6 = subnet6;
  return ok(Object.freeze(canonical));
}

/**
 * Checks a network configuration as a whole and returns it canonical (DNS servers and subnets in
 * canonical text, search domains without trailing dots), or every problem found at once. Checks: the
 * mode; the bridge name (kernel limit of 15 bytes, safe characters); the subnets (IPv4 CIDR with room for
 * containers, optional IPv6); ports 1..65535 and protocol tcp|udp; no two forwards on the same host port
 * and protocol; forwards only in private mode; DNS entries are IP addresses (at most 3, as glibc reads);
 * search domains are domain names (at most 6, lower-cased). Errors carry paths under `path`, e.g.
 * `['network', 'ports', 1, 'hostPort']`.
 *
 * The result is frozen, and checked only once: validated again (by a renderer), it is accepted at once.
 *
 * @example
 * ```ts
 * validateNetworkConfig(DEFAULT_NETWORK_CONFIG).ok; // true
 * const bad = validateNetworkConfig({ ...DEFAULT_NETWORK_CONFIG, dns: ['dns.example'] });
 * bad.ok === false && bad.error.path; // ['network', 'dns', 0]
 * ```
 */
export const validateNetworkConfig: (network: NetworkConfig, path?: InputPath) => Result<NetworkConfig> =
  rememberValidated(checkNetworkConfig);

/**
 * The default network of a container: a private stack on `voltbr0` in {@link DEFAULT_SUBNET}, no port
 * forwards, DNS `1.1.1.1` and `1.0.0.1`, no search domains. A validated value, shared by every container that
 * keeps it: validating it again costs nothing.
 *
 * @example
 * ```ts
 * DEFAULT_NETWORK_CONFIG.mode; // 'private'
 * DEFAULT_NETWORK_CONFIG.dns; // ['1.1.1.1', '1.0.0.1']
 * ```
 */
export const DEFAULT_NETWORK_CONFIG: NetworkConfig = unwrap(
  validateNetworkConfig({
    mode: 'private',
    bridge: DEFAULT_BRIDGE,
    subnet: DEFAULT_SUBNET,
    ports: [],
    dns: DEFAULT_DNS_SERVERS,
    searchDomains: [],
  }),
);

/**
 * Fills a profile's network part from {@link DEFAULT_NETWORK_CONFIG} and validates the result: what the
 * profile leaves out takes the default (`mode` private, `bridge` voltbr0, `subnet` 10.87.0.0/16, no
 * ports, DNS 1.1.1.1 and 1.0.0.1, no search domains).
 *
 * @throws {@link VoltError} the first problem {@link validateNetworkConfig} finds.
 * @example
 * ```ts
 * resolveNetworkConfig({ mode: 'none' }).bridge; // 'voltbr0'
 * ```
 */
export function resolveNetworkConfig(profile: NetworkProfile = {}): NetworkConfig {
  const subnet6 = profile.subnet6 ?? DEFAULT_NETWORK_CONFIG.subnet6;
  return unwrap(
    validateNetworkConfig({
      mode: profile.mode ?? DEFAULT_NETWORK_CONFIG.mode,
      bridge: profile.bridge ?? DEFAULT_NETWORK_CONFIG.bridge,
      subnet: profile.subnet ?? DEFAULT_NETWORK_CONFIG.subnet,
      ...(subnet6 === undefined ? {} : { subnet6 }),
      ports: profile.ports ?? DEFAULT_NETWORK_CONFIG.ports,
      dns: profile.dns ?? DEFAULT_NETWORK_CONFIG.dns,
      searchDomains: profile.searchDomains ?? DEFAULT_NETWORK_CONFIG.searchDomains,
    }),
  );
}
