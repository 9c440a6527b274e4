import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  leaseContainerAddress,
  parseContainerNetworkFile,
  releaseContainerAddress,
  renderContainerNetworkFile,
} from './container.js';
import { leaseAddress, readRecords } from './leases.js';
import { DEFAULT_NETWORK_CONFIG, numberToIpv4, planBridge } from './model.js';

describe('parseContainerNetworkFile', () => {
  it('gives back the subnet of every rendered file, for any IPv4 subnet and leased address in it', () => {
    const subnets = fc
      .tuple(fc.integer({ min: 8, max: 29 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
      .map(([prefix, value]) => {
        const network = (value >>> (32 - prefix)) << (32 - prefix);
        return { prefix, network: network >>> 0 };
      });
    fc.assert(
      fc.property(subnets, fc.integer({ min: 2, max: 6 }), ({ prefix, network }, offset) => {
        const subnet = `${numberToIpv4(network).text}/${prefix}`;
        const config = { ...DEFAULT_NETWORK_CONFIG, subnet };
        const plan = planBridge(config);
        const address = numberToIpv4(
          plan.firstLease + (offset % (plan.lastLease - plan.firstLease + 1)),
        ).text;
        const parsed = parseContainerNetworkFile(renderContainerNetworkFile(config, address));
        expect(parsed).toEqual({ ok: true, value: { subnet: plan.subnet.text } });
      }),
      { numRuns: 300 },
    );
  });

  it('reads the IPv6 subnet too, and refuses a file without an IPv4 address', () => {
    const dual = { ...DEFAULT_NETWORK_CONFIG, subnet6: 'fd87:0:0:1::/64' };
    const parsed = parseContainerNetworkFile(renderContainerNetworkFile(dual, '10.87.0.2', 'fd87:0:0:1::2'));
    expect(parsed).toEqual({ ok: true, value: { subnet: '10.87.0.0/16', subnet6: 'fd87:0:0:1::/64' } });
    const none = parseContainerNetworkFile('[Match]\nName=host0\n\n[Network]\nDNS=1.1.1.1\n');
    expect(none.ok === false && none.error.code).toBe('PARSE_ERROR');
    const bad = parseContainerNetworkFile('[Network]\nAddress=10.0.0.300/8\n');
    expect(bad.ok === false && [bad.error.code, bad.error.path]).toEqual([
      'INVALID_IP_ADDRESS',
      ['Network', 'Address'],
    ]);
  });
});

describe('renderContainerNetworkFile', () => {
  it('gives host0 the leased address, the gateway and the DNS servers', () => {
    expect(renderContainerNetworkFile(DEFAULT_NETWORK_CONFIG, '10.87.0.2')).toBe(
      '[Match]\nName=host0\n\n[Network]\nAddress=10.87.0.2/16\nGateway=10.87.0.1\nDNS=1.1.1.1\nDNS=1.0.0.1\n',
    );
    const dual = { ...DEFAULT_NETWORK_CONFIG, subnet6: 'fd87::/64', searchDomains: ['corp.example'] };
    expect(renderContainerNetworkFile(dual, '10.87.0.2', 'fd87::2')).toContain(
      'Address=fd87::2/64\nGateway=fd87::1\nDNS=1.1.1.1\nDNS=1.0.0.1\nDomains=corp.example\n',
    );
  });

  it('refuses addresses outside the lease range instead of writing them', () => {
    for (const address of ['10.87.0.1', '10.88.0.2', '10.87.255.255', '10.87.0.2\nDNS=6.6.6.6']) {
      expect(() => renderContainerNetworkFile(DEFAULT_NETWORK_CONFIG, address)).toThrow(
        expect.objectContaining({ code: 'INVALID_IP_ADDRESS', path: ['address'] }),
      );
    }
  });
});

describe('leaseContainerAddress', () => {
  it('shares the allocator with direct sandboxes, and releases', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'vtn-container-'));
    try {
      const network = { ...DEFAULT_NETWORK_CONFIG, bridge: 'vtnbr0', subnet: '10.87.0.0/24' };
      await leaseAddress(stateDir, planBridge(network), {
        name: 'vtn-direct',
        mode: 'private',
        bridge: 'vtnbr0',
        table: 'volt_test',
        hostInterface: 'vtnvtn-direct',
        ports: [],
      });
      const record = await leaseContainerAddress('web', network, { stateDir });
      expect(record).toMatchObject({
        name: 'web',
        address: '10.87.0.3',
        hostInterface: 'vb-web',
        table: null,
      });
      await expect(
        leaseContainerAddress('web', { ...network, mode: 'none' }, { stateDir }),
      ).rejects.toMatchObject({
        code: 'UNSUPPORTED',
      });
      await releaseContainerAddress('web', { stateDir });
      expect((await readRecords(stateDir)).map((each) => each.name)).toEqual(['vtn-direct']);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
