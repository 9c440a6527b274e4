import { parseUnitFile, RESOURCE_LIMITS, unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limits as parsed, validLimits } from '../../test/arbitraries.js';
import { DEFAULT_RESOURCE_LIMITS } from '../model/defaults.js';
import { resourceLimitsFromProperties } from '../model/properties.js';
import { renderServiceDropin, systemdProperties, systemdPropertyArgs } from './systemd.js';

const none = parsed({});

/** The limits without empty groups and without `delegate: false`: what systemd properties can say. */
function setOnly(value: object): object {
  const entries = Object.entries(value).flatMap(([key, inner]): [string, unknown][] => {
    if (inner === false && key === 'delegate') return [];
    if (Array.isArray(inner)) return inner.length === 0 ? [] : [[key, inner]];
    if (typeof inner !== 'object' || inner === null) return [[key, inner]];
    const nested = setOnly(inner);
    return Object.keys(nested).length === 0 && !('kind' in inner)
      ? []
      : [[key, 'kind' in inner ? inner : nested]];
  });
  return Object.fromEntries(entries);
}

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

  it('renders the full resource set in systemd syntax, in the order of the table', () => {
    const limits = parsed({
      delegate: true,
      memory: { min: '64M', low: '12.5%', high: '1.5G', max: 'infinity', swapMax: 0, zswapMax: 1000 },
      cpu: {
        weight: 'idle',
        startupWeight: 500,
        quota: '150%',
        quotaPeriod: '1500us',
        allowedCpus: [0, 1, 2, 3, 5],
        allowedMemoryNodes: '0',
      },
      io: {
        weight: 50,
        devices: [
          {
            device: '/dev//sda/',
            weight: 200,
            readBandwidthMax: '10M',
            writeBandwidthMax: 'infinity',
            readIopsMax: 1500,
            writeIopsMax: 'infinity',
          },
        ],
      },
      tasks: { max: '50%' },
    });
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
      ['TasksMax', '50%'],
      ['IODeviceWeight', '/dev/sda 200'],
      ['IOReadBandwidthMax', '/dev/sda 10M'],
      ['IOWriteBandwidthMax', '/dev/sda infinity'],
      ['IOReadIOPSMax', '/dev/sda 1500'],
      ['IOWriteIOPSMax', '/dev/sda infinity'],
    ]);
  });

  it('leaves Delegate= out when delegation is not asked for, and renders nothing for no limits', () => {
    expect(systemdProperties(none)).toEqual([]);
    expect(renderServiceDropin(none)).toBe('[Service]\n');
  });

  it('refuses settings the target systemd does not know (measured: 252 has no MemoryZSwapMax)', () => {
    const zswap = parsed({ memory: { zswapMax: 0 } });
    expect(() => systemdProperties(zswap, { systemdVersion: 252 })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', path: ['resources', 'memory', 'zswapMax'] }),
    );
    expect(systemdProperties(zswap, { systemdVersion: 253 })).toEqual([['MemoryZSwapMax', '0']]);
    expect(() =>
      systemdProperties(parsed({ cpu: { startupWeight: 'idle' } }), { systemdVersion: 252 }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', path: ['resources', 'cpu', 'startupWeight'] }));
    expect(systemdProperties(parsed({ cpu: { startupWeight: 5 } }), { systemdVersion: 252 })).toEqual([
      ['StartupCPUWeight', '5'],
    ]);
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
        for (const [, value] of pairs) expect(value).not.toMatch(/[\n\r]|^\s|\s$/);
        // Each property is the table's setting, and reads back as the value it was rendered from.
        const keys = new Set(RESOURCE_LIMITS.map((row) => row.systemd));
        for (const [key] of pairs) expect(keys.has(key) || key.startsWith('IO')).toBe(true);
        const readBack = unwrap(resourceLimitsFromProperties(pairs));
        expect(systemdProperties(readBack)).toEqual(pairs);
        expect(readBack).toEqual(setOnly(limits));
      }),
    );
  });
});
