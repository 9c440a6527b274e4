import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResourceLimits, profileJsonSchema } from './profile.js';
import {
  DEVICE_LIMITS,
  formatResourceValue,
  MEMORY_ORDER,
  parseResourceValue,
  RESOURCE_LIMITS,
  type ResourceValueKind,
} from './resources.js';

function row(key: string) {
  const found = RESOURCE_LIMITS.find((candidate) => candidate.key === key);
  if (found === undefined) throw new Error(`no row ${key}`);
  return found;
}

describe('the table of limits', () => {
  it('names each limit once, and each systemd setting once', () => {
    const keys = RESOURCE_LIMITS.map((limit) => limit.key);
    const settings = [...RESOURCE_LIMITS, ...DEVICE_LIMITS].map((limit) => limit.systemd);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(settings).size).toBe(settings.length);
    for (const [lower, upper] of MEMORY_ORDER) {
      expect(keys).toContain(lower);
      expect(keys).toContain(upper);
    }
  });

  it('is the shape of `resources:` in the profile schema, key for key', () => {
    const schema = profileJsonSchema() as {
      properties: { resources: { properties: Record<string, { properties?: Record<string, unknown> }> } };
    };
    const groups = schema.properties.resources.properties;
    const fromSchema = Object.entries(groups).flatMap(([group, value]) =>
      value.properties === undefined
        ? [group]
        : Object.keys(value.properties).map((field) => `${group}.${field}`),
    );
    expect(fromSchema.sort()).toEqual([...RESOURCE_LIMITS.map((limit) => limit.key), 'io.devices'].sort());
  });

  it('formats every kind back to the text its parser reads', () => {
    const samples: readonly (readonly [ResourceValueKind, unknown, string])[] = [
      ['flag', true, 'yes'],
      ['memory', '1536M', '1536M'],
      ['memory', '50%', '50%'],
      ['memory', 'infinity', 'infinity'],
      ['weight', 100, '100'],
      ['cpu-weight', 'idle', 'idle'],
      ['cpu-quota', '150%', '150%'],
      ['quota-period', '100ms', '100ms'],
      ['index-set', '0-3,5', '0-3,5'],
      ['tasks', '10%', '10%'],
      ['bandwidth', '10M', '10M'],
      ['iops', 'infinity', 'infinity'],
    ];
    for (const [kind, input, text] of samples) {
      const parsed = parseResourceValue({ kind, systemd: 'X' }, input);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const formatted = formatResourceValue(kind, parsed.value);
      expect(formatted).toBe(text);
      expect(parseResourceValue({ kind, systemd: 'X' }, formatted)).toEqual(parsed);
    }
  });
});

