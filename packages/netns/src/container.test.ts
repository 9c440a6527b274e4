import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaseContainerAddress, releaseContainerAddress, renderContainerNetworkFile } from './container.js';
import { leaseAddress, readRecords } from './leases.js';
import { DEFAULT_NETWORK_CONFIG, planBridge } from './model.js';

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
