import {
  type ByteLimit,
  DEVICE_LIMITS,
  formatIndexSet,
  type IndexSet,
  type InputPath,
  type RateLimit,
  RESOURCE_LIMITS,
  type ResourceLimitRow,
  type ResourceLimits,
  type ResourceValue,
  resourceValue,
  type TasksLimit,
  type Valid,
  VoltError,
} from '@volt/core';

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

/** A share of a host total, as systemd scales it; the total is a host fact the caller must give. */
function scaled(
  permyriad: number,
  total: number | undefined,
  what: string,
  fact: 'memoryBytes' | 'tasksMax',
  path: InputPath,
): string {
  if (total === undefined)
    throw missingHostFact(what, path, `pass host.${fact} (readHostResources() reads it)`);
  return String(Number((BigInt(total) * BigInt(permyriad)) / 10000n));
}

function memoryValue(limit: ByteLimit, host: HostResources, path: InputPath): string {
  if (limit.kind === 'bytes') return String(limit.bytes);
  if (limit.kind === 'infinity') return 'max';
  return scaled(limit.permyriad, host.memoryBytes, 'a memory percentage', 'memoryBytes', path);
}

function pidsValue(limit: TasksLimit, host: HostResources, path: InputPath): string {
  if (limit.kind === 'count') return String(limit.count);
  if (limit.kind === 'infinity') return 'max';
  return scaled(limit.permyriad, host.tasksMax, 'a TasksMax percentage', 'tasksMax', path);
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

/** The write of one limit of the table, or undefined for a limit without a cgroupfs file of its own. */
function limitValue(
  row: ResourceLimitRow,
  value: ResourceValue,
  limits: Valid<ResourceLimits>,
  host: HostResources,
): CgroupFileValue | undefined {
  const path = ['resources', ...row.key.split('.')];
  switch (row.kind) {
    case 'memory':
      return [row.cgroupfs as string, memoryValue(value as ByteLimit, host, path)];
    case 'cpu-weight':
      return value === 'idle' ? ['cpu.idle', '1'] : [row.cgroupfs as string, String(value)];
    case 'cpu-quota':
      return ['cpu.max', cpuMaxValue(limits.cpu?.quota, limits.cpu?.quotaPeriod)];
    case 'quota-period':
      // One cpu.max write for both: written here only when no quota is set (the quota row writes it).
      return limits.cpu?.quota === undefined
        ? ['cpu.max', cpuMaxValue(undefined, value as number)]
        : undefined;
    case 'index-set':
      return [row.cgroupfs as string, formatIndexSet(value as IndexSet)];
    case 'weight':
      return [row.cgroupfs as string, `default ${value}`];
    case 'tasks':
      return [row.cgroupfs as string, pidsValue(value as TasksLimit, host, path)];
    default:
      return undefined;
  }
}

/**
 * Turns limits into the ordered cgroup v2 interface-file writes, the containerd/cgroups way: a pure
 * function of plain data, driven by the table of limits (`RESOURCE_LIMITS`, each row's `cgroupfs` file);
 * only what is set is written. CPUWeight=idle becomes `cpu.idle=1`; CPUQuota and CPUQuotaPeriodSec become
 * one `cpu.max` write, computed as systemd does; per-device IO limits become one `io.weight` line and one
 * `io.max` line per device. Delegation and StartupCPUWeight have no cgroupfs file and are left out.
 *
 * @throws {@link VoltError} `INVALID_VALUE` when a percentage or device needs a {@link HostResources} fact
 * that is missing; `CONFLICT` when two device paths are the same device.
 * @example
 * ```ts
 * cgroupfsValues(DEFAULT_RESOURCE_LIMITS);
 * // [['memory.high','1073741824'], ['memory.max','2147483648'], ['cpu.weight','100'],
 * //  ['io.weight','default 100'], ['pids.max','4096']]
 * ```
 */
export function cgroupfsValues(
  limits: Valid<ResourceLimits>,
  host: HostResources = {},
): readonly CgroupFileValue[] {
  const values: CgroupFileValue[] = [];
  for (const row of RESOURCE_LIMITS) {
    const value = resourceValue(limits, row.key);
    if (value === undefined || row.cgroupfs === null) continue;
    const write = limitValue(row, value, limits, host);
    if (write !== undefined) values.push(write);
  }
  const seen = new Map<string, number>();
  (limits.io?.devices ?? []).forEach((limit, index) => {
    const path = ['resources', 'io', 'devices', index, 'device'];
    const number = host.devices?.get(limit.device);
    if (number === undefined)
      throw missingHostFact(
        `the device ${limit.device}`,
        path,
        'resolve it with resolveDeviceNumbers() and pass host.devices',
      );
    const id = `${number.major}:${number.minor}`;
    const first = seen.get(id);
    if (first !== undefined)
      throw new VoltError('CONFLICT', `${limit.device} is device ${id}, already limited by entry ${first}`, {
        path,
        hint: 'merge the two entries into one',
      });
    seen.set(id, index);
    const ioMax: string[] = [];
    for (const row of DEVICE_LIMITS) {
      const value = limit[row.key];
      if (value === undefined) continue;
      if (row.cgroupfs.file === 'io.weight') values.push(['io.weight', `${id} ${value}`]);
      else ioMax.push(`${row.cgroupfs.key}=${rateValue(value as RateLimit)}`);
    }
    if (ioMax.length > 0) values.push(['io.max', `${id} ${ioMax.join(' ')}`]);
  });
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
