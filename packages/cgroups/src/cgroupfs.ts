import {
  type ByteLimit,
  formatIndexSet,
  type InputPath,
  parseAbsolutePath,
  type RateLimit,
  type ResourceLimits,
  type TasksLimit,
  unwrap,
  VoltError,
} from '@volt/core';
import { assertValidResourceLimits } from './validate.js';

/** A block device number. */
export interface DeviceNumber {
  readonly major: number;
  readonly minor: number;
}

/**
 * Facts about the host that turn relative limits into absolute cgroupfs values. Each is needed only
 * when the limits use it: memory percentages, TasksMax percentages, per-device IO limits.
 * {@link readHostResources} and {@link resolveDeviceNumbers} read them from a real host.
 */
export interface HostResources {
  /** Physical memory in bytes (MemTotal). */
  readonly memoryBytes?: number;
  /** The system's task limit that TasksMax percentages scale (systemd: min(pid_max, threads-max)). */
  readonly tasksMax?: number;
  /** Device numbers for the device paths of `io.devices`, keyed by the normalised path. */
  readonly devices?: ReadonlyMap<string, DeviceNumber>;
}

/** One write to a cgroup v2 interface file, e.g. `['memory.max', '2147483648']`. */
export type CgroupFileValue = readonly [file: string, value: string];

/**
 * systemd's default CPU quota period when only CPUQuota is given, in microseconds.
 *
 * @example
 * ```ts
 * cpuMaxValue(5000, undefined).endsWith(` ${DEFAULT_CPU_QUOTA_PERIOD_US}`); // true
 * ```
 */
export const DEFAULT_CPU_QUOTA_PERIOD_US = 100_000;

function missingHostFact(what: string, path: InputPath, hint: string): VoltError {
  return new VoltError('INVALID_VALUE', `${what} needs a host fact that was not given`, { path, hint });
}

function scale(total: number, permyriad: number): number {
  return Number((BigInt(total) * BigInt(permyriad)) / 10000n);
}

function memoryValue(limit: ByteLimit, host: HostResources, path: InputPath): string {
  switch (limit.kind) {
    case 'bytes':
      return String(limit.bytes);
    case 'infinity':
      return 'max';
    case 'percent':
      if (host.memoryBytes === undefined)
        throw missingHostFact(
          'a memory percentage',
          path,
          'pass host.memoryBytes (readHostResources() reads it)',
        );
      return String(scale(host.memoryBytes, limit.permyriad));
  }
}

function pidsValue(limit: TasksLimit, host: HostResources, path: InputPath): string {
  switch (limit.kind) {
    case 'count':
      return String(limit.count);
    case 'infinity':
      return 'max';
    case 'percent':
      if (host.tasksMax === undefined)
        throw missingHostFact(
          'a TasksMax percentage',
          path,
          'pass host.tasksMax (readHostResources() reads it)',
        );
      return String(scale(host.tasksMax, limit.permyriad));
  }
}

/**
 * The `quota period` pair systemd writes to `cpu.max` for CPUQuota (permyriad of one CPU) and
 * CPUQuotaPeriodSec: the period is raised so that the quota is at least 1 ms, and clamped to 1 s.
 *
 * @example
 * ```ts
 * cpuMaxValue(15000, undefined); // '150000 100000'
 * cpuMaxValue(undefined, 20000); // 'max 100000'
 * cpuMaxValue(500, 10000); // '1000 20000' (5% of a 10 ms period would be below 1 ms)
 * ```
 */
export function cpuMaxValue(quota: number | undefined, periodUs: number | undefined): string {
  // Like systemd: without a quota the period is always the default one.
  if (quota === undefined) return `max ${DEFAULT_CPU_QUOTA_PERIOD_US}`;
  const quotaPerSecondUs = quota * 100;
  const period = Math.min(
    Math.max(
      periodUs ?? DEFAULT_CPU_QUOTA_PERIOD_US,
      1000,
      Math.floor((1000 * 1_000_000) / quotaPerSecondUs),
    ),
    1_000_000,
  );
  return `${Math.max(Math.floor((quotaPerSecondUs * period) / 1_000_000), 1000)} ${period}`;
}

function rateValue(rate: RateLimit): string {
  return rate.kind === 'infinity' ? 'max' : String(rate.perSecond);
}

