import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limits as parsed, TEST_DEVICES, validLimits } from '../../test/arbitraries.js';
import { DEFAULT_RESOURCE_LIMITS } from '../model/defaults.js';
import { cgroupfsValues } from './cgroupfs.js';
import {
  blkioWeightToIoWeight,
  cpuSharesToWeight,
  cpuWeightToShares,
  ioWeightToBlkioWeight,
  ociLinuxResources,
} from './oci.js';

const GIB = 1024 ** 3;
const host = { memoryBytes: 16 * GIB, tasksMax: 32767, devices: TEST_DEVICES };

describe('runc conversions', () => {
  it('cpu shares to weight follows runc (2 → 1, 1024 → 100, 262144 → 10000, 0 unset)', () => {
    expect([0, 2, 3, 512, 1024, 2048, 262143, 262144, 1_000_000].map(cpuSharesToWeight)).toEqual([
      0, 1, 2, 59, 100, 174, 10000, 10000, 10000,
    ]);
  });

  it('every weight 1..10000 has shares that runc maps back to it', () => {
    for (let weight = 1; weight <= 10000; weight++)
      expect(cpuSharesToWeight(cpuWeightToShares(weight))).toBe(weight);
    expect(cpuWeightToShares(100)).toBe(1024);
  });

  it('blkio weight follows runc, and the inverse is exact or absent', () => {
    expect(blkioWeightToIoWeight(10)).toBe(1);
    expect(blkioWeightToIoWeight(1000)).toBe(10000);
    expect(blkioWeightToIoWeight(500)).toBe(4950);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10000 }), (weight) => {
        const v1 = ioWeightToBlkioWeight(weight);
        if (v1 !== undefined) expect(blkioWeightToIoWeight(v1)).toBe(weight);
      }),
    );
    for (let v1 = 10; v1 <= 1000; v1++) expect(ioWeightToBlkioWeight(blkioWeightToIoWeight(v1))).toBe(v1);
    expect(ioWeightToBlkioWeight(100)).toBeUndefined();
  });
});

describe('ociLinuxResources', () => {
  it('renders the defaults', () => {
    expect(ociLinuxResources(DEFAULT_RESOURCE_LIMITS)).toEqual({
      resources: {
        memory: { limit: 2 * GIB },
        cpu: { shares: 1024 },
        pids: { limit: 4096 },
        unified: { 'memory.high': String(GIB), 'cpu.weight': '100', 'io.weight': 'default 100' },
      },
      omitted: [{ path: ['resources', 'delegate'], reason: expect.any(String) }],
    });
  });

  it('expresses swap as memory+swap, as runc expects', () => {
    const limits = parsed({ memory: { max: '1G', swapMax: '512M' } });
    expect(ociLinuxResources(limits).resources.memory).toEqual({ limit: GIB, swap: 1.5 * GIB });
    expect(ociLinuxResources(parsed({ memory: { swapMax: 5 } })).resources).toEqual({
      unified: { 'memory.swap.max': '5' },
    });
    expect(ociLinuxResources(parsed({ memory: { swapMax: 'infinity' } })).resources).toEqual({
      memory: { swap: -1 },
    });
    // runc would turn limit -1 without swap into unlimited swap as well: unified avoids touching swap.
    expect(ociLinuxResources(parsed({ memory: { max: 'infinity' } })).resources).toEqual({
      unified: { 'memory.max': 'max' },
    });
  });

  it('renders CPU, placement, pids and device throttles, and lists what OCI cannot say', () => {
    const limits = parsed({
      memory: { low: 4096 },
      cpu: {
        weight: 'idle',
        startupWeight: 50,
        quota: '50%',
        quotaPeriod: '20ms',
        allowedCpus: [1, 2],
        allowedMemoryNodes: [0],
      },
      io: {
        weight: 4950,
        devices: [{ device: '/dev/vtcdisk1', weight: 5, readBandwidthMax: 1000, writeIopsMax: 'infinity' }],
      },
      tasks: { max: 'infinity' },
    });
    expect(ociLinuxResources(limits, host)).toEqual({
      resources: {
        memory: { reservation: 4096 },
        cpu: { idle: 1, quota: 10000, period: 20000, cpus: '1-2', mems: '0' },
        pids: { limit: -1 },
        blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 16, rate: 1000 }] },
        unified: { 'io.weight': 'default 4950' },
      },
      omitted: [
        { path: ['resources', 'cpu', 'startupWeight'], reason: expect.any(String) },
        { path: ['resources', 'io', 'devices', 0, 'weight'], reason: expect.any(String) },
        { path: ['resources', 'io', 'devices', 0, 'writeIopsMax'], reason: expect.any(String) },
      ],
    });
  });

  it('property: applying runc conversions to the OCI form gives the cgroupfs values', () => {
    fc.assert(
      fc.property(validLimits, (limits) => {
        const { resources } = ociLinuxResources(limits, host);
        const files = new Map(cgroupfsValues(limits, host).filter(([file]) => !file.startsWith('io.')));
        const unified = resources.unified ?? {};
        const fromOci = new Map<string, string>();
        const memoryText = (value: number) => (value === -1 ? 'max' : String(value));
        if (resources.memory?.limit !== undefined)
          fromOci.set('memory.max', memoryText(resources.memory.limit));
        if (resources.memory?.reservation !== undefined)
          fromOci.set('memory.low', memoryText(resources.memory.reservation));
        if (resources.memory?.swap !== undefined) {
          const swap = resources.memory.swap;
          const limit = resources.memory.limit ?? 0;
          fromOci.set('memory.swap.max', swap === -1 ? 'max' : String(swap - limit));
        }
        if (resources.cpu?.shares !== undefined)
          fromOci.set('cpu.weight', String(cpuSharesToWeight(resources.cpu.shares)));
        if (resources.cpu?.idle !== undefined) fromOci.set('cpu.idle', String(resources.cpu.idle));
        if (resources.cpu?.quota !== undefined)
          fromOci.set('cpu.max', `${resources.cpu.quota} ${resources.cpu.period}`);
        if (resources.cpu?.cpus !== undefined) fromOci.set('cpuset.cpus', resources.cpu.cpus);
        if (resources.cpu?.mems !== undefined) fromOci.set('cpuset.mems', resources.cpu.mems);
        if (resources.pids !== undefined) fromOci.set('pids.max', memoryText(resources.pids.limit));
        for (const [file, value] of Object.entries(unified))
          if (!file.startsWith('io.')) fromOci.set(file, value);
        // systemd writes cpu.max "max 100000" for a period without a quota; OCI leaves cpu.max alone then.
        if (limits.cpu?.quota === undefined) files.delete('cpu.max');
        expect(fromOci).toEqual(files);
      }),
    );
  });
});
