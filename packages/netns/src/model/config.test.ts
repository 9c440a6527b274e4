import { type NetworkConfig, type Result, unwrap, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_CONFIG, networkConfigFromProfile, parseNetworkConfig } from './config.js';

const issuesOf = (result: Result<unknown>) =>
  result.ok ? [] : result.issues.map((issue) => ({ code: issue.code, path: issue.path }));

describe('DEFAULT_NETWORK_CONFIG', () => {
  it('is private on voltbr0 in 10.87.0.0/16 with Cloudflare DNS, frozen, and what an empty profile completes to', () => {
    expect(DEFAULT_NETWORK_CONFIG).toStrictEqual({
      mode: 'private',
      bridge: 'voltbr0',
      subnet: '10.87.0.0/16',
      ports: [],
      dns: ['1.1.1.1', '1.0.0.1'],
      searchDomains: [],
    });
    expect(unwrap(networkConfigFromProfile({}))).toStrictEqual(DEFAULT_NETWORK_CONFIG);
    expect(unwrap(parseNetworkConfig({}))).toStrictEqual(DEFAULT_NETWORK_CONFIG);
    expect(unwrap(parseNetworkConfig(DEFAULT_NETWORK_CONFIG))).toStrictEqual(DEFAULT_NETWORK_CONFIG);
    for (const inner of [
      DEFAULT_NETWORK_CONFIG,
      DEFAULT_NETWORK_CONFIG.ports,
      DEFAULT_NETWORK_CONFIG.dns,
      DEFAULT_NETWORK_CONFIG.searchDomains,
    ])
      expect(Object.isFrozen(inner)).toBe(true);
  });
});

