import {
  DEVICE_LIMITS,
  formatResourceValue,
  RESOURCE_LIMITS,
  type ResourceLimitRow,
  type ResourceLimits,
  renderUnitFile,
  resourceValue,
  type Valid,
  VoltError,
} from '@volt/core';
import type { SystemdProperty } from '../model/properties.js';

/** Options for the systemd renderers. */
export interface SystemdRenderOptions {
  /**
   * The systemd version that will read the properties. A setting (or value) it does not read is refused
   * with `UNSUPPORTED` instead of being rendered into a warning. Default: the current syntax.
   */
  readonly systemdVersion?: number;
}

/**
 * Values that a systemd version refuses although it reads the setting: `StartupCPUWeight=idle` was refused
 * by 252 (measured); 253 is assumed, not measured.
 *
 * @example
 * ```ts
 * SYSTEMD_VALUE_SINCE[0]; // { key: 'cpu.startupWeight', value: 'idle', systemd: 253 }
 * ```
 */
export const SYSTEMD_VALUE_SINCE: readonly {
  readonly key: string;
  readonly value: string;
  readonly systemd: number;
}[] = [{ key: 'cpu.startupWeight', value: 'idle', systemd: 253 }];

function requireVersion(options: SystemdRenderOptions, row: ResourceLimitRow, text: string): void {
  const version = options.systemdVersion;
  if (version === undefined) return;
  const since = Math.max(
    row.systemdSince ?? 0,
    ...SYSTEMD_VALUE_SINCE.filter((entry) => entry.key === row.key && entry.value === text).map(
      (entry) => entry.systemd,
    ),
  );
  if (version >= since) return;
  throw new VoltError(
    'UNSUPPORTED',
    `${row.systemd}=${text} needs systemd ${since} or later; this host has ${version}`,
    { path: ['resources', ...row.key.split('.')], hint: `leave resources.${row.key} out for this host` },
  );
}

/**
 * Renders limits as systemd resource-control properties, one per limit that is set, in the order of the
 * table of limits (`RESOURCE_LIMITS`), then the per-device IO limits (`DEVICE_LIMITS`) as `DEVICE VALUE`.
 * Every value is written from the typed limits (`2G`, `150%`, `0-3,5`), never copied from user text.
 * `delegate: false` writes nothing (leaving delegation to the unit: the stock template unit delegates).
 *
 * @throws {@link VoltError} `UNSUPPORTED` when `systemdVersion` is too old for a setting or value in use.
 * @example
 * ```ts
 * systemdProperties(DEFAULT_RESOURCE_LIMITS);
 * // [['Delegate','yes'], ['MemoryHigh','1G'], ['MemoryMax','2G'], ['CPUWeight','100'],
 * //  ['IOWeight','100'], ['TasksMax','4096']]
 * ```
 */
export function systemdProperties(
  limits: Valid<ResourceLimits>,
  options: SystemdRenderOptions = {},
): readonly SystemdProperty[] {
  const properties: SystemdProperty[] = [];
  for (const row of RESOURCE_LIMITS) {
    const value = resourceValue(limits, row.key);
    if (value === undefined || value === false) continue;
    const text = formatResourceValue(row.kind, value);
    requireVersion(options, row, text);
    properties.push([row.systemd, text]);
  }
  for (const device of limits.io?.devices ?? []) {
    for (const row of DEVICE_LIMITS) {
      const value = device[row.key];
      if (value === undefined) continue;
      properties.push([row.systemd, `${device.device} ${formatResourceValue(row.kind, value)}`]);
    }
  }
  return properties;
}

/**
 * Renders limits as `--property=KEY=VALUE` arguments for `systemd-nspawn` started directly (the properties
 * go to the scope nspawn registers). Each property is one argument.
 *
 * @throws {@link VoltError} as {@link systemdProperties}.
 * @example
 * ```ts
 * systemdPropertyArgs(DEFAULT_RESOURCE_LIMITS)[0]; // '--property=Delegate=yes'
 * ```
 */
export function systemdPropertyArgs(
  limits: Valid<ResourceLimits>,
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
export function renderServiceDropin(
  limits: Valid<ResourceLimits>,
  options: SystemdRenderOptions = {},
): string {
  return renderUnitFile({ sections: [{ name: 'Service', entries: systemdProperties(limits, options) }] });
}
