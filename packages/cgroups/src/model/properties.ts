import {
  DEVICE_LIMITS,
  fail,
  type InputPath,
  RESOURCE_LIMITS,
  type ResourceLimits,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { parseResourceLimits } from '@volt/core/profile';

/** One systemd resource-control assignment, e.g. `['MemoryMax', '2G']`. */
export type SystemdProperty = readonly [key: string, value: string];

/**
 * Reads systemd resource-control properties (a drop-in's `[Service]` entries, or `--property=` pairs) back
 * into resource limits: the inverse of `systemdProperties`. Each key is found in the table of limits and its
 * value goes through the one parser of resource limits, as a profile's would (systemd's syntax is the
 * profile's). Keys that are not resource control (e.g. `Environment`) are skipped.
 *
 * @example
 * ```ts
 * resourceLimitsFromProperties([['Delegate', 'yes'], ['MemoryMax', '2G']]).ok; // true
 * resourceLimitsFromProperties([['MemoryMax', 'lots']]).ok; // false, code INVALID_BYTE_SIZE
 * ```
 */
export function resourceLimitsFromProperties(
  properties: readonly SystemdProperty[],
  path: InputPath = [],
): Result<Valid<ResourceLimits>> {
  const document: Record<string, Record<string, unknown> | unknown> = {};
  const devices = new Map<string, Record<string, unknown>>();
  for (const [key, value] of properties) {
    const row = RESOURCE_LIMITS.find((candidate) => candidate.systemd === key);
    if (row !== undefined) {
      const [group, field] = row.key.split('.') as [string, string | undefined];
      if (field === undefined) document[group] = value;
      else document[group] = { ...(document[group] as Record<string, unknown>), [field]: value };
      continue;
    }
    const deviceRow = DEVICE_LIMITS.find((candidate) => candidate.systemd === key);
    if (deviceRow === undefined) continue;
    const space = value.lastIndexOf(' ');
    if (space <= 0) {
      return fail(
        new VoltError('PARSE_ERROR', `${key}=${value} is not "DEVICE VALUE"`, { path: [...path, key] }),
      );
    }
    const device = value.slice(0, space);
    const entry = devices.get(device) ?? { device };
    entry[deviceRow.key] = value.slice(space + 1);
    devices.set(device, entry);
  }
  if (devices.size > 0) {
    document['io'] = { ...(document['io'] as Record<string, unknown>), devices: [...devices.values()] };
  }
  return parseResourceLimits(document, path);
}
