import {
  formatIndexSet,
  type InputPath,
  type Mutable,
  parseAbsolutePath,
  type ResourceLimits,
  unwrap,
} from '@volt/core';
import { cgroupfsValues, cpuMaxValue, type DeviceNumber, type HostResources } from './cgroupfs.js';
import { assertValidResourceLimits } from './validate.js';

/**
 * The smallest and largest cgroup v1 `cpu.shares` (the kernel's MIN_SHARES and MAX_SHARES).
 *
 * @example
 * ```ts
 * cpuSharesToWeight(CPU_SHARES_RANGE.max); // 10000
 * ```
 */
export const CPU_SHARES_RANGE = { min: 2, max: 262_144 } as const;

/**
 * The cgroup v1 `blkio.weight` range.
 *
 * @example
 * ```ts
 * blkioWeightToIoWeight(BLKIO_WEIGHT_RANGE.min); // 1
 * ```
 */
export const BLKIO_WEIGHT_RANGE = { min: 10, max: 1000 } as const;

/**
 * runc's conversion of OCI `cpu.shares` to cgroup v2 `cpu.weight` (opencontainers/cgroups since runc
 * 1.3.2): a quadratic in log2(shares) that maps 2 → 1, 1024 → 100 and 262144 → 10000. 0 means unset.
 *
 * @example
 * ```ts
 * cpuSharesToWeight(1024); // 100
 * cpuSharesToWeight(2); // 1
 * ```
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= CPU_SHARES_RANGE.min) return 1;
  if (shares >= CPU_SHARES_RANGE.max) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(10 ** exponent);
}

/**
 * The OCI `cpu.shares` that runc turns into exactly `weight` (every weight 1..10000 has one). Of the
 * shares that map to a weight, the largest is taken: the one where the curve meets the weight exactly,
 * so 100 gives the familiar 1024.
 *
 * @example
 * ```ts
 * cpuWeightToShares(100); // 1024
 * cpuSharesToWeight(cpuWeightToShares(333)); // 333
 * ```
 */
