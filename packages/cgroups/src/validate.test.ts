import type { ByteLimit, ResourceLimits } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validLimits } from '../test/arbitraries.js';
import { DEFAULT_RESOURCE_LIMITS } from './defaults.js';
import { assertValidResourceLimits, validateResourceLimits } from './validate.js';

const GIB = 1024 ** 3;
const bytes = (count: number): ByteLimit => ({ kind: 'bytes', bytes: count });
const percent = (permyriad: number): ByteLimit => ({ kind: 'percent', permyriad });
const none: ResourceLimits = { delegate: false, memory: {}, cpu: {}, io: { devices: [] }, tasks: {} };
const issues = (limits: unknown) => {
  const result = validateResourceLimits(limits as ResourceLimits);
  return result.ok ? [] : result.issues.map((issue) => [issue.code, issue.path.join('.')]);
};

describe('DEFAULT_RESOURCE_LIMITS', () => {
  it('holds the sketch defaults: 2G, 1G, weight 100, no pinning, IO 100, 4096 tasks, delegated', () => {
    expect(DEFAULT_RESOURCE_LIMITS).toEqual({
      delegate: true,
      memory: { max: bytes(2 * GIB), high: bytes(GIB) },
      cpu: { weight: 100 },
      io: { weight: 100, devices: [] },
      tasks: { max: { kind: 'count', count: 4096 } },
    });
    expect(DEFAULT_RESOURCE_LIMITS.cpu.allowedCpus).toBeUndefined();
    expect(validateResourceLimits(DEFAULT_RESOURCE_LIMITS).ok).toBe(true);
  });
});

