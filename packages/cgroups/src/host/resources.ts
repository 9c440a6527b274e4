import { readFile, stat } from 'node:fs/promises';
import { parseAbsolutePath, unwrap, VoltError } from '@volt/core';
import type { DeviceNumber, HostResources } from '../render/cgroupfs.js';

/** Options for {@link readHostResources}. */
export interface HostReadOptions {
  /** Where procfs is mounted. Default `/proc`; tests point it at a directory of fixtures. */
  readonly procRoot?: string;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new VoltError('SYSTEM_ERROR', `cannot read ${file}`, { cause });
  }
}

function positiveNumber(text: string, file: string): number {
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new VoltError('PARSE_ERROR', `${file} does not hold a positive whole number`);
  return value;
}

/**
 * Reads the host facts that memory and TasksMax percentages scale: MemTotal from `meminfo`, and the
 * task limit as systemd computes it (the smaller of `kernel/pid_max` minus one and `kernel/threads-max`).
 *
 * @throws {@link VoltError} `SYSTEM_ERROR` or `PARSE_ERROR` when procfs cannot be read or parsed.
 * @example
 * ```ts
 * const host = await readHostResources();
 * cgroupfsValues(limitsWithPercentages, host);
 * ```
 */
export async function readHostResources(options: HostReadOptions = {}): Promise<HostResources> {
  const proc = options.procRoot ?? '/proc';
  const [meminfo, pidMax, threadsMax] = await Promise.all([
    readText(`${proc}/meminfo`),
    readText(`${proc}/sys/kernel/pid_max`),
    readText(`${proc}/sys/kernel/threads-max`),
  ]);
  const match = /^MemTotal:\s+(\d+) kB$/m.exec(meminfo);
  if (match === null) throw new VoltError('PARSE_ERROR', `${proc}/meminfo has no MemTotal line`);
  return {
    memoryBytes: Number(match[1]) * 1024,
    tasksMax: Math.min(
      positiveNumber(pidMax, `${proc}/sys/kernel/pid_max`) - 1,
      positiveNumber(threadsMax, `${proc}/sys/kernel/threads-max`),
    ),
  };
}

/**
 * Splits a Linux `dev_t` into major and minor numbers (glibc's gnu_dev_major/gnu_dev_minor).
 *
 * @example
 * ```ts
 * decodeDeviceNumber(2049n); // { major: 8, minor: 1 }
 * ```
 */
export function decodeDeviceNumber(dev: bigint): DeviceNumber {
  const major = ((dev & 0xfff00n) >> 8n) | ((dev & 0xfffff000_00000000n) >> 32n);
  const minor = (dev & 0xffn) | ((dev & 0xfff_fff00000n) >> 12n);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Resolves the device paths of IO limits to device numbers, as systemd does: a block device node
 * stands for itself, any other path for the device its file system lives on.
 *
 * @throws {@link VoltError} `INVALID_PATH` for a path that is not absolute and safe; `NOT_FOUND` for a
 * path that does not exist.
 * @example
 * ```ts
 * const devices = await resolveDeviceNumbers(['/dev/sda']);
 * cgroupfsValues(limits, { devices });
 * ```
 */
export async function resolveDeviceNumbers(
  paths: readonly string[],
): Promise<ReadonlyMap<string, DeviceNumber>> {
  const devices = new Map<string, DeviceNumber>();
  for (const [index, text] of paths.entries()) {
    const path = unwrap(parseAbsolutePath(text));
    try {
      const info = await stat(path, { bigint: true });
      devices.set(path, decodeDeviceNumber(info.isBlockDevice() ? info.rdev : info.dev));
    } catch (cause) {
      throw new VoltError('NOT_FOUND', `the device path ${path} does not exist`, {
        path: ['resources', 'io', 'devices', index, 'device'],
        cause,
      });
    }
  }
  return devices;
}
