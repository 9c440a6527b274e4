import { readFile } from 'node:fs/promises';
import { VoltError } from '@volt/core';

/** One line of `/proc/self/mountinfo`. */
export interface MountInfoEntry {
  readonly mountId: number;
  readonly parentId: number;
  readonly root: string;
  readonly mountPoint: string;
  readonly options: string;
  readonly fsType: string;
  readonly source: string;
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Parses `/proc/PID/mountinfo` (proc(5)): the optional fields up to the `-` separator are skipped and
 * octal escapes such as `\040` (space) are decoded.
 *
 * @throws {@link VoltError} `PARSE_ERROR` for a line without the fields proc(5) documents.
 * @example
 * ```ts
 * parseMountInfo('41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n')[0]?.fsType; // 'cgroup2'
 * ```
 */
export function parseMountInfo(text: string): readonly MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const [mountId, parentId, , root, mountPoint, options] = fields;
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator < 0 || options === undefined || fsType === undefined || source === undefined)
      throw new VoltError(
        'PARSE_ERROR',
        `mountinfo line ${JSON.stringify(line)} does not have the proc(5) fields`,
      );
    entries.push({
      mountId: Number(mountId),
      parentId: Number(parentId),
      root: unescapeOctal(root as string),
      mountPoint: unescapeOctal(mountPoint as string),
      options,
      fsType,
      source: unescapeOctal(source),
    });
  }
  return entries;
}

/**
 * The mount point of the cgroup2 hierarchy in a mountinfo text: `/sys/fs/cgroup` on a unified host,
 * `/sys/fs/cgroup/unified` on a hybrid one. Only mounts of the hierarchy's root count.
 *
 * @example
 * ```ts
 * findCgroup2MountPoint('41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n'); // '/sys/fs/cgroup/unified'
 * ```
 */
export function findCgroup2MountPoint(mountinfo: string): string | undefined {
  const mounts = parseMountInfo(mountinfo).filter(
    (entry) => entry.fsType === 'cgroup2' && entry.root === '/',
  );
  return (mounts.find((entry) => entry.mountPoint === '/sys/fs/cgroup') ?? mounts[0])?.mountPoint;
}

/** Options for {@link findCgroup2Mount}. */
export interface FindMountOptions {
  /** The mountinfo file to read. Default `/proc/self/mountinfo`. */
  readonly mountinfo?: string;
}

/**
 * Finds where the cgroup2 hierarchy is mounted for this process.
 *
 * @throws {@link VoltError} `UNSUPPORTED` when no cgroup2 hierarchy is mounted; `SYSTEM_ERROR` when the
 * mountinfo file cannot be read.
 * @example
 * ```ts
 * await findCgroup2Mount(); // '/sys/fs/cgroup/unified' on a hybrid host
 * ```
 */
export async function findCgroup2Mount(options: FindMountOptions = {}): Promise<string> {
  const file = options.mountinfo ?? '/proc/self/mountinfo';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VoltError('SYSTEM_ERROR', `cannot read ${file}`, { cause });
  }
  const mountPoint = findCgroup2MountPoint(text);
  if (mountPoint === undefined)
    throw new VoltError('UNSUPPORTED', 'no cgroup2 hierarchy is mounted', {
      hint: 'mount one with: mount -t cgroup2 none /sys/fs/cgroup',
    });
  return mountPoint;
}

/** The cgroup2 hierarchy of this process: where it is mounted and what it can control. */
export interface Cgroup2Hierarchy {
  readonly mountPoint: string;
  /** `/sys/fs/cgroup` (a unified host) or another place (a hybrid host, cgroup v1 beside it). */
  readonly unified: boolean;
  /** The controllers its root offers (`cgroup.controllers`). */
  readonly controllers: readonly string[];
}

/**
 * The cgroup2 hierarchy of this process ({@link findCgroup2Mount}) and the controllers its root offers.
 *
 * @throws {@link VoltError} as {@link findCgroup2Mount}; `SYSTEM_ERROR` when `cgroup.controllers` cannot be read.
 * @example
 * ```ts
 * await probeCgroup2(); // { mountPoint: '/sys/fs/cgroup', unified: true, controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] }
 * ```
 */
export async function probeCgroup2(options: FindMountOptions = {}): Promise<Cgroup2Hierarchy> {
  const mountPoint = await findCgroup2Mount(options);
  const file = `${mountPoint}/cgroup.controllers`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VoltError('SYSTEM_ERROR', `cannot read ${file}`, { cause });
  }
  return {
    mountPoint,
    unified: mountPoint === '/sys/fs/cgroup',
    controllers: text.split(/\s+/).filter((controller) => controller !== ''),
  };
}