describe('validateResourceLimits', () => {
  it('accepts the empty set', () => {
    expect(issues(none)).toEqual([]);
  });

  it('rejects MemoryHigh above MemoryMax at resources.memory.high', () => {
    expect(issues({ ...none, memory: { high: bytes(3 * GIB), max: bytes(2 * GIB) } })).toEqual([
      ['CONFLICT', 'resources.memory.high'],
    ]);
    const error = validateResourceLimits({ ...none, memory: { high: bytes(3 * GIB), max: bytes(2 * GIB) } });
    expect(error.ok === false && error.error.message).toContain('MemoryHigh');
    expect(error.ok === false && error.error.hint).toContain('at most MemoryMax');
  });

  it('rejects protections above the limits, once per field', () => {
    expect(
      issues({ ...none, memory: { min: bytes(5), low: bytes(6), high: bytes(4), max: bytes(10) } }),
    ).toEqual([
      ['CONFLICT', 'resources.memory.min'],
      ['CONFLICT', 'resources.memory.low'],
    ]);
    expect(issues({ ...none, memory: { low: { kind: 'infinity' }, max: bytes(10) } })).toEqual([
      ['CONFLICT', 'resources.memory.low'],
    ]);
    expect(issues({ ...none, memory: { high: bytes(10), max: { kind: 'infinity' } } })).toEqual([]);
    expect(issues({ ...none, memory: { high: percent(6000), max: percent(5000) } })).toEqual([
      ['CONFLICT', 'resources.memory.high'],
    ]);
  });

  it('compares bytes with percentages only when the host memory is known', () => {
    const limits = { ...none, memory: { high: bytes(3 * GIB), max: percent(5000) } };
    expect(validateResourceLimits(limits).ok).toBe(true);
    expect(validateResourceLimits(limits, { memoryBytes: 4 * GIB }).ok).toBe(false);
    expect(validateResourceLimits(limits, { memoryBytes: 8 * GIB }).ok).toBe(true);
  });

  it('refuses MemoryMax=0 and MemoryHigh=0 as systemd does, but allows MemoryMin/Low/SwapMax 0', () => {
    expect(issues({ ...none, memory: { max: bytes(0) } })).toEqual([
      ['INVALID_BYTE_SIZE', 'resources.memory.max'],
    ]);
    expect(issues({ ...none, memory: { high: bytes(0) } })).toEqual([
      ['INVALID_BYTE_SIZE', 'resources.memory.high'],
    ]);
    expect(
      issues({ ...none, memory: { min: bytes(0), low: bytes(0), swapMax: bytes(0), zswapMax: bytes(0) } }),
    ).toEqual([]);
    expect(issues({ ...none, memory: { max: percent(10001) } })).toEqual([
      ['INVALID_BYTE_SIZE', 'resources.memory.max'],
    ]);
    expect(issues({ ...none, memory: { max: bytes(1.5) } })).toEqual([
      ['INVALID_BYTE_SIZE', 'resources.memory.max'],
    ]);
    expect(issues({ ...none, memory: { max: { kind: 'lots' } } })).toEqual([
      ['INVALID_BYTE_SIZE', 'resources.memory.max'],
    ]);
  });

  it('rejects a quota period outside 1 ms..1 s and a quota of 0%', () => {
    expect(issues({ ...none, cpu: { quotaPeriodUs: 999 } })).toEqual([
      ['INVALID_DURATION', 'resources.cpu.quotaPeriodUs'],
    ]);
    expect(issues({ ...none, cpu: { quotaPeriodUs: 1_000_001 } })).toEqual([
      ['INVALID_DURATION', 'resources.cpu.quotaPeriodUs'],
    ]);
    expect(issues({ ...none, cpu: { quotaPeriodUs: 1000, quota: 1 } })).toEqual([]);
    expect(issues({ ...none, cpu: { quotaPeriodUs: 1_000_000 } })).toEqual([]);
    expect(issues({ ...none, cpu: { quota: 0 } })).toEqual([['INVALID_PERCENTAGE', 'resources.cpu.quota']]);
    expect(issues({ ...none, cpu: { quota: 15000 } })).toEqual([]);
  });

  it('checks weights, CPU lists and task limits', () => {
    expect(issues({ ...none, cpu: { weight: 'idle', startupWeight: 10000 } })).toEqual([]);
    expect(issues({ ...none, cpu: { weight: 0 } })).toEqual([['INVALID_WEIGHT', 'resources.cpu.weight']]);
    expect(issues({ ...none, cpu: { startupWeight: 'busy' } })).toEqual([
      ['INVALID_WEIGHT', 'resources.cpu.startupWeight'],
    ]);
    expect(issues({ ...none, io: { weight: 10001, devices: [] } })).toEqual([
      ['INVALID_WEIGHT', 'resources.io.weight'],
    ]);
    expect(issues({ ...none, cpu: { allowedCpus: [] } })).toEqual([
      ['INVALID_CPU_LIST', 'resources.cpu.allowedCpus'],
    ]);
    expect(issues({ ...none, cpu: { allowedCpus: [3, 1] } })).toEqual([
      ['INVALID_CPU_LIST', 'resources.cpu.allowedCpus'],
    ]);
    expect(issues({ ...none, cpu: { allowedMemoryNodes: [8192] } })).toEqual([
      ['INVALID_CPU_LIST', 'resources.cpu.allowedMemoryNodes'],
    ]);
    expect(issues({ ...none, tasks: { max: { kind: 'count', count: 0 } } })).toEqual([
      ['INVALID_NUMBER', 'resources.tasks.max'],
    ]);
    expect(issues({ ...none, tasks: { max: { kind: 'percent', permyriad: 0 } } })).toEqual([]);
    expect(issues({ ...none, tasks: { max: { kind: 'infinity' } } })).toEqual([]);
  });

  it('checks IO device entries: path, duplicates, empty entries and rates', () => {
    const rate = { kind: 'rate', perSecond: 1000 } as const;
    expect(
      issues({
        ...none,
        io: {
          devices: [
            { device: '/dev/sda', readBandwidthMax: rate },
            { device: '/dev//sda', writeIopsMax: rate },
            { device: 'sda', weight: 5 },
            { device: '/dev/sdb' },
            { device: '/dev/sdc', readIopsMax: { kind: 'rate', perSecond: 0 } },
            { device: '/dev/sd d', weight: 5 },
          ],
        },
      }),
    ).toEqual([
      ['CONFLICT', 'resources.io.devices.1.device'],
      ['INVALID_PATH', 'resources.io.devices.2.device'],
      ['INVALID_VALUE', 'resources.io.devices.3'],
      ['INVALID_NUMBER', 'resources.io.devices.4.readIopsMax'],
      ['INVALID_PATH', 'resources.io.devices.5.device'],
    ]);
  });

  it('reports structural garbage instead of throwing', () => {
    expect(issues(null)).toEqual([['INVALID_VALUE', 'resources']]);
    expect(issues({ delegate: 'yes', memory: 1, cpu: null, io: {}, tasks: [] })).toEqual([
      ['INVALID_VALUE', 'resources.delegate'],
      ['INVALID_VALUE', 'resources.memory'],
      ['INVALID_VALUE', 'resources.cpu'],
      ['INVALID_VALUE', 'resources.io.devices'],
      ['INVALID_VALUE', 'resources.tasks'],
    ]);
  });

  it('puts paths under a caller-given prefix', () => {
    const result = validateResourceLimits(
      { ...none, cpu: { weight: 0 } },
      { path: ['containers', 0, 'resources'] },
    );
    expect(result.ok === false && result.error.path).toEqual(['containers', 0, 'resources', 'cpu', 'weight']);
  });

  it('assertValidResourceLimits throws the first problem as a VoltError', () => {
    expect(() => assertValidResourceLimits({ ...none, cpu: { quotaPeriodUs: 1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_DURATION' }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (memory, cpu, tasks) => {
        const result = validateResourceLimits({
          delegate: true,
          memory,
          cpu,
          io: { devices: [] },
          tasks,
        } as never);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});

describe('validateResourceLimits: the value it returns', () => {
  const objectsIn = (value: unknown, found: object[] = []): object[] => {
    if (typeof value === 'object' && value !== null) {
      found.push(value);
      for (const inner of Object.values(value)) objectsIn(inner, found);
    }
    return found;
  };

  it('property: equals the input, is frozen all the way down and shares no object with it', () => {
    fc.assert(
      fc.property(validLimits, (limits) => {
        const result = validateResourceLimits(limits);
        if (!result.ok) throw result.error;
        // fast-check's records have no prototype, so toStrictEqual would compare prototypes too.
        expect(result.value).toEqual(limits);
        const copies = objectsIn(result.value);
        expect(copies.every((inner) => Object.isFrozen(inner))).toBe(true);
        const originals = new Set(objectsIn(limits));
        expect(copies.filter((inner) => originals.has(inner))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps only the fields it checked', () => {
    const result = validateResourceLimits({
      ...DEFAULT_RESOURCE_LIMITS,
      memory: { max: { kind: 'bytes', bytes: 1024, note: 'x' } as unknown as ByteLimit },
      cpu: { weight: 50, extra: true } as unknown as ResourceLimits['cpu'],
    });
    if (!result.ok) throw result.error;
    expect(result.value.memory).toStrictEqual({ max: { kind: 'bytes', bytes: 1024 } });
    expect(result.value.cpu).toStrictEqual({ weight: 50 });
  });
});