export function cpuWeightToShares(weight: number): number {
  let low: number = CPU_SHARES_RANGE.min;
  let high: number = CPU_SHARES_RANGE.max;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (cpuSharesToWeight(middle) <= weight) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * runc's conversion of OCI `blockIO.weight` (cgroup v1 scale 10..1000) to cgroup v2 `io.weight`:
 * `1 + (weight - 10) * 9999 / 990`, in integers. 0 means unset.
 *
 * @example
 * ```ts
 * blkioWeightToIoWeight(500); // 4950
 * ```
 */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * The OCI `blockIO.weight` that runc turns into exactly `ioWeight`, or undefined: the v1 scale has
 * only 991 steps, so most cgroup v2 weights (100 among them) have no exact v1 value.
 *
 * @example
 * ```ts
 * ioWeightToBlkioWeight(4950); // 500
 * ioWeightToBlkioWeight(100); // undefined
 * ```
 */
export function ioWeightToBlkioWeight(ioWeight: number): number | undefined {
  const estimate = Math.max(BLKIO_WEIGHT_RANGE.min, Math.floor(((ioWeight - 1) * 990) / 9999) + 10);
  for (let weight = estimate; weight <= Math.min(estimate + 1, BLKIO_WEIGHT_RANGE.max); weight++) {
    if (blkioWeightToIoWeight(weight) === ioWeight) return weight;
  }
  return undefined;
}

/** An OCI runtime-spec throttle entry. */
export interface OciThrottleDevice {
  readonly major: number;
  readonly minor: number;
  readonly rate: number;
}

/** The subset of OCI runtime-spec `linux.resources` that Volt renders. */
export interface OciLinuxResources {
  readonly memory?: { readonly limit?: number; readonly reservation?: number; readonly swap?: number };
  readonly cpu?: {
    readonly shares?: number;
    readonly quota?: number;
    readonly period?: number;
    readonly cpus?: string;
    readonly mems?: string;
    readonly idle?: number;
  };
  readonly pids?: { readonly limit: number };
  readonly blockIO?: {
    readonly weight?: number;
    readonly throttleReadBpsDevice?: readonly OciThrottleDevice[];
    readonly throttleWriteBpsDevice?: readonly OciThrottleDevice[];
    readonly throttleReadIOPSDevice?: readonly OciThrottleDevice[];
    readonly throttleWriteIOPSDevice?: readonly OciThrottleDevice[];
  };
  /** cgroup v2 files written as-is by runc and crun. */
  readonly unified?: Readonly<Record<string, string>>;
}

/** A limit the OCI rendering could not express, and why. */
export interface OciOmission {
  readonly path: InputPath;
  readonly reason: string;
}

/** The OCI rendering: the resources, and every limit that was left out. */
export interface OciRendering {
  readonly resources: OciLinuxResources;
  readonly omitted: readonly OciOmission[];
}

/**
 * Renders limits as OCI runtime-spec `linux.resources` for a cgroup v2 host, with runc's conversions, so
 * that an OCI runtime writes the same files as {@link cgroupfsValues}: CPUWeight becomes the `cpu.shares`
 * runc maps back to it, MemorySwapMax becomes memory+swap in `memory.swap`, MemoryLow becomes
 * `memory.reservation`, an IOWeight with an exact v1 value `blockIO.weight`; what the spec cannot say
 * (MemoryMin, MemoryHigh, MemoryZSwapMax) goes into `unified`, which runc and crun write as it is, after
 * the converted values. The CPU and IO weights are in `unified` too: runtimes turn shares into weights
 * differently by version (runc 1.3.2 and later by a quadratic curve, Debian bookworm's crun 1.8.1 by the
 * older linear formula, which made the shares of CPUWeight=50 into cpu.weight 16; measured in the VM
 * suite), and the `unified` value makes the weight exact whatever the runtime. StartupCPUWeight,
 * Delegate, per-device IO weights and unlimited device rates have no OCI form; they are listed in
 * `omitted`.
 *
 * @throws {@link VoltError} as {@link cgroupfsValues}.
 * @example
 * ```ts
 * ociLinuxResources(DEFAULT_RESOURCE_LIMITS).resources;
 * // { memory: { limit: 2147483648 }, cpu: { shares: 1024 }, pids: { limit: 4096 },
 * //   unified: { 'memory.high': '1073741824', 'cpu.weight': '100', 'io.weight': 'default 100' } }
 * ```
 */
export function ociLinuxResources(limits: ResourceLimits, host: HostResources = {}): OciRendering {
  assertValidResourceLimits(limits);
  const files = new Map<string, string>(
    cgroupfsValues(limits, host).filter(([file]) => file !== 'io.weight' && file !== 'io.max'),
  );
  const omitted: OciOmission[] = [];
  const unified: Record<string, string> = {};
  const memory: Mutable<NonNullable<OciLinuxResources['memory']>> = {};
  const cpu: Mutable<NonNullable<OciLinuxResources['cpu']>> = {};
  const blockIO: Mutable<NonNullable<OciLinuxResources['blockIO']>> = {};
  const bytes = (file: string): number => {
    const value = files.get(file);
    return value === 'max' || value === undefined ? -1 : Number(value);
  };

  const { max, swapMax } = limits.memory;
  if (max !== undefined) {
    // runc turns an unlimited memory.limit without a swap value into unlimited swap too; unified avoids that.
    if (max.kind === 'infinity' && swapMax === undefined) unified['memory.max'] = 'max';
    else memory.limit = bytes('memory.max');
  }
  if (limits.memory.low !== undefined) memory.reservation = bytes('memory.low');
  if (swapMax !== undefined) {
    if (swapMax.kind === 'infinity') memory.swap = -1;
    else if (max !== undefined && max.kind !== 'infinity')
      memory.swap = bytes('memory.max') + bytes('memory.swap.max');
    else unified['memory.swap.max'] = files.get('memory.swap.max') as string;
  }
  for (const file of ['memory.min', 'memory.high', 'memory.zswap.max']) {
    const value = files.get(file);
    if (value !== undefined) unified[file] = value;
  }

  const { weight, startupWeight, quota, quotaPeriodUs, allowedCpus, allowedMemoryNodes } = limits.cpu;
  if (weight === 'idle') cpu.idle = 1;
  else if (weight !== undefined) {
    cpu.shares = cpuWeightToShares(weight);
    unified['cpu.weight'] = String(weight);
  }
  if (startupWeight !== undefined)
    omitted.push({
      path: ['resources', 'cpu', 'startupWeight'],
      reason: 'StartupCPUWeight exists only in systemd',
    });
  if (quota !== undefined) {
    const [quotaUs, periodUs] = cpuMaxValue(quota, quotaPeriodUs).split(' ').map(Number);
    cpu.quota = quotaUs as number;
    cpu.period = periodUs as number;
  }
  if (allowedCpus !== undefined) cpu.cpus = formatIndexSet(allowedCpus);
  if (allowedMemoryNodes !== undefined) cpu.mems = formatIndexSet(allowedMemoryNodes);

  if (limits.io.weight !== undefined) {
    const v1 = ioWeightToBlkioWeight(limits.io.weight);
    if (v1 !== undefined) blockIO.weight = v1;
    unified['io.weight'] = `default ${limits.io.weight}`;
  }
  const throttles = [
    ['readBandwidthMax', 'throttleReadBpsDevice'],
    ['writeBandwidthMax', 'throttleWriteBpsDevice'],
    ['readIopsMax', 'throttleReadIOPSDevice'],
    ['writeIopsMax', 'throttleWriteIOPSDevice'],
  ] as const;
  limits.io.devices.forEach((device, index) => {
    const path = unwrap(parseAbsolutePath(device.device));
    // cgroupfsValues() above has already refused devices missing from host.devices.
    const number = host.devices?.get(path) as DeviceNumber;
    if (device.weight !== undefined)
      omitted.push({
        path: ['resources', 'io', 'devices', index, 'weight'],
        reason: 'runc applies per-device weights only through BFQ (io.bfq.weight, another scale)',
      });
    for (const [key, field] of throttles) {
      const rate = device[key];
      if (rate === undefined) continue;
      if (rate.kind === 'infinity') {
        omitted.push({
          path: ['resources', 'io', 'devices', index, key],
          reason: 'OCI throttle entries have no "max"',
        });
        continue;
      }
      blockIO[field] = [
        ...(blockIO[field] ?? []),
        { major: number.major, minor: number.minor, rate: rate.perSecond },
      ];
    }
  });

  const tasks = limits.tasks.max;
  const pidsMax = files.get('pids.max');
  if (limits.delegate)
    omitted.push({
      path: ['resources', 'delegate'],
      reason: 'delegation is decided by the runtime, not by linux.resources',
    });

  const resources: Mutable<OciLinuxResources> = {};
  if (Object.keys(memory).length > 0) resources.memory = memory;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;
  if (tasks !== undefined && pidsMax !== undefined)
    resources.pids = { limit: pidsMax === 'max' ? -1 : Number(pidsMax) };
  if (Object.keys(blockIO).length > 0) resources.blockIO = blockIO;
  if (Object.keys(unified).length > 0) resources.unified = unified;
  return { resources, omitted };
}