/**
 * Turns limits into the ordered cgroup v2 interface-file writes, the containerd/cgroups way: a pure
 * function of plain data; only what is set is written. CPUWeight=idle becomes `cpu.idle=1`; CPUQuota and
 * CPUQuotaPeriodSec become one `cpu.max` write, computed as systemd does; per-device IO limits become
 * one `io.weight` line and one `io.max` line per device. Delegation and StartupCPUWeight have no
 * cgroupfs file and are left out.
 *
 * @throws {@link VoltError} any code of {@link assertValidResourceLimits}; `INVALID_VALUE` when a
 * percentage or device needs a {@link HostResources} fact that is missing; `CONFLICT` when two device
 * paths are the same device.
 * @example
 * ```ts
 * cgroupfsValues(DEFAULT_RESOURCE_LIMITS);
 * // [['memory.high','1073741824'], ['memory.max','2147483648'], ['cpu.weight','100'],
 * //  ['io.weight','default 100'], ['pids.max','4096']]
 * ```
 */
export function cgroupfsValues(limits: ResourceLimits, host: HostResources = {}): readonly CgroupFileValue[] {
  assertValidResourceLimits(limits);
  const values: CgroupFileValue[] = [];
  const { memory, cpu, io, tasks } = limits;
  const memoryFiles = [
    ['min', 'memory.min'],
    ['low', 'memory.low'],
    ['high', 'memory.high'],
    ['max', 'memory.max'],
    ['swapMax', 'memory.swap.max'],
    ['zswapMax', 'memory.zswap.max'],
  ] as const;
  for (const [key, file] of memoryFiles) {
    const limit = memory[key];
    if (limit !== undefined) values.push([file, memoryValue(limit, host, ['resources', 'memory', key])]);
  }
  if (cpu.weight === 'idle') values.push(['cpu.idle', '1']);
  else if (cpu.weight !== undefined) values.push(['cpu.weight', String(cpu.weight)]);
  if (cpu.quota !== undefined || cpu.quotaPeriodUs !== undefined)
    values.push(['cpu.max', cpuMaxValue(cpu.quota, cpu.quotaPeriodUs)]);
  if (cpu.allowedCpus !== undefined) values.push(['cpuset.cpus', formatIndexSet(cpu.allowedCpus)]);
  if (cpu.allowedMemoryNodes !== undefined)
    values.push(['cpuset.mems', formatIndexSet(cpu.allowedMemoryNodes)]);
  if (io.weight !== undefined) values.push(['io.weight', `default ${io.weight}`]);
  const seen = new Map<string, number>();
  io.devices.forEach((limit, index) => {
    const path = ['resources', 'io', 'devices', index, 'device'];
    const device = unwrap(parseAbsolutePath(limit.device));
    const number = host.devices?.get(device);
    if (number === undefined)
      throw missingHostFact(
        `the device ${device}`,
        path,
        'resolve it with resolveDeviceNumbers() and pass host.devices',
      );
    const id = `${number.major}:${number.minor}`;
    const first = seen.get(id);
    if (first !== undefined)
      throw new VoltError('CONFLICT', `${device} is device ${id}, already limited by entry ${first}`, {
        path,
        hint: 'merge the two entries into one',
      });
    seen.set(id, index);
    if (limit.weight !== undefined) values.push(['io.weight', `${id} ${limit.weight}`]);
    const rates = [
      ['rbps', limit.readBandwidthMax],
      ['wbps', limit.writeBandwidthMax],
      ['riops', limit.readIopsMax],
      ['wiops', limit.writeIopsMax],
    ] as const;
    const parts = rates.flatMap(([key, rate]) => (rate === undefined ? [] : [`${key}=${rateValue(rate)}`]));
    if (parts.length > 0) values.push(['io.max', `${id} ${parts.join(' ')}`]);
  });
  if (tasks.max !== undefined)
    values.push(['pids.max', pidsValue(tasks.max, host, ['resources', 'tasks', 'max'])]);
  return values;
}

/**
 * The cgroup v2 controllers that a list of writes needs, in the order the kernel lists them.
 *
 * @example
 * ```ts
 * requiredControllers([['memory.max', '1'], ['pids.max', '5']]); // ['memory', 'pids']
 * ```
 */
export function requiredControllers(values: readonly CgroupFileValue[]): readonly string[] {
  const needed = new Set(values.map(([file]) => file.slice(0, file.indexOf('.'))));
  return CONTROLLER_ORDER.filter((controller) => needed.has(controller));
}

/**
 * cgroup v2 controllers in the order `cgroup.controllers` lists them.
 *
 * @example
 * ```ts
 * CONTROLLER_ORDER.indexOf('cpu') < CONTROLLER_ORDER.indexOf('memory'); // true
 * ```
 */
export const CONTROLLER_ORDER: readonly string[] = [
  'cpuset',
  'cpu',
  'io',
  'memory',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
];
