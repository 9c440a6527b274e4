import {
  type CpuWeight,
  fail,
  type IoDeviceLimit,
  type Mutable,
  ok,
  parseAbsolutePath,
  parseByteLimit,
  parseByteSize,
  parseIndexSet,
  parseInteger,
  parsePercentage,
  parseTimeSpan,
  parseWeight,
  type RateLimit,
  type ResourceLimits,
  type Result,
  type TasksLimit,
  VoltError,
} from '@volt/core';
import type { SystemdProperty } from './systemd.js';
import { validateResourceLimits } from './validate.js';

function cpuWeight(value: string): Result<CpuWeight> {
  return value === 'idle' ? ok('idle') : parseWeight(value);
}

function rate(value: string, bytes: boolean): Result<RateLimit> {
  if (value === 'infinity') return ok({ kind: 'infinity' });
  const parsed = bytes
    ? parseByteSize(value, 1000)
    : parseInteger(value, { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'an IOPS limit' });
  return parsed.ok ? ok({ kind: 'rate', perSecond: parsed.value }) : parsed;
}

function tasks(value: string): Result<TasksLimit> {
  if (value === 'infinity') return ok({ kind: 'infinity' });
  if (value.endsWith('%')) {
    const share = parsePercentage(value);
    return share.ok ? ok({ kind: 'percent', permyriad: share.value }) : share;
  }
  const count = parseInteger(value, { min: 1, max: 4194304, what: 'a task limit' });
  return count.ok ? ok({ kind: 'count', count: count.value }) : count;
}

const DEVICE_KEYS = {
  IODeviceWeight: 'weight',
  IOReadBandwidthMax: 'readBandwidthMax',
  IOWriteBandwidthMax: 'writeBandwidthMax',
  IOReadIOPSMax: 'readIopsMax',
  IOWriteIOPSMax: 'writeIopsMax',
} as const;

/**
 * Reads systemd resource-control properties (a drop-in's `[Service]` entries, or `--property=` pairs)
 * back into {@link ResourceLimits}: the inverse of {@link systemdProperties}, so that
 * `systemdProperties(resourceLimitsFromProperties(p))` is `p` for anything Volt rendered. Keys that are
 * not resource control (e.g. `Environment`) are skipped; a resource key with a bad value is an error.
 *
 * @example
 * ```ts
 * resourceLimitsFromProperties([['Delegate', 'yes'], ['MemoryMax', '2G']]);
 * // { ok: true, value: { delegate: true, memory: { max: { kind: 'bytes', bytes: 2147483648 } }, ... } }
 * ```
 */
export function resourceLimitsFromProperties(properties: readonly SystemdProperty[]): Result<ResourceLimits> {
  const memory: Mutable<ResourceLimits['memory']> = {};
  const cpu: Mutable<ResourceLimits['cpu']> = {};
  const tasksLimits: Mutable<ResourceLimits['tasks']> = {};
  const devices = new Map<string, Mutable<IoDeviceLimit>>();
  let ioWeight: number | undefined;
  let delegate = false;
  const issues: VoltError[] = [];
  const take = <T>(key: string, result: Result<T>, set: (value: T) => void) => {
    if (result.ok) set(result.value);
    else issues.push(result.error.at([key]));
  };
  const memoryKeys = {
    MemoryMin: 'min',
    MemoryLow: 'low',
    MemoryHigh: 'high',
    MemoryMax: 'max',
    MemorySwapMax: 'swapMax',
    MemoryZSwapMax: 'zswapMax',
  } as const;
  for (const [key, value] of properties) {
    if (key === 'Delegate') delegate = value === 'yes';
    else if (Object.hasOwn(memoryKeys, key)) {
      const field = memoryKeys[key as keyof typeof memoryKeys];
      take(key, parseByteLimit(value), (limit) => {
        memory[field] = limit;
      });
    } else if (key === 'CPUWeight') take(key, cpuWeight(value), (weight) => (cpu.weight = weight));
    else if (key === 'StartupCPUWeight')
      take(key, cpuWeight(value), (weight) => (cpu.startupWeight = weight));
    else if (key === 'CPUQuota')
      take(key, parsePercentage(value, { max: 100 * 10000 }), (quota) => (cpu.quota = quota));
    else if (key === 'CPUQuotaPeriodSec')
      take(key, parseTimeSpan(value), (period) => (cpu.quotaPeriodUs = period));
    else if (key === 'AllowedCPUs') take(key, parseIndexSet(value), (set) => (cpu.allowedCpus = set));
    else if (key === 'AllowedMemoryNodes')
      take(key, parseIndexSet(value), (set) => (cpu.allowedMemoryNodes = set));
    else if (key === 'IOWeight') take(key, parseWeight(value), (weight) => (ioWeight = weight));
    else if (key === 'TasksMax') take(key, tasks(value), (limit) => (tasksLimits.max = limit));
    else if (Object.hasOwn(DEVICE_KEYS, key)) {
      const space = value.lastIndexOf(' ');
      const device = parseAbsolutePath(value.slice(0, Math.max(space, 0)));
      if (space < 0 || !device.ok) {
        issues.push(
          new VoltError('PARSE_ERROR', `${key}=${value}: expected "DEVICE VALUE"`, { path: [key] }),
        );
        continue;
      }
      const entry = devices.get(device.value) ?? { device: device.value };
      devices.set(device.value, entry);
      const field = DEVICE_KEYS[key as keyof typeof DEVICE_KEYS];
      const text = value.slice(space + 1);
      if (field === 'weight') take(key, parseWeight(text), (weight) => (entry.weight = weight));
      else take(key, rate(text, field.endsWith('BandwidthMax')), (limit) => (entry[field] = limit));
    }
  }
  if (issues.length > 0) return fail(issues[0] as VoltError, ...issues.slice(1));
  return validateResourceLimits({
    delegate,
    memory,
    cpu,
    io: { ...(ioWeight === undefined ? {} : { weight: ioWeight }), devices: [...devices.values()] },
    tasks: tasksLimits,
  });
}
