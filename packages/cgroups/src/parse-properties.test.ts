import { parseProfile } from '@volt/core/profile';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_LIMITS } from './defaults.js';
import { resourceLimitsFromProperties } from './parse-properties.js';
import { systemdProperties } from './systemd.js';

describe('resourceLimitsFromProperties', () => {
  it('reads back the defaults exactly', () => {
    const parsed = resourceLimitsFromProperties(systemdProperties(DEFAULT_RESOURCE_LIMITS));
    expect(parsed.ok && systemdProperties(parsed.value)).toEqual(systemdProperties(DEFAULT_RESOURCE_LIMITS));
  });

  it('round-trips every property Volt renders', () => {
    const resources = parseProfile({
      resources: {
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
      },
    }).resources;
    const limits = {
      ...DEFAULT_RESOURCE_LIMITS,
      ...resources,
      io: { devices: [], ...resources?.io },
    } as typeof DEFAULT_RESOURCE_LIMITS;
    const properties = systemdProperties(limits);
    const parsed = resourceLimitsFromProperties(properties);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(systemdProperties(parsed.value)).toEqual(properties);
  });

  it('skips keys that are not resource control, and reports a bad value with its key', () => {
    expect(resourceLimitsFromProperties([['Environment', 'A=1']]).ok).toBe(true);
    const bad = resourceLimitsFromProperties([['MemoryMax', '2GB']]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([bad.error.code, bad.error.path]).toEqual(['INVALID_BYTE_SIZE', ['MemoryMax']]);
  });
});
