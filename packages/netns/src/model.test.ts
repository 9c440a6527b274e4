import { type NetworkConfig, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkBridgeName,
  DEFAULT_NETWORK_CONFIG,
  ipv4ToNumber,
  numberToIpv4,
  planBridge,
  validateNetworkConfig,
} from './model.js';

const issuesOf = (network: NetworkConfig) => {
  const result = validateNetworkConfig(network);
  return result.ok ? [] : result.issues.map((issue) => ({ code: issue.code, path: issue.path }));
};

describe('DEFAULT_NETWORK_CONFIG', () => {
  it('is private on voltbr0 in 10.87.0.0/16 with Cloudflare DNS, and valid', () => {
    expect(DEFAULT_NETWORK_CONFIG).toEqual({
      mode: 'private',
      bridge: 'voltbr0',
      subnet: '10.87.0.0/16',
      ports: [],
      dns: ['1.1.1.1', '1.0.0.1'],
      searchDomains: [],
    });
    expect(validateNetworkConfig(DEFAULT_NETWORK_CONFIG)).toEqual({
      ok: true,
      value: DEFAULT_NETWORK_CONFIG,
    });
  });
});

describe('validateNetworkConfig', () => {
  it('returns a copy frozen all the way down, sharing no object with the input and keeping only known fields', () => {
    const input = {
      mode: 'private',
      bridge: 'br-test',
      subnet: '10.9.0.0/24',
      subnet6: 'fd09::/64',
      ports: [{ protocol: 'udp', hostPort: 5353, containerPort: 53, note: 'x' }],
      dns: ['9.9.9.9', '2620:FE::FE'],
      searchDomains: ['Example.COM.'],
      extra: true,
    } as unknown as NetworkConfig;
    const result = validateNetworkConfig(input);
    if (!result.ok) throw result.error;
    expect(result.value).toStrictEqual({
      mode: 'private',
      bridge: 'br-test',
      subnet: '10.9.0.0/24',
      subnet6: 'fd09::/64',
      ports: [{ protocol: 'udp', hostPort: 5353, containerPort: 53 }],
      dns: ['9.9.9.9', '2620:fe::fe'],
      searchDomains: ['example.com'],
    });
    const { value } = result;
    for (const inner of [value, value.ports, value.ports[0], value.dns, value.searchDomains])
      expect(Object.isFrozen(inner)).toBe(true);
    expect(value.ports).not.toBe(input.ports);
    expect(value.ports[0]).not.toBe(input.ports[0]);
    expect(value.dns).not.toBe(input.dns);
    expect(value.searchDomains).not.toBe(input.searchDomains);
  });

  it('refuses fields of the wrong type one by one, as a JavaScript caller may pass them', () => {
    const wrong = {
      ...DEFAULT_NETWORK_CONFIG,
      dns: '1.1.1.1',
      ports: [null],
      subnet: 10,
    } as unknown as NetworkConfig;
    expect(issuesOf(wrong)).toEqual([
      { code: 'INVALID_VALUE', path: ['network', 'subnet'] },
      { code: 'INVALID_VALUE', path: ['network', 'dns'] },
    ]);
    const ports = [null, { protocol: 'tcp', hostPort: '8080', containerPort: 80 }];
    expect(issuesOf({ ...DEFAULT_NETWORK_CONFIG, ports } as unknown as NetworkConfig)).toEqual([
      { code: 'INVALID_VALUE', path: ['network', 'ports', 0] },
      { code: 'INVALID_VALUE', path: ['network', 'ports', 1, 'hostPort'] },
    ]);
    expect(issuesOf(null as unknown as NetworkConfig)).toEqual([
      { code: 'INVALID_VALUE', path: ['network'] },
    ]);
  });

  it('reports every problem at once with its input path', () => {
    const issues = issuesOf({
      mode: 'private',
      bridge: 'a-bridge-name-too-long',
      subnet: '10.87.0.1/16',
      ports: [
        { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
        { protocol: 'tcp', hostPort: 8080, containerPort: 81 },
        { protocol: 'udp', hostPort: 8080, containerPort: 0 },
        { protocol: 'sctp' as 'tcp', hostPort: 1, containerPort: 1 },
      ],
      dns: ['1.1.1.1', 'dns.example'],
      searchDomains: ['corp.example', 'bad domain'],
    });
    expect(issues).toEqual([
      { code: 'INVALID_INTERFACE_NAME', path: ['network', 'bridge'] },
      { code: 'INVALID_SUBNET', path: ['network', 'subnet'] },
      { code: 'CONFLICT', path: ['network', 'ports', 1, 'hostPort'] },
      { code: 'INVALID_PORT', path: ['network', 'ports', 2, 'containerPort'] },
      { code: 'INVALID_VALUE', path: ['network', 'ports', 3, 'protocol'] },
      { code: 'INVALID_IP_ADDRESS', path: ['network', 'dns', 1] },
      { code: 'INVALID_VALUE', path: ['network', 'searchDomains', 1] },
    ]);
  });

  it('allows the same host port once per protocol', () => {
    expect(
      issuesOf({
        ...DEFAULT_NETWORK_CONFIG,
        ports: [
          { protocol: 'tcp', hostPort: 53, containerPort: 53 },
          { protocol: 'udp', hostPort: 53, containerPort: 53 },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses port forwards outside private mode', () => {
    const ports = [{ protocol: 'tcp' as const, hostPort: 80, containerPort: 80 }];
    expect(issuesOf({ ...DEFAULT_NETWORK_CONFIG, mode: 'host', ports })).toEqual([
      { code: 'CONFLICT', path: ['network', 'ports'] },
    ]);
    expect(issuesOf({ ...DEFAULT_NETWORK_CONFIG, mode: 'bridge' as 'private' })[0]?.path).toEqual([
      'network',
      'mode',
    ]);
  });

  it('canonicalises DNS servers, subnets and search domains', () => {
    const result = validateNetworkConfig({
      ...DEFAULT_NETWORK_CONFIG,
      subnet6: 'FD87:0:0::/64',
      dns: ['2606:4700:4700:0:0:0:0:1111'],
      searchDomains: ['Corp.Example.'],
    });
    expect(result.ok && result.value).toMatchObject({
      subnet6: 'fd87::/64',
      dns: ['2606:4700:4700::1111'],
      searchDomains: ['corp.example'],
    });
  });

  it('refuses more than three DNS servers, subnets too small, and unsafe DNS entries', () => {
    expect(
      issuesOf({ ...DEFAULT_NETWORK_CONFIG, dns: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '9.9.9.9'] }),
    ).toEqual([{ code: 'INVALID_VALUE', path: ['network', 'dns'] }]);
    expect(issuesOf({ ...DEFAULT_NETWORK_CONFIG, subnet: '10.0.0.0/31' })[0]?.code).toBe('INVALID_SUBNET');
    expect(issuesOf({ ...DEFAULT_NETWORK_CONFIG, subnet6: 'fd87::/120' })[0]?.path).toEqual([
      'network',
      'subnet6',
    ]);
    for (const entry of ['1.1.1.1\nnameserver 6.6.6.6', '1.1.1.1 ', 'fe80::1%eth0', '01.1.1.1']) {
      expect(issuesOf({ ...DEFAULT_NETWORK_CONFIG, dns: [entry] })).toEqual([
        { code: 'INVALID_IP_ADDRESS', path: ['network', 'dns', 0] },
      ]);
    }
  });

  it('never throws: any input either validates or fails with VoltErrors (property)', () => {
    const text = fc.oneof(fc.string(), fc.constantFrom('voltbr0', '10.87.0.0/16', '1.1.1.1', 'fd00::/64'));
    fc.assert(
      fc.property(
        fc.record({
          mode: fc.constantFrom('private', 'host', 'none', 'bogus') as fc.Arbitrary<NetworkConfig['mode']>,
          bridge: text,
          subnet: text,
          ports: fc.array(
            fc.record({
              protocol: fc.constantFrom('tcp', 'udp', 'x') as fc.Arbitrary<'tcp'>,
              hostPort: fc.integer({ min: -5, max: 70000 }),
              containerPort: fc.integer({ min: -5, max: 70000 }),
            }),
            { maxLength: 4 },
          ),
          dns: fc.array(text, { maxLength: 4 }),
          searchDomains: fc.array(text, { maxLength: 3 }),
        }),
        (network) => {
          const result = validateNetworkConfig(network);
          if (!result.ok) {
            expect(
              result.issues.every((issue) => VoltError.isInstance(issue) && issue.path[0] === 'network'),
            ).toBe(true);
            return;
          }
          for (const line of [...result.value.dns, ...result.value.searchDomains, result.value.bridge]) {
            expect(line).toMatch(/^[A-Za-z0-9_.:-]+$/);
          }
        },
      ),
    );
  });
});

describe('planBridge', () => {
  it('puts the gateway first and leases the rest up to broadcast', () => {
    const plan = planBridge({ bridge: 'voltbr0', subnet: '10.87.0.0/24', subnet6: 'fd87::/64' });
    expect(plan.gateway.text).toBe('10.87.0.1');
    expect(numberToIpv4(plan.firstLease).text).toBe('10.87.0.2');
    expect(numberToIpv4(plan.lastLease).text).toBe('10.87.0.254');
    expect(plan.gateway6?.text).toBe('fd87::1');
    const smallest = planBridge({ bridge: 'b', subnet: '10.0.0.0/30' });
    expect(smallest.firstLease).toBe(smallest.lastLease);
  });

  it('round-trips addresses through numbers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        expect(ipv4ToNumber(numberToIpv4(value))).toBe(value);
      }),
    );
  });

  it('checks bridge names against the kernel limit', () => {
    expect(checkBridgeName('vtnbr0')).toBe('vtnbr0');
    expect(() => checkBridgeName('sixteen-byte-nam')).toThrow(/15/);
    expect(() => checkBridgeName('br=0')).toThrow(VoltError);
  });
});