describe('parseResourceLimits', () => {
  it('accepts what systemd accepts, as a profile writes it', () => {
    const result = parseResourceLimits({
      delegate: true,
      memory: { min: '0%', high: '1G', max: 2147483648, swapMax: '0' },
      cpu: { weight: 'idle', quota: '150%', quotaPeriod: '10ms', allowedCpus: [0, 1, 2, 3] },
      io: { weight: '200', devices: [{ device: '/dev/vda', readBandwidthMax: '10M', writeIopsMax: 100 }] },
      tasks: { max: 256 },
    });
    expect(result.ok && result.value).toEqual({
      delegate: true,
      memory: {
        min: { kind: 'percent', permyriad: 0 },
        high: { kind: 'bytes', bytes: 2 ** 30 },
        max: { kind: 'bytes', bytes: 2 ** 31 },
        swapMax: { kind: 'bytes', bytes: 0 },
      },
      cpu: { weight: 'idle', quota: 15000, quotaPeriod: 10000, allowedCpus: [0, 1, 2, 3] },
      io: {
        weight: 200,
        devices: [
          {
            device: '/dev/vda',
            readBandwidthMax: { kind: 'rate', perSecond: 10_000_000 },
            writeIopsMax: { kind: 'rate', perSecond: 100 },
          },
        ],
      },
      tasks: { max: { kind: 'count', count: 256 } },
    });
  });

  it('refuses what systemd refuses: MemoryMax and MemoryHigh of 0 or 0%', () => {
    for (const key of ['max', 'high']) {
      for (const value of ['0%', '0', 0]) {
        const result = parseResourceLimits({ memory: { [key]: value } });
        expect(result.ok, `${key}=${value}`).toBe(false);
        if (!result.ok) expect(result.error.path).toEqual(['resources', 'memory', key]);
      }
    }
    expect(parseResourceLimits({ memory: { min: '0%', swapMax: '0%' }, tasks: { max: '0%' } }).ok).toBe(true);
  });

  it('gives a JavaScript caller the errors a profile gets: unknown keys, wrong shapes, the value echoed', () => {
    const typo = parseResourceLimits({ memroy: { max: '1G' } });
    expect(!typo.ok && typo.error.code).toBe('INVALID_PROFILE');
    expect(!typo.ok && typo.error.message).toContain('"memroy"');

    const shape = parseResourceLimits({ tasks: { max: { max: 256 } } });
    expect(shape.ok).toBe(false);
    if (!shape.ok) {
      expect(shape.error.path).toEqual(['resources', 'tasks', 'max']);
      expect(shape.error.message).toBe(
        '{"max":256} is not accepted; accepted: a whole number from 1 to 4194304, a percentage (e.g. 10%), or infinity',
      );
    }

    const typed = parseResourceLimits({ memory: { max: { kind: 'percent', permyriad: 0 } } });
    expect(!typed.ok && typed.error.message).toMatch(
      /^\{"kind":"percent","permyriad":0\} is not accepted; accepted: a size/,
    );
  });

  it('reports a conflict at the lower limit, naming both settings', () => {
    const result = parseResourceLimits({ memory: { high: '3G', max: '2G' } }, ['limits']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('CONFLICT');
    expect(result.error.path).toEqual(['limits', 'memory', 'high']);
    expect(result.error.message).toBe('MemoryHigh (3221225472 bytes) is above MemoryMax (2147483648 bytes)');
  });

  it('refuses a device twice, and a device entry that limits nothing', () => {
    const twice = parseResourceLimits({
      io: {
        devices: [
          { device: '/dev/vda', weight: 10 },
          { device: '/dev//vda', weight: 20 },
        ],
      },
    });
    expect(!twice.ok && twice.error.code).toBe('CONFLICT');
    const empty = parseResourceLimits({ io: { devices: [{ device: '/dev/vda' }] } });
    expect(!empty.ok && empty.error.path).toEqual(['resources', 'io', 'devices', 0]);
  });

  it('reads quota periods and byte counts from the row, with the row’s bounds', () => {
    expect(parseResourceLimits({ cpu: { quotaPeriod: '2s' } }).ok).toBe(false);
    expect(parseResourceLimits({ cpu: { quotaPeriod: '500us' } }).ok).toBe(false);
    expect(row('cpu.quotaPeriod').kind).toBe('quota-period');
  });
});

describe('parseResourceLimits: every rule of the table, at its path', () => {
  const issues = (input: unknown) => {
    const result = parseResourceLimits(input);
    return result.ok ? [] : result.issues.map((issue) => [issue.code, issue.path.join('.')]);
  };

  it('accepts the empty set', () => {
    expect(issues({})).toEqual([]);
  });

  it('refuses protections above the limits, once per field, in bytes, in shares and with infinity', () => {
    expect(issues({ memory: { min: 5, low: 6, high: 4, max: 10 } })).toEqual([
      ['CONFLICT', 'resources.memory.min'],
      ['CONFLICT', 'resources.memory.low'],
    ]);
    expect(issues({ memory: { low: 'infinity', max: 10 } })).toEqual([['CONFLICT', 'resources.memory.low']]);
    expect(issues({ memory: { high: 10, max: 'infinity' } })).toEqual([]);
    expect(issues({ memory: { high: '60%', max: '50%' } })).toEqual([['CONFLICT', 'resources.memory.high']]);
    // Bytes against a share of memory: only the host can compare them.
    expect(issues({ memory: { high: '3G', max: '50%' } })).toEqual([]);
  });

  it('refuses a quota period outside 1 ms..1 s and a quota of 0%', () => {
    expect(issues({ cpu: { quotaPeriod: '999us' } })).toEqual([
      ['INVALID_DURATION', 'resources.cpu.quotaPeriod'],
    ]);
    expect(issues({ cpu: { quotaPeriod: '1000001us' } })).toEqual([
      ['INVALID_DURATION', 'resources.cpu.quotaPeriod'],
    ]);
    expect(issues({ cpu: { quotaPeriod: '1ms', quota: '0.01%' } })).toEqual([]);
    expect(issues({ cpu: { quotaPeriod: '1s' } })).toEqual([]);
    expect(issues({ cpu: { quota: '0%' } })).toEqual([['INVALID_PERCENTAGE', 'resources.cpu.quota']]);
    expect(issues({ cpu: { quota: 15000 } })).toEqual([['INVALID_PROFILE', 'resources.cpu.quota']]);
  });

  it('checks weights, CPU lists and task limits', () => {
    expect(issues({ cpu: { weight: 'idle', startupWeight: 10000 } })).toEqual([]);
    expect(issues({ cpu: { weight: 0 } })).toEqual([['INVALID_WEIGHT', 'resources.cpu.weight']]);
    expect(issues({ cpu: { startupWeight: 'busy' } })).toEqual([
      ['INVALID_WEIGHT', 'resources.cpu.startupWeight'],
    ]);
    expect(issues({ io: { weight: 10001 } })).toEqual([['INVALID_WEIGHT', 'resources.io.weight']]);
    expect(issues({ cpu: { allowedCpus: [] } })).toEqual([['INVALID_CPU_LIST', 'resources.cpu.allowedCpus']]);
    expect(issues({ cpu: { allowedCpus: '3-1' } })).toEqual([
      ['INVALID_CPU_LIST', 'resources.cpu.allowedCpus'],
    ]);
    expect(issues({ cpu: { allowedMemoryNodes: [8192] } })).toEqual([
      ['INVALID_CPU_LIST', 'resources.cpu.allowedMemoryNodes'],
    ]);
    expect(issues({ tasks: { max: 0 } })).toEqual([['INVALID_NUMBER', 'resources.tasks.max']]);
    expect(issues({ tasks: { max: '0%' } })).toEqual([]);
    expect(issues({ tasks: { max: 'infinity' } })).toEqual([]);
  });

  it('checks IO device entries: path, empty entries and rates', () => {
    expect(
      issues({
        io: {
          devices: [
            { device: '/dev/sda', readBandwidthMax: 1000 },
            { device: 'sda', weight: 5 },
            { device: '/dev/sdc', readIopsMax: 0 },
          ],
        },
      }),
    ).toEqual([
      ['INVALID_PATH', 'resources.io.devices.1.device'],
      ['INVALID_VALUE', 'resources.io.devices.2.readIopsMax'],
    ]);
  });

  it('reports structural garbage instead of throwing', () => {
    expect(issues(null)).toEqual([['INVALID_PROFILE', 'resources']]);
    expect(
      issues({ delegate: 'maybe', memory: 1, cpu: null, io: { devices: {} }, tasks: [] }).map(
        ([, path]) => path,
      ),
    ).toEqual([
      'resources.delegate',
      'resources.memory',
      'resources.cpu',
      'resources.io.devices',
      'resources.tasks',
    ]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (memory, cpu, tasks) => {
        expect(typeof parseResourceLimits({ memory, cpu, tasks }).ok).toBe('boolean');
      }),
    );
  });
});