describe('parseNetworkConfig', () => {
  it('accepts the profile spellings and a typed configuration alike', () => {
    const expected = {
      ...DEFAULT_NETWORK_CONFIG,
      ports: [
        { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
        { protocol: 'udp', hostPort: 5353, containerPort: 53 },
      ],
    };
    expect(unwrap(parseNetworkConfig({ ports: ['8080:80', 'udp:5353:53'] }))).toStrictEqual(expected);
    expect(
      unwrap(
        parseNetworkConfig({
          ports: [
            { host: 8080, container: 80 },
            { protocol: 'udp', host: '5353', container: 53 },
          ],
        }),
      ),
    ).toStrictEqual(expected);
    expect(unwrap(parseNetworkConfig(expected))).toStrictEqual(expected);
  });

  it('returns a new value sharing no object with the input', () => {
    const input = {
      mode: 'private',
      bridge: 'br-test',
      subnet: '10.9.0.0/24',
      subnet6: 'fd09::/64',
      ports: [{ protocol: 'udp', hostPort: 5353, containerPort: 53 }],
      dns: ['9.9.9.9', '2620:FE::FE'],
      searchDomains: ['Example.COM.'],
    } as const;
    const value = unwrap(parseNetworkConfig(input));
    expect(value).toStrictEqual({
      mode: 'private',
      bridge: 'br-test',
      subnet: '10.9.0.0/24',
      subnet6: 'fd09::/64',
      ports: [{ protocol: 'udp', hostPort: 5353, containerPort: 53 }],
      dns: ['9.9.9.9', '2620:fe::fe'],
      searchDomains: ['example.com'],
    });
    expect(value.ports).not.toBe(input.ports);
    expect(value.ports[0]).not.toBe(input.ports[0]);
    expect(value.dns).not.toBe(input.dns);
    expect(value.searchDomains).not.toBe(input.searchDomains);
  });

  // Issue 15: a JavaScript caller's typo was silently dropped.
  it('refuses unknown keys, in the configuration and in a forward of either spelling', () => {
    expect(issuesOf(parseNetworkConfig({ ...DEFAULT_NETWORK_CONFIG, dnss: ['1.1.1.1'] }))).toEqual([
      { code: 'INVALID_PROFILE', path: ['network'] },
    ]);
    const ports = [
      { protocol: 'udp', hostPort: 5353, containerPort: 53, note: 'x' },
      { host: 1, container: 2, hostport: 3 },
    ];
    expect(issuesOf(parseNetworkConfig({ ports }))).toEqual([
      { code: 'INVALID_PROFILE', path: ['network', 'ports', 0] },
      { code: 'INVALID_PROFILE', path: ['network', 'ports', 1] },
    ]);
  });

  it('refuses fields of the wrong type one by one, as a JavaScript caller may pass them', () => {
    const wrong = { ...DEFAULT_NETWORK_CONFIG, dns: '1.1.1.1', ports: [null], subnet: 10 };
    expect(issuesOf(parseNetworkConfig(wrong))).toEqual([
      { code: 'INVALID_PROFILE', path: ['network', 'subnet'] },
      { code: 'INVALID_VALUE', path: ['network', 'ports', 0] },
      { code: 'INVALID_PROFILE', path: ['network', 'dns'] },
    ]);
    const ports = [{ protocol: 'tcp', hostPort: true, containerPort: 80 }];
    expect(issuesOf(parseNetworkConfig({ ports }))).toEqual([
      { code: 'INVALID_VALUE', path: ['network', 'ports', 0, 'hostPort'] },
    ]);
    expect(issuesOf(parseNetworkConfig(null))).toEqual([{ code: 'INVALID_PROFILE', path: ['network'] }]);
  });

  it('reports every problem at once with its input path, under the path given', () => {
    const network = {
      mode: 'private',
      bridge: 'a-bridge-name-too-long',
      subnet: '10.87.0.1/16',
      ports: [
        { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
        { protocol: 'tcp', hostPort: 8080, containerPort: 81 },
        { protocol: 'udp', hostPort: 8080, containerPort: 0 },
        { protocol: 'sctp', hostPort: 1, containerPort: 1 },
      ],
      dns: ['1.1.1.1', 'dns.example'],
      searchDomains: ['corp.example', 'bad domain'],
    };
    expect(issuesOf(parseNetworkConfig(network))).toEqual([
      { code: 'INVALID_INTERFACE_NAME', path: ['network', 'bridge'] },
      { code: 'INVALID_SUBNET', path: ['network', 'subnet'] },
      { code: 'INVALID_PORT', path: ['network', 'ports', 2, 'containerPort'] },
      { code: 'INVALID_VALUE', path: ['network', 'ports', 3, 'protocol'] },
      { code: 'INVALID_IP_ADDRESS', path: ['network', 'dns', 1] },
      { code: 'INVALID_VALUE', path: ['network', 'searchDomains', 1] },
    ]);
    // The rules across fields come once each value is valid on its own.
    const duplicate = { ...network, bridge: 'br0', subnet: '10.87.0.0/16', dns: [], searchDomains: [] };
    expect(issuesOf(parseNetworkConfig({ ...duplicate, ports: network.ports.slice(0, 2) }))).toEqual([
      { code: 'CONFLICT', path: ['network', 'ports', 1] },
    ]);
    expect(issuesOf(parseNetworkConfig({ bridge: 'a b' }, ['profile', 'network']))).toEqual([
      { code: 'INVALID_INTERFACE_NAME', path: ['profile', 'network', 'bridge'] },
    ]);
  });

  it('allows the same host port once per protocol', () => {
    expect(issuesOf(parseNetworkConfig({ ports: ['tcp:53:53', 'udp:53:53'] }))).toEqual([]);
  });

  it('refuses port forwards outside private mode, and modes that do not exist', () => {
    expect(issuesOf(parseNetworkConfig({ mode: 'host', ports: ['80:80'] }))).toEqual([
      { code: 'CONFLICT', path: ['network', 'ports'] },
    ]);
    expect(issuesOf(parseNetworkConfig({ mode: 'bridge' }))[0]?.path).toEqual(['network', 'mode']);
  });

  it('canonicalises DNS servers, subnets and search domains', () => {
    const value = unwrap(
      parseNetworkConfig({
        subnet6: 'FD87:0:0::/64',
        dns: ['2606:4700:4700:0:0:0:0:1111'],
        searchDomains: ['Corp.Example.'],
      }),
    );
    expect(value).toMatchObject({
      subnet6: 'fd87::/64',
      dns: ['2606:4700:4700::1111'],
      searchDomains: ['corp.example'],
    });
  });

  it('refuses more than three DNS servers, subnets too small, and unsafe DNS entries', () => {
    expect(issuesOf(parseNetworkConfig({ dns: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '9.9.9.9'] }))).toEqual([
      { code: 'INVALID_VALUE', path: ['network', 'dns'] },
    ]);
    expect(issuesOf(parseNetworkConfig({ subnet: '10.0.0.0/31' }))).toEqual([
      { code: 'INVALID_SUBNET', path: ['network', 'subnet'] },
    ]);
    expect(issuesOf(parseNetworkConfig({ subnet6: 'fd87::/120' }))).toEqual([
      { code: 'INVALID_SUBNET', path: ['network', 'subnet6'] },
    ]);
    expect(issuesOf(parseNetworkConfig({ searchDomains: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }))).toEqual([
      { code: 'INVALID_VALUE', path: ['network', 'searchDomains'] },
    ]);
    for (const entry of ['1.1.1.1\nnameserver 6.6.6.6', '1.1.1.1 ', 'fe80::1%eth0', '01.1.1.1']) {
      expect(issuesOf(parseNetworkConfig({ dns: [entry] }))).toEqual([
        { code: 'INVALID_IP_ADDRESS', path: ['network', 'dns', 0] },
      ]);
    }
  });

  it('never throws, and what it accepts it accepts again unchanged (property)', () => {
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('voltbr0', '10.87.0.0/16', '10.1.2.0/24', '1.1.1.1', 'fd00::/64', 'corp.example'),
    );
    const port = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(80, '8080', null));
    const input = fc.record(
      {
        mode: fc.constantFrom('private', 'host', 'none', 'bogus'),
        bridge: text,
        subnet: text,
        subnet6: text,
        ports: fc.array(
          fc.oneof(
            fc.record({ protocol: fc.constantFrom('tcp', 'udp', 'x'), hostPort: port, containerPort: port }),
            fc.record({ host: port, container: port }),
            text,
          ),
          { maxLength: 4 },
        ),
        dns: fc.array(text, { maxLength: 4 }),
        searchDomains: fc.array(text, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (network) => {
        const result = parseNetworkConfig(network);
        if (!result.ok) {
          expect(
            result.issues.every((issue) => VoltError.isInstance(issue) && issue.path[0] === 'network'),
          ).toBe(true);
          return;
        }
        for (const value of [...result.value.dns, ...result.value.searchDomains, result.value.bridge])
          expect(value).toMatch(/^[A-Za-z0-9_.:-]+$/);
        expect(unwrap(parseNetworkConfig(result.value))).toStrictEqual(result.value);
      }),
    );
  });
});

