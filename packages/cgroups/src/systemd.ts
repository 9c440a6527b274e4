import {
  type CpuWeight,
  formatByteLimit,
  formatByteSize,
  formatIndexSet,
  formatPercentage,
  formatTimeSpan,
  parseAbsolutePath,
  type RateLimit,
  type ResourceLimits,
  renderUnitFile,
  type TasksLimit,
  unwrap,
  VoltError,
} from '@volt/core';
import { assertValidResourceLimits } from './validate.js';

/** One systemd resource-control assignment, e.g. `['MemoryMax', '2G']`. */
export type SystemdProperty = readonly [key: string, value: string];

/** Options for the systemd renderers. */
export interface SystemdRenderOptions {
  /**
   * The systemd version that will read the properties. Settings it does not know are refused with
   * `UNSUPPORTED` instead of being rendered into a warning. Default: no restriction.
   */
  readonly systemdVersion?: number;
}

/**
 * The first systemd versions that read a setting: MemoryZSwapMax (253). StartupCPUWeight=idle was measured
 * refused by 252; 253 is assumed, not measured.
 *
 * @example
 * ```ts
 * systemdProperties(limits, { systemdVersion: SYSTEMD_MIN_VERSION.memoryZSwapMax - 1 }); // throws UNSUPPORTED if zswapMax is set
 * ```
 */
export const SYSTEMD_MIN_VERSION = { memoryZSwapMax: 253, startupCpuWeightIdle: 253 } as const;

function cpuWeight(weight: CpuWeight): string {
  return weight === 'idle' ? 'idle' : String(weight);
}

function bandwidth(rate: RateLimit): string {
  return rate.kind === 'infinity' ? 'infinity' : formatByteSize(rate.perSecond, 1000);
}

function iops(rate: RateLimit): string {
  return rate.kind === 'infinity' ? 'infinity' : String(rate.perSecond);
}

function tasksMax(limit: TasksLimit): string {
  switch (limit.kind) {
    case 'count':
      return String(limit.count);
    case 'percent':
      return formatPercentage(limit.permyriad);
    case 'infinity':
      return 'infinity';
  }
}

function requireVersion(
  options: SystemdRenderOptions,
  needed: number,
  what: string,
  path: readonly string[],
): void {
  if (options.systemdVersion !== undefined && options.systemdVersion < needed) {
    throw new VoltError(
      'UNSUPPORTED',
      `${what} needs systemd ${needed} or later; this host has ${options.systemdVersion}`,
      {
        path,
        hint: `leave ${path.at(-1)} out for this host`,
      },
    );
  }
}

/**
 * Renders limits as systemd resource-control properties, in a fixed order with `Delegate=yes` first.
 * Every value is normalised from the typed limits (`2G`, `150%`, `0-3,5`), never copied from user text.
 * `delegate: false` renders no Delegate= line (the stock template unit delegates anyway).
 * StartupCPUWeight is only meaningful to systemd; the cgroupfs and OCI renderers leave it out.
 *
 * @throws {@link VoltError} any code of {@link assertValidResourceLimits}; `UNSUPPORTED` when
 * `systemdVersion` is too old for a setting that is used.
 * @example
 * ```ts
 * systemdProperties(DEFAULT_RESOURCE_LIMITS);
 * // [['Delegate','yes'], ['MemoryHigh','1G'], ['MemoryMax','2G'], ['CPUWeight','100'],
 * //  ['IOWeight','100'], ['TasksMax','4096']]
 * ```
 */
