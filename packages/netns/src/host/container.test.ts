import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { planBridge } from '../model/bridge-plan.js';
import { parseNetworkConfig } from '../model/config.js';
import { leaseContainerAddress, releaseContainerAddress } from './container.js';
import { leaseAddress, readRecords } from './lease-records.js';

describe('leaseContainerAddress', () => {
  it('shares the allocator with direct sandboxes, and releases', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'vh3-container-'));
    try {
      const network = unwrap(parseNetworkConfig({ bridge: 'vh3br0', subnet: '10.87.0.0/24' }));
      await leaseAddress(stateDir, planBridge(network), {
        name: 'vh3-direct',
        mode: 'private',
        bridge: 'vh3br0',
        table: 'volt_test',
        hostInterface: 'vh3vh3-direct',
        ports: [],
      });
      const lease = await leaseContainerAddress('web', network, { stateDir });
      expect(lease.address.text).toBe('10.87.0.3');
      expect(readRecords(stateDir).find((each) => each.name === 'web')).toMatchObject({
        address: '10.87.0.3',
        hostInterface: 'vb-web',
        table: null,
      });
      const none = unwrap(parseNetworkConfig({ mode: 'none' }));
      await expect(leaseContainerAddress('web', none, { stateDir })).rejects.toMatchObject({
        code: 'UNSUPPORTED',
      });
      await expect(leaseContainerAddress('a b', network, { stateDir })).rejects.toMatchObject({
        code: 'INVALID_MACHINE_NAME',
        path: ['name'],
      });
      await releaseContainerAddress('web', { stateDir });
      expect(readRecords(stateDir).map((each) => each.name)).toEqual(['vh3-direct']);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
