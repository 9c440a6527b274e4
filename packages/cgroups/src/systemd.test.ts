import {
  type ByteLimit,
  parseByteLimit,
  parseIndexSet,
  parsePercentage,
  parseTimeSpan,
  parseUnitFile,
  type ResourceLimits,
  unwrap,
} from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validLimits } from '../test/arbitraries.js';
import { DEFAULT_RESOURCE_LIMITS } from './defaults.js';
import { renderServiceDropin, systemdProperties, systemdPropertyArgs } from './systemd.js';

const none: ResourceLimits = { delegate: false, memory: {}, cpu: {}, io: { devices: [] }, tasks: {} };
const GIB = 1024 ** 3;

describe('systemd renderers', () => {
  it('renders the defaults with Delegate=yes first and normalised values', () => {
    expect(systemdPropertyArgs(DEFAULT_RESOURCE_LIMITS)).toEqual([
      '--property=Delegate=yes',
      '--property=MemoryHigh=1G',
      '--property=MemoryMax=2G',
      '--property=CPUWeight=100',
      '--property=IOWeight=100',
      '--property=TasksMax=4096',
    ]);
  });

  it('correction 1: the drop-in is a [Service] section for systemd-nspawn@NAME.service, never [ResourceControl]', () => {
    const dropin = renderServiceDropin(DEFAULT_RESOURCE_LIMITS);
    expect(dropin).toBe(
      '[Service]\nDelegate=yes\nMemoryHigh=1G\nMemoryMax=2G\nCPUWeight=100\nIOWeight=100\nTasksMax=4096\n',
    );
    expect(dropin).not.toContain('ResourceControl');
    // The sketch's settings-file route carried only MemoryMax and TasksMax; the drop-in carries every limit.
    const file = unwrap(parseUnitFile(dropin));
    expect(file.sections.map((section) => section.name)).toEqual(['Service']);
    expect(file.sections[0]?.entries).toEqual(systemdProperties(DEFAULT_RESOURCE_LIMITS));
  });

  it('renders the full resource set in systemd syntax', () => {
    const limits: ResourceLimits = {
      delegate: true,
      memory: {
        min: { kind: 'bytes', bytes: 64 * 1024 ** 2 },
        low: { kind: 'percent', permyriad: 1250 },
        high: { kind: 'bytes', bytes: 1.5 * GIB },
        max: { kind: 'infinity' },
        swapMax: { kind: 'bytes', bytes: 0 },
        zswapMax: { kind: 'bytes', bytes: 1000 },
      },
      cpu: {
        weight: 'idle',
        startupWeight: 500,
        quota: 15000,
        quotaPeriodUs: 1500,
        allowedCpus: [0, 1, 2, 3, 5],
        allowedMemoryNodes: [0],
      },
      io: {
        weight: 50,
        devices: [
          {
            device: '/dev//sda/',
            weight: 200,
            readBandwidthMax: { kind: 'rate', perSecond: 10_000_000 },
            writeBandwidthMax: { kind: 'infinity' },
            readIopsMax: { kind: 'rate', perSecond: 1500 },
            writeIopsMax: { kind: 'infinity' },
          },
        ],
      },
      tasks: { max: { kind: 'percent', permyriad: 5000 } },
    };
    expect(systemdProperties(limits)).toEqual([
      ['Delegate', 'yes'],
      ['MemoryMin', '64M'],
      ['MemoryLow', '12.5%'],
      ['MemoryHigh', '1536M'],
      ['MemoryMax', 'infinity'],
      ['MemorySwapMax', '0'],
      ['MemoryZSwapMax', '1000'],
      ['CPUWeight', 'idle'],
      ['StartupCPUWeight', '500'],
      ['CPUQuota', '150%'],
      ['CPUQuotaPeriodSec', '1500us'],
      ['AllowedCPUs', '0-3,5'],
      ['AllowedMemoryNodes', '0'],
      ['IOWeight', '50'],
      ['IODeviceWeight', '/dev/sda 200'],
      ['IOReadBandwidthMax', '/dev/sda 10M'],
      ['IOWriteBandwidthMax', '/dev/sda infinity'],
      ['IOReadIOPSMax', '/dev/sda 1500'],
      ['IOWriteIOPSMax', '/dev/sda infinity'],
      ['TasksMax', '50%'],
    ]);
  });

  it('leaves Delegate= out when delegation is not asked for, and renders nothing for no limits', () => {
    expect(systemdProperties(none)).toEqual([]);
    expect(renderServiceDropin(none)).toBe('[Service]\n');
  });

  it('refuses settings the target systemd does not know (measured: 252 has no MemoryZSwapMax)', () => {
    const zswap: ResourceLimits = { ...none, memory: { zswapMax: { kind: 'bytes', bytes: 0 } } };
    expect(() => systemdProperties(zswap, { systemdVersion: 252 })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', path: ['resources', 'memory', 'zswapMax'] }),
    );
    expect(systemdProperties(zswap, { systemdVersion: 253 })).toEqual([['MemoryZSwapMax', '0']]);
    expect(() =>
      systemdProperties({ ...none, cpu: { startupWeight: 'idle' } }, { systemdVersion: 252 }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('refuses invalid limits before rendering anything', () => {
    expect(() =>
      systemdPropertyArgs({
        ...none,
        memory: { high: { kind: 'bytes', bytes: 2 }, max: { kind: 'bytes', bytes: 1 } },
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFLICT', path: ['resources', 'memory', 'high'] }));
  });

  it('property: args, drop-in and pairs agree, one line and one argument per property, values read back', () => {
    fc.assert(
      fc.property(validLimits, (limits) => {
        const pairs = systemdProperties(limits);
        const args = systemdPropertyArgs(limits);
        expect(args).toEqual(pairs.map(([key, value]) => `--property=${key}=${value}`));
        const dropin = renderServiceDropin(limits);
        expect(dropin.split('\n').length).toBe(pairs.length + 2);
        expect(unwrap(parseUnitFile(dropin)).sections).toEqual([{ name: 'Service', entries: pairs }]);
        for (const [key, value] of pairs) {
          expect(value).not.toMatch(/[\n\r]|^\s|\s$/);
          const field = {
            MemoryMin: 'min',
            MemoryLow: 'low',
            MemoryHigh: 'high',
            MemoryMax: 'max',
            MemorySwapMax: 'swapMax',
            MemoryZSwapMax: 'zswapMax',
          }[key] as keyof typeof limits.memory | undefined;
          if (field !== undefined)
            expect(unwrap(parseByteLimit(value))).toEqual(limits.memory[field] as ByteLimit);
          if (key === 'CPUQuota') expect(unwrap(parsePercentage(value, { max: 1e9 }))).toBe(limits.cpu.quota);
          if (key === 'CPUQuotaPeriodSec')
            expect(unwrap(parseTimeSpan(value))).toBe(limits.cpu.quotaPeriodUs);
          if (key === 'AllowedCPUs') expect(unwrap(parseIndexSet(value))).toEqual(limits.cpu.allowedCpus);
        }
      }),
      { numRuns: 300 },
    );
  });
});
