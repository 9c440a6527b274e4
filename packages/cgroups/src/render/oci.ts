import {
  DEVICE_LIMITS,
  type InputPath,
  RESOURCE_LIMITS,
  type ResourceLimits,
  resourceValue,
  type Valid,
} from '@volt/core';
import { cgroupfsValues, cpuMaxValue, type DeviceNumber, type HostResources } from './cgroupfs.js';

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

/** A cgroupfs value as an OCI number: `max` is -1, a decimal number is itself. */
function ociNumber(value: string): number {
  return value === 'max' ? -1 : Number(value);
}

/** Sets a dotted field (`memory.reservation`) of the resources being built. */
function setField(resources: Record<string, Record<string, unknown>>, field: string, value: unknown): void {
  const [group, key] = field.split('.') as [string, string];
  resources[group] = { ...resources[group], [key]: value };
}

/**
 * Renders limits as OCI runtime-spec `linux.resources` for a cgroup v2 host, driven by each row's `oci`
 * mapping in the table of limits, with runc's conversions, so that an OCI runtime writes the same files as
 * {@link cgroupfsValues}: a `field` row takes the cgroupfs value (`max` as -1), a `unified` row goes to
 * `unified` as it is (runc and crun write it after the converted values), a `none` row is listed in
 * `omitted` with its reason, and the `converted` rows are:
 * - MemoryMax as `memory.limit` (unlimited without a swap limit goes to `unified`, where runc would also lift
 *   swap), MemorySwapMax as memory+swap in `memory.swap`;
 * - CPUWeight as the `cpu.shares` runc maps back to it, plus the exact weight in `unified` (runtimes turn
 *   shares into weights differently by version: Debian bookworm's crun 1.8.1 made the shares of
 *   CPUWeight=50 into cpu.weight 16; measured in the VM suite); `idle` as `cpu.idle`;
 * - CPUQuota and CPUQuotaPeriodSec as `cpu.quota` and `cpu.period`, as systemd computes `cpu.max`;
 * - IOWeight as `blockIO.weight` when the v1 scale has the exact value, plus `unified`.
 *
 * @throws {@link VoltError} as {@link cgroupfsValues}.
 * @example
 * ```ts
 * ociLinuxResources(DEFAULT_RESOURCE_LIMITS).resources;
 * // { memory: { limit: 2147483648 }, cpu: { shares: 1024 }, pids: { limit: 4096 },
 * //   unified: { 'memory.high': '1073741824', 'cpu.weight': '100', 'io.weight': 'default 100' } }
 * ```
 */
export function ociLinuxResources(limits: Valid<ResourceLimits>, host: HostResources = {}): OciRendering {
  const files = new Map<string, string>(
    cgroupfsValues(limits, host).filter(([file]) => file !== 'io.weight' && file !== 'io.max'),
  );
  const omitted: OciOmission[] = [];
  const unified: Record<string, string> = {};
  const resources: Record<string, Record<string, unknown>> = {};
  const memoryMax = limits.memory?.max;
  const swapMax = limits.memory?.swapMax;

  for (const row of RESOURCE_LIMITS) {
    const value = resourceValue(limits, row.key);
    if (value === undefined || value === false) continue;
    const file = row.cgroupfs === null ? undefined : files.get(row.cgroupfs);
    const path = ['resources', ...row.key.split('.')];
    switch (row.oci.kind) {
      case 'none':
        omitted.push({ path, reason: row.oci.reason });
        break;
      case 'unified':
        if (file !== undefined) unified[row.cgroupfs as string] = file;
        break;
      case 'field':
        if (file !== undefined)
          setField(resources, row.oci.field, row.oci.type === 'number' ? ociNumber(file) : file);
        break;
      case 'converted':
        switch (row.key) {
          case 'memory.max':
            if (memoryMax?.kind === 'infinity' && swapMax === undefined) unified['memory.max'] = 'max';
            else setField(resources, 'memory.limit', ociNumber(files.get('memory.max') as string));
            break;
          case 'memory.swapMax': {
            const swap = files.get('memory.swap.max') as string;
            if (swapMax?.kind === 'infinity') setField(resources, 'memory.swap', -1);
            else if (memoryMax !== undefined && memoryMax.kind !== 'infinity')
              setField(resources, 'memory.swap', ociNumber(files.get('memory.max') as string) + Number(swap));
            else unified['memory.swap.max'] = swap;
            break;
          }
          case 'cpu.weight':
            if (value === 'idle') setField(resources, 'cpu.idle', 1);
            else {
              setField(resources, 'cpu.shares', cpuWeightToShares(value as number));
              unified['cpu.weight'] = String(value);
            }
            break;
          case 'cpu.quota': {
            const [quota, period] = cpuMaxValue(value as number, limits.cpu?.quotaPeriod).split(' ');
            setField(resources, 'cpu.quota', Number(quota));
            setField(resources, 'cpu.period', Number(period));
            break;
          }
          case 'io.weight': {
            const v1 = ioWeightToBlkioWeight(value as number);
            if (v1 !== undefined) setField(resources, 'blockIO.weight', v1);
            unified['io.weight'] = `default ${value}`;
            break;
          }
          // cpu.quotaPeriod: only with a quota, written with it above.
        }
    }
  }

  (limits.io?.devices ?? []).forEach((device, index) => {
    // cgroupfsValues() above has already refused devices missing from host.devices.
    const number = host.devices?.get(device.device) as DeviceNumber;
    for (const row of DEVICE_LIMITS) {
      const rate = device[row.key];
      if (rate === undefined) continue;
      const path = ['resources', 'io', 'devices', index, row.key];
      if (row.oci.kind === 'none') {
        omitted.push({ path, reason: row.oci.reason });
        continue;
      }
      if (row.oci.kind !== 'field') continue;
      if (typeof rate === 'number' || rate.kind === 'infinity') {
        omitted.push({ path, reason: 'OCI throttle entries have no "max"' });
        continue;
      }
      const [group, key] = row.oci.field.split('.') as [string, string];
      const entries = (resources[group]?.[key] as OciThrottleDevice[] | undefined) ?? [];
      setField(resources, row.oci.field, [
        ...entries,
        { major: number.major, minor: number.minor, rate: rate.perSecond },
      ]);
    }
  });

  if (Object.keys(unified).length > 0) resources['unified'] = unified;
  return { resources: resources as OciLinuxResources, omitted };
}