describe('networkConfigFromProfile', () => {
  it('fills what the profile leaves out from the defaults', () => {
    expect(unwrap(networkConfigFromProfile({ mode: 'none', dns: ['9.9.9.9'] }))).toStrictEqual({
      ...DEFAULT_NETWORK_CONFIG,
      mode: 'none',
      dns: ['9.9.9.9'],
    });
  });

  it('checks the values of a profile filled by hand, not only the rules across fields', () => {
    const profile: Parameters<typeof networkConfigFromProfile>[0] = {
      bridge: 'br0\nPrivate=no',
      subnet: '10.0.0.0/8 ',
      ports: [{ protocol: 'tcp', hostPort: 0, containerPort: 80 }],
      dns: ['1.1.1.1\noptions ndots:15'],
      searchDomains: ['a b'],
    };
    expect(issuesOf(networkConfigFromProfile(profile, ['x']))).toEqual([
      { code: 'INVALID_INTERFACE_NAME', path: ['x', 'bridge'] },
      { code: 'INVALID_SUBNET', path: ['x', 'subnet'] },
      { code: 'INVALID_PORT', path: ['x', 'ports', 0, 'hostPort'] },
      { code: 'INVALID_IP_ADDRESS', path: ['x', 'dns', 0] },
      { code: 'INVALID_VALUE', path: ['x', 'searchDomains', 0] },
    ]);
  });
});

describe('typed configurations', () => {
  it('go through the same rules, with the typed field names in paths', () => {
    const network: NetworkConfig = {
      ...DEFAULT_NETWORK_CONFIG,
      ports: [{ protocol: 'tcp', hostPort: 70000, containerPort: 80 }],
    };
    expect(issuesOf(parseNetworkConfig(network))).toEqual([
      { code: 'INVALID_PORT', path: ['network', 'ports', 0, 'hostPort'] },
    ]);
  });
});
