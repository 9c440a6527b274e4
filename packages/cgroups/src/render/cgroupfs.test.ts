import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limits as parsed, TEST_DEVICES, validLimits } from '../../test/arbitraries.js';
import { DEFAULT_RESOURCE_LIMITS } from '../model/defaults.js';
import { cgroupfsValues, cpuMaxValue, requiredControllers } from './cgroupfs.js';

const GIB = 1024 ** 3;
const host = { memoryBytes: 16 * GIB, tasksMax: 32767, devices: TEST_DEVICES };

describe('cgroupfsValues', () => {
  it('renders the defaults', () => {
    expect(cgroupfsValues(DEFAULT_RESOURCE_LIMITS)).toEqual([
      ['memory.high', '1073741824'],
      ['memory.max', '2147483648'],
      ['cpu.weight', '100'],
      ['io.weight', 'default 100'],
      ['pids.max', '4096'],
    ]);
  });

  it('renders every file of the resource set', () => {
    const limits = parsed({
      delegate: true,
      memory: { min: 1024, low: '12.5%', high: '50%', max: 'infinity', swapMax: 0, zswapMax: 'infinity' },
      cpu: {
        weight: 'idle',
        startupWeight: 5,
        quota: '150%',
        allowedCpus: '0-3,5',
        allowedMemoryNodes: [0, 1],
      },
      io: {
        weight: 300,
        devices: [
          { device: '/dev/vtcdisk0', weight: 20, readBandwidthMax: '10M' },
          { device: '/dev/vtcdisk1', writeBandwidthMax: 'infinity', readIopsMax: 100, writeIopsMax: 200 },
        ],
      },
      tasks: { max: '10%' },
    });
    expect(cgroupfsValues(limits, host)).toEqual([
      ['memory.min', '1024'],
      ['memory.low', String(2 * GIB)],
      ['memory.high', String(8 * GIB)],
      ['memory.max', 'max'],
      ['memory.swap.max', '0'],
      ['memory.zswap.max', 'max'],
      ['cpu.idle', '1'],
      ['cpu.max', '150000 100000'],
      ['cpuset.cpus', '0-3,5'],
      ['cpuset.mems', '0-1'],
      ['io.weight', 'default 300'],
      ['pids.max', '3276'],
      ['io.weight', '8:0 20'],
      ['io.max', '8:0 rbps=10000000'],
      ['io.max', '8:16 wbps=max riops=100 wiops=200'],
    ]);
    expect(requiredControllers(cgroupfsValues(limits, host))).toEqual([
      'cpuset',
      'cpu',
      'io',
      'memory',
      'pids',
    ]);
  });

  it('computes cpu.max as systemd does (default period 100 ms, quota at least 1 ms, period at most 1 s)', () => {
    expect(cpuMaxValue(15000, undefined)).toBe('150000 100000');
    expect(cpuMaxValue(2000, 50_000)).toBe('10000 50000');
    expect(cpuMaxValue(500, 10_000)).toBe('1000 20000');
    expect(cpuMaxValue(1, undefined)).toBe('1000 1000000');
    expect(cpuMaxValue(undefined, 20_000)).toBe('max 100000');
  });

  it('needs host facts for percentages and devices, and says which', () => {
    expect(() => cgroupfsValues(parsed({ memory: { max: '0.01%' } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['resources', 'memory', 'max'] }),
    );
    expect(() => cgroupfsValues(parsed({ tasks: { max: '0.01%' } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['resources', 'tasks', 'max'] }),
    );
    expect(() =>
      cgroupfsValues(parsed({ io: { devices: [{ device: '/dev/nope', weight: 1 }] } }), host),
    ).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['resources', 'io', 'devices', 0, 'device'] }),
    );
  });

  it('refuses two paths of one device', () => {
    const devices = new Map([
      ['/dev/a', { major: 8, minor: 0 }],
      ['/dev/b', { major: 8, minor: 0 }],
    ]);
    const limits = parsed({
      io: {
        devices: [
          { device: '/dev/a', weight: 1 },
          { device: '/dev/b', weight: 2 },
        ],
      },
    });
    expect(() => cgroupfsValues(limits, { devices })).toThrow(
      expect.objectContaining({ code: 'CONFLICT', path: ['resources', 'io', 'devices', 1, 'device'] }),
    );
  });

  it('property: every value is one line of kernel syntax, and quota period stays in 1 ms..1 s', () => {
    fc.assert(
      fc.property(validLimits, (limits) => {
        for (const [file, value] of cgroupfsValues(limits, host)) {
          expect(file).toMatch(/^(memory|cpu|cpuset|io|pids)\.[a-z.]+$/);
          expect(value).toMatch(/^[\w:=., -]+$/);
          if (file === 'cpu.max') {
            const [quota, period] = value.split(' ');
            expect(Number(period)).toBeGreaterThanOrEqual(1000);
            expect(Number(period)).toBeLessThanOrEqual(1_000_000);
            if (quota !== 'max') expect(Number(quota)).toBeGreaterThanOrEqual(1000);
          }
        }
      }),
    );
  });
});