export function systemdProperties(
  limits: ResourceLimits,
  options: SystemdRenderOptions = {},
): readonly SystemdProperty[] {
  assertValidResourceLimits(limits);
  const properties: SystemdProperty[] = [];
  const { memory, cpu, io, tasks } = limits;
  if (limits.delegate) properties.push(['Delegate', 'yes']);
  if (memory.min !== undefined) properties.push(['MemoryMin', formatByteLimit(memory.min)]);
  if (memory.low !== undefined) properties.push(['MemoryLow', formatByteLimit(memory.low)]);
  if (memory.high !== undefined) properties.push(['MemoryHigh', formatByteLimit(memory.high)]);
  if (memory.max !== undefined) properties.push(['MemoryMax', formatByteLimit(memory.max)]);
  if (memory.swapMax !== undefined) properties.push(['MemorySwapMax', formatByteLimit(memory.swapMax)]);
  if (memory.zswapMax !== undefined) {
    requireVersion(options, SYSTEMD_MIN_VERSION.memoryZSwapMax, 'MemoryZSwapMax', [
      'resources',
      'memory',
      'zswapMax',
    ]);
    properties.push(['MemoryZSwapMax', formatByteLimit(memory.zswapMax)]);
  }
  if (cpu.weight !== undefined) properties.push(['CPUWeight', cpuWeight(cpu.weight)]);
  if (cpu.startupWeight !== undefined) {
    if (cpu.startupWeight === 'idle')
      requireVersion(options, SYSTEMD_MIN_VERSION.startupCpuWeightIdle, 'StartupCPUWeight=idle', [
        'resources',
        'cpu',
        'startupWeight',
      ]);
    properties.push(['StartupCPUWeight', cpuWeight(cpu.startupWeight)]);
  }
  if (cpu.quota !== undefined) properties.push(['CPUQuota', formatPercentage(cpu.quota)]);
  if (cpu.quotaPeriodUs !== undefined)
    properties.push(['CPUQuotaPeriodSec', formatTimeSpan(cpu.quotaPeriodUs)]);
  if (cpu.allowedCpus !== undefined) properties.push(['AllowedCPUs', formatIndexSet(cpu.allowedCpus)]);
  if (cpu.allowedMemoryNodes !== undefined)
    properties.push(['AllowedMemoryNodes', formatIndexSet(cpu.allowedMemoryNodes)]);
  if (io.weight !== undefined) properties.push(['IOWeight', String(io.weight)]);
  for (const limit of io.devices) {
    const device = unwrap(parseAbsolutePath(limit.device));
    if (limit.weight !== undefined) properties.push(['IODeviceWeight', `${device} ${limit.weight}`]);
    if (limit.readBandwidthMax !== undefined)
      properties.push(['IOReadBandwidthMax', `${device} ${bandwidth(limit.readBandwidthMax)}`]);
    if (limit.writeBandwidthMax !== undefined)
      properties.push(['IOWriteBandwidthMax', `${device} ${bandwidth(limit.writeBandwidthMax)}`]);
    if (limit.readIopsMax !== undefined)
      properties.push(['IOReadIOPSMax', `${device} ${iops(limit.readIopsMax)}`]);
    if (limit.writeIopsMax !== undefined)
      properties.push(['IOWriteIOPSMax', `${device} ${iops(limit.writeIopsMax)}`]);
  }
  if (tasks.max !== undefined) properties.push(['TasksMax', tasksMax(tasks.max)]);
  return properties;
}

/**
 * Renders limits as `--property=KEY=VALUE` arguments for `systemd-nspawn` started directly (the
 * properties go to the scope nspawn registers). Each property is one argument.
 *
 * @throws {@link VoltError} as {@link systemdProperties}.
 * @example
 * ```ts
 * systemdPropertyArgs(DEFAULT_RESOURCE_LIMITS)[0]; // '--property=Delegate=yes'
 * ```
 */
export function systemdPropertyArgs(
  limits: ResourceLimits,
  options: SystemdRenderOptions = {},
): readonly string[] {
  return systemdProperties(limits, options).map(([key, value]) => `--property=${key}=${value}`);
}

/**
 * Renders a complete drop-in for `systemd-nspawn@NAME.service`
 * (`/etc/systemd/system/systemd-nspawn@NAME.service.d/*.conf`), the route for containers started by
 * machinectl or the template unit. Limits never belong in a `.nspawn` file: nspawn ignores them there.
 * A composer that writes more into the drop-in uses {@link systemdProperties} as the `[Service]` entries
 * of core's `renderUnitFile()`.
 *
 * @throws {@link VoltError} as {@link systemdProperties}.
 * @example
 * ```ts
 * renderServiceDropin(DEFAULT_RESOURCE_LIMITS);
 * // '[Service]\nDelegate=yes\nMemoryHigh=1G\nMemoryMax=2G\nCPUWeight=100\nIOWeight=100\nTasksMax=4096\n'
 * ```
 */
export function renderServiceDropin(limits: ResourceLimits, options: SystemdRenderOptions = {}): string {
  return renderUnitFile({ sections: [{ name: 'Service', entries: systemdProperties(limits, options) }] });
}
