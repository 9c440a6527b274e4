import { type NetworkConfig, unwrap, type Valid } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderContainerNetworkFile } from '../render/networkd.js';
import { nspawnNetworkSection } from '../render/nspawn.js';
import { renderResolvConf } from '../render/resolv-conf.js';
import { numberToIpv4, planBridge } from './bridge-plan.js';
import { DEFAULT_NETWORK_CONFIG, parseNetworkConfig } from './config.js';
import { pairedIpv6, parseContainerLease } from './leases.js';
import { networkConfigFromInstalled, parseContainerNetworkFile, parseResolvConf } from './read-back.js';

/** Valid configurations built directly: every mode, IPv4 subnets /8../29 with an optional IPv6 twin. */
const networks: fc.Arbitrary<Valid<NetworkConfig>> = fc
  .record({
    mode: fc.constantFrom('private', 'host', 'none'),
    bridge: fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/),
    prefix: fc.integer({ min: 8, max: 29 }),
    base: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    ipv6: fc.boolean(),
    ports: fc.uniqueArray(
      fc.record({
        protocol: fc.constantFrom('tcp', 'udp'),
        hostPort: fc.integer({ min: 1, max: 65535 }),
        containerPort: fc.integer({ min: 1, max: 65535 }),
      }),
      { maxLength: 3, selector: (forward) => `${forward.protocol}/${forward.hostPort}` },
    ),
    dns: fc.array(fc.ipV4(), { maxLength: 3 }),
    searchDomains: fc.array(fc.constantFrom('corp.example', 'lab', 'a-b.example.org'), { maxLength: 6 }),
  })
  .map(({ mode, prefix, base, ipv6, ports, ...rest }) => {
    const network = ((base >>> (32 - prefix)) << (32 - prefix)) >>> 0;
    return unwrap(
      parseNetworkConfig({
        ...rest,
        mode,
        subnet: `${numberToIpv4(network).text}/${prefix}`,
        ...(ipv6 ? { subnet6: 'fd87:0:0:1::/64' } : {}),
        ports: mode === 'private' ? ports : [],
      }),
    );
  });

