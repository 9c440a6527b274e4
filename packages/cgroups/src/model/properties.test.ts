import { describe, expect, it } from 'vitest';
import { limits as documentLimits } from '../../test/arbitraries.js';
import { systemdProperties } from '../render/systemd.js';
import { DEFAULT_RESOURCE_LIMITS } from './defaults.js';
import { resourceLimitsFromProperties } from './properties.js';

describe('resourceLimitsFromProperties', () => {
  it('reads back the defaults exactly', () => {
    const parsed = resourceLimitsFromProperties(systemdProperties(DEFAULT_RESOURCE_LIMITS));
    expect(parsed.ok && systemdProperties(parsed.value)).toEqual(systemdProperties(DEFAULT_RESOURCE_LIMITS));
  });

  it('round-trips every property Volt renders', () => {
    const limits = documentLimits({
      delegate: true,
      memory: { min: '64M', low: '128M', high: '1.5G', max: '2G', swapMax: '512M' },
      cpu: {
        weight: 'idle',
        startupWeight: 200,
        quota: '150%',
        quotaPeriod: '50ms',
        allowedCpus: '0-1,3',
        allowedMemoryNodes: '0',
      },
      io: {
        weight: 500,
        devices: [{ device: '/dev/vda', weight: 200, readBandwidthMax: '10M', writeIopsMax: 1000 }],
      },
      tasks: { max: '50%' },
    });
    const properties = systemdProperties(limits);
    const parsed = resourceLimitsFromProperties(properties);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(systemdProperties(parsed.value)).toEqual(properties);
  });

  it('skips keys that are not resource control, and reports a bad value with its key', () => {
    expect(resourceLimitsFromProperties([['Environment', 'A=1']]).ok).toBe(true);
    const bad = resourceLimitsFromProperties([['MemoryMax', '2GB']]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([bad.error.code, bad.error.path]).toEqual(['INVALID_BYTE_SIZE', ['memory', 'max']]);
    const device = resourceLimitsFromProperties([['IOReadBandwidthMax', '10M']]);
    expect(!device.ok && [device.error.code, device.error.path]).toEqual([
      'PARSE_ERROR',
      ['IOReadBandwidthMax'],
    ]);
  });
});