describe('networkConfigFromInstalled', () => {
  it('reads back what the renderers wrote, for any valid configuration (property)', () => {
    fc.assert(
      fc.property(networks, fc.integer({ min: 0, max: 2 ** 20 }), (network, offset) => {
        const plan = planBridge(network);
        const address = numberToIpv4(plan.firstLease + (offset % (plan.lastLease - plan.firstLease + 1)));
        const lease = parseContainerLease(plan, {
          address: address.text,
          address6: pairedIpv6(plan, address)?.text,
        });
        const files = {
          networkSection: nspawnNetworkSection(network),
          resolvConf: renderResolvConf(network),
          // Only a private container has a lease, so only its files say the subnets.
          ...(network.mode === 'private'
            ? { containerNetworkFile: renderContainerNetworkFile(network, unwrap(lease)) }
            : {}),
        };
        const { subnet6: _, ...withoutSubnet6 } = network;
        expect(unwrap(networkConfigFromInstalled(files))).toStrictEqual(
          network.mode === 'private'
            ? network
            : {
                ...withoutSubnet6,
                bridge: DEFAULT_NETWORK_CONFIG.bridge,
                subnet: DEFAULT_NETWORK_CONFIG.subnet,
              },
        );
      }),
    );
  });

  it('takes the defaults for what no file says, and refuses keys and modes Volt does not write', () => {
    expect(
      unwrap(
        networkConfigFromInstalled({
          networkSection: [
            ['Private', 'yes'],
            ['VirtualEthernet', 'no'],
          ],
        }),
      ),
    ).toStrictEqual({ ...DEFAULT_NETWORK_CONFIG, mode: 'none' });
    const cases: [readonly (readonly [string, string])[], readonly (string | number)[]][] = [
      [
        [
          ['Private', 'yes'],
          ['VirtualEthernet', 'yes'],
          ['Bridge', 'br0'],
          ['Zone', 'z'],
        ],
        ['Network', 'Zone'],
      ],
      [
        [
          ['Private', 'no'],
          ['VirtualEthernet', 'yes'],
        ],
        ['Network', 'Private'],
      ],
      [[['VirtualEthernet', 'no']], ['Network', 'Private']],
      [
        [
          ['Private', 'yes'],
          ['Private', 'no'],
          ['VirtualEthernet', 'no'],
        ],
        ['Network', 'Private'],
      ],
      [
        [
          ['Private', 'yes'],
          ['VirtualEthernet', 'yes'],
        ],
        ['Network', 'Bridge'],
      ],
      [
        [
          ['Private', 'yes'],
          ['VirtualEthernet', 'no'],
          ['Port', 'tcp:80:80'],
        ],
        ['Network', 'Bridge'],
      ],
    ];
    for (const [networkSection, path] of cases) {
      const result = networkConfigFromInstalled({ networkSection });
      expect(result.ok === false && [result.error.code, result.error.path]).toEqual(['PARSE_ERROR', path]);
    }
  });

  it('checks what it read by the rules of every configuration', () => {
    const section = [
      ['Private', 'yes'],
      ['VirtualEthernet', 'yes'],
      ['Bridge', 'br 0'],
      ['Port', 'tcp:80:80'],
      ['Port', 'tcp:80:81'],
    ] as const;
    const result = networkConfigFromInstalled({
      networkSection: section,
      resolvConf: 'nameserver 1.1.1.1 \nnameserver x\n',
    });
    expect(result.ok === false && result.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['INVALID_INTERFACE_NAME', ['network', 'bridge']],
      ['INVALID_IP_ADDRESS', ['network', 'dns', 1]],
    ]);
    const ports = networkConfigFromInstalled({
      networkSection: [...section.slice(0, 2), ['Bridge', 'br0'], ...section.slice(3)],
    });
    expect(ports.ok === false && [ports.error.code, ports.error.path]).toEqual([
      'CONFLICT',
      ['network', 'ports', 1],
    ]);
  });
});

describe('parseResolvConf', () => {
  it('reads the servers and search domains, and refuses lines Volt does not write', () => {
    expect(
      unwrap(parseResolvConf('# a comment\nnameserver 1.1.1.1\n\nnameserver fd00::53\nsearch a.example b\n')),
    ).toEqual({
      dns: ['1.1.1.1', 'fd00::53'],
      searchDomains: ['a.example', 'b'],
    });
    for (const text of [
      'options ndots:15\n',
      'nameserver 1.1.1.1 2.2.2.2\n',
      'search a\nsearch b\n',
      'nameserver\n',
    ]) {
      const result = parseResolvConf(text);
      expect(result.ok === false && result.error.code).toBe('PARSE_ERROR');
    }
  });
});

describe('parseContainerNetworkFile', () => {
  it('reads the IPv6 subnet too, and refuses a file without an IPv4 address', () => {
    const dual = unwrap(parseNetworkConfig({ subnet6: 'fd87:0:0:1::/64' }));
    const lease = unwrap(
      parseContainerLease(planBridge(dual), { address: '10.87.0.2', address6: 'fd87:0:0:1::2' }),
    );
    expect(parseContainerNetworkFile(renderContainerNetworkFile(dual, lease))).toEqual({
      ok: true,
      value: { subnet: '10.87.0.0/16', subnet6: 'fd87:0:0:1::/64' },
    });
    const none = parseContainerNetworkFile('[Match]\nName=host0\n\n[Network]\nDNS=1.1.1.1\n');
    expect(none.ok === false && none.error.code).toBe('PARSE_ERROR');
    const bad = parseContainerNetworkFile('[Network]\nAddress=10.0.0.300/8\n');
    expect(bad.ok === false && [bad.error.code, bad.error.path]).toEqual([
      'INVALID_IP_ADDRESS',
      ['Network', 'Address'],
    ]);
  });
});
