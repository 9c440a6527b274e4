import { constants, readFileSync } from 'node:fs';
import { access, mkdir, open, readdir, rmdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAbsolutePath, VoltError } from '@volt/core';
import {
  type CgroupEvents,
  type CgroupStats,
  parseCgroupEvents,
  parseCgroupStat,
  parseCpuStat,
  parseIoStat,
  parseMemoryEvents,
  parsePressure,
  parseSingleValue,
} from '../model/stats.js';
import type { CgroupFileValue } from '../render/cgroupfs.js';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function systemError(action: string, file: string, cause: unknown): VoltError {
  const code = errnoCode(cause);
  const why = `cannot ${action} ${file}${code === undefined ? '' : ` (${code})`}`;
  switch (code) {
    case 'ENOENT':
      return new VoltError('NOT_FOUND', `${why}: it does not exist`, {
        cause,
        hint: 'a missing interface file means its controller is not enabled for this group',
      });
    case 'EACCES':
    case 'EPERM':
      return new VoltError('PERMISSION_DENIED', why, {
        cause,
        hint: 'run as root or on a delegated subtree',
      });
    case 'EBUSY':
      return new VoltError('BUSY', why, { cause });
    case 'EINVAL':
    case 'ERANGE':
      return new VoltError('INVALID_VALUE', `${why}: the kernel refused the value`, { cause });
    default:
      return new VoltError('SYSTEM_ERROR', why, { cause });
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  return readOptionalSync(file);
}

// Interface files are small and served from memory: one synchronous read costs a few microseconds, a
// thread-pool round trip of the async API costs ten times more (see bench/stats.bench.ts).
function readOptionalSync(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'EOPNOTSUPP' || code === 'ENODEV') return undefined;
    throw systemError('read', file, error);
  }
}

/** Writes without creating: on cgroupfs a missing file means a missing controller, never a new file. */
async function writeExisting(file: string, value: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_TRUNC);
    await handle.write(value);
  } catch (error) {
    throw systemError('write', file, error);
  } finally {
    await handle?.close();
  }
}

function words(text: string | undefined): readonly string[] {
  return (text ?? '').split(/\s+/).filter((word) => word !== '');
}

/**
 * Reads the live statistics of the cgroup in `directory`, every file at once. Files that do not exist
 * (controller not enabled) leave their field absent.
 *
 * @throws {@link VoltError} `NOT_FOUND` when `directory` is not a cgroup; `PARSE_ERROR` for a file in an
 * unknown format; `SYSTEM_ERROR` for other read errors.
 * @example
 * ```ts
 * const stats = await readCgroupStats('/sys/fs/cgroup/unified/vtc-web');
 * stats.cpu?.usageUsec;
 * ```
 */
export async function readCgroupStats(directory: string): Promise<CgroupStats> {
  const files = [
    'cgroup.events',
    'cgroup.stat',
    'memory.current',
    'memory.peak',
    'memory.events',
    'cpu.stat',
    'pids.current',
    'io.stat',
    'cpu.pressure',
    'memory.pressure',
    'io.pressure',
  ] as const;
  const [events, cgroup, memoryCurrent, memoryPeak, memoryEvents, cpu, pidsCurrent, io, cpuP, memoryP, ioP] =
    files.map((file) => readOptionalSync(`${directory}/${file}`));
  if (cgroup === undefined)
    throw new VoltError('NOT_FOUND', `${directory} is not a cgroup v2 group (no cgroup.stat)`, {
      hint: 'give a directory below the cgroup2 mount',
    });
  const pressure = {
    ...(cpuP === undefined ? {} : { cpu: parsePressure(cpuP, 'cpu.pressure') }),
    ...(memoryP === undefined ? {} : { memory: parsePressure(memoryP, 'memory.pressure') }),
    ...(ioP === undefined ? {} : { io: parsePressure(ioP, 'io.pressure') }),
  };
  return {
    path: directory,
    ...(events === undefined ? {} : { events: parseCgroupEvents(events) }),
    cgroup: parseCgroupStat(cgroup),
    ...(memoryCurrent === undefined
      ? {}
      : { memoryCurrent: parseSingleValue(memoryCurrent, 'memory.current') }),
    ...(memoryPeak === undefined ? {} : { memoryPeak: parseSingleValue(memoryPeak, 'memory.peak') }),
    ...(memoryEvents === undefined ? {} : { memoryEvents: parseMemoryEvents(memoryEvents) }),
    ...(cpu === undefined ? {} : { cpu: parseCpuStat(cpu) }),
    ...(pidsCurrent === undefined ? {} : { pidsCurrent: parseSingleValue(pidsCurrent, 'pids.current') }),
    ...(io === undefined ? {} : { io: parseIoStat(io) }),
    pressure,
  };
}

/** Which controllers {@link CgroupManager.create} could enable. */
export interface ControllerReport {
  /** Enabled for the new group (requested and available in its parent). */
  readonly enabled: readonly string[];
  /** Requested but not available in the parent: their files will be absent. */
  readonly missing: readonly string[];
}

/** Options for waiting on `cgroup.events`. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 5000). */
  readonly timeoutMs?: number;
}

/** Options for {@link CgroupManager.create}. */
export interface CreateOptions {
  /** Controllers to enable for the group, where the parent has them (see {@link requiredControllers}). */
  readonly controllers?: readonly string[];
}

/**
 * A direct cgroup v2 manager for one group below a cgroup2 mount, in the containerd/cgroups spirit: the
 * group's path is checked once, at construction; every method is one effect on cgroupfs. The mount can
 * be any directory, so tests point it at a temporary tree.
 *
 * @example
 * ```ts
 * const manager = CgroupManager.open(await findCgroup2Mount(), 'vtc-web');
 * await manager.create();
 * await manager.addProcess(pid);
 * await manager.remove({ kill: true });
 * ```
 */
export class CgroupManager {
  /** The cgroup2 mount point. */
  readonly mount: string;
  /** The group below the mount, e.g. `vtc-web` or `vtc-a/b`. */
  readonly group: string;
  /** The group's directory: `mount/group`. */
  readonly path: string;

  private constructor(mount: string, group: string) {
    this.mount = mount;
    this.group = group;
    this.path = `${mount}/${group}`;
  }

  /**
   * A manager for an existing or future group. Nothing is touched yet.
   *
   * @throws {@link VoltError} `INVALID_PATH` when `mount` is not a safe absolute path or `group` is
   * empty, absolute, or contains `..`.
   * @example
   * ```ts
   * const manager = CgroupManager.open(await findCgroup2Mount(), 'vtc-web');
   * ```
   */
  static open(mount: string, group: string): CgroupManager {
    const mountPath = parseAbsolutePath(mount);
    if (!mountPath.ok) throw mountPath.error.at(['mount']);
    const groupPath = parseAbsolutePath(`/${group}`);
    if (group === '' || group.startsWith('/') || !groupPath.ok || groupPath.value === '/')
      throw new VoltError('INVALID_PATH', `${JSON.stringify(group)} is not a group name below the mount`, {
        path: ['group'],
        hint: "give a relative path such as 'vtc-web' or 'vtc-web/payload'",
      });
    return new CgroupManager(mountPath.value, groupPath.value.slice(1));
  }

  /**
   * Creates the group (and missing parents), enabling the requested controllers on the way down where
   * each parent has them. An existing group is reused.
   *
   * @throws {@link VoltError} `PERMISSION_DENIED`, `BUSY` (a parent with processes cannot enable
   * controllers), `NOT_FOUND` when the mount is not a cgroup2 hierarchy, or `SYSTEM_ERROR`.
   * @example
   * ```ts
   * const manager = CgroupManager.open(mount, 'vtc-web');
   * const { missing } = await manager.create({ controllers: requiredControllers(values) });
   * ```
   */
  async create(options: CreateOptions = {}): Promise<ControllerReport> {
    const wanted = options.controllers ?? [];
    let parent = this.mount;
    let enabled: readonly string[] = [];
    let missing: readonly string[] = [];
    for (const part of this.group.split('/')) {
      const report = await this.enableControllers(parent, wanted);
      enabled = report.enabled;
      missing = report.missing;
      const directory = `${parent}/${part}`;
      try {
        await mkdir(directory);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw systemError('create', directory, error);
      }
      parent = directory;
    }
    return { enabled, missing };
  }

  private async enableControllers(parent: string, wanted: readonly string[]): Promise<ControllerReport> {
    if (wanted.length === 0) return { enabled: [], missing: [] };
    const controllersFile = `${parent}/cgroup.controllers`;
    const available = await readOptional(controllersFile);
    if (available === undefined)
      throw new VoltError('NOT_FOUND', `${parent} is not a cgroup v2 group (no cgroup.controllers)`);
    const has = new Set(words(available));
    const active = new Set(words(await readOptional(`${parent}/cgroup.subtree_control`)));
    for (const controller of wanted) {
      if (has.has(controller) && !active.has(controller))
        await writeExisting(`${parent}/cgroup.subtree_control`, `+${controller}`);
    }
    return {
      enabled: wanted.filter((controller) => has.has(controller)),
      missing: wanted.filter((controller) => !has.has(controller)),
    };
  }

  /**
   * Writes the values in order. All-or-nothing: every file is checked first (a missing one is
   * `UNSUPPORTED`, nothing written), and when the kernel refuses a write, the files already written get
   * their previous contents back before the error is thrown.
   *
   * @throws {@link VoltError} `UNSUPPORTED` for files whose controller is not enabled; `INVALID_VALUE`
   * when the kernel refuses a value; `PERMISSION_DENIED`, `BUSY` or `SYSTEM_ERROR`.
   * @example
   * ```ts
   * await manager.apply(cgroupfsValues(limits, await readHostResources()));
   * ```
   */
  async apply(values: readonly CgroupFileValue[]): Promise<void> {
    const files = [...new Set(values.map(([file]) => file))];
    for (const file of files) {
      if (!/^[a-z]+\.[a-z0-9_.]+$/.test(file) || file.startsWith('cgroup.'))
        throw new VoltError('INVALID_VALUE', `${JSON.stringify(file)} is not a resource interface file`);
    }
    const absent: string[] = [];
    for (const file of files) {
      try {
        await access(`${this.path}/${file}`, constants.F_OK);
      } catch {
        absent.push(file);
      }
    }
    if (absent.length > 0)
      throw new VoltError('UNSUPPORTED', `${this.path} has no ${absent.join(', ')}: nothing was written`, {
        hint: 'enable the controllers in the parent (create({ controllers })) or leave those limits out',
      });
    const previous = new Map<string, string>();
    for (const file of files) previous.set(file, (await readOptional(`${this.path}/${file}`)) ?? '');
    const written: string[] = [];
    try {
      for (const [file, value] of values) {
        if (!written.includes(file)) written.push(file);
        await writeExisting(`${this.path}/${file}`, value);
      }
    } catch (error) {
      for (const file of written.reverse()) {
        const restore = restoreLines(file, previous.get(file) ?? '', values);
        for (const line of restore) await writeExisting(`${this.path}/${file}`, line).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * Moves a process (all its threads) into the group.
   *
   * @throws {@link VoltError} `NOT_FOUND` when the group does not exist, `INVALID_VALUE` or
   * `SYSTEM_ERROR` (ESRCH) when the process does not exist, `BUSY` when the group has child groups with
   * controllers enabled.
   * @example
   * ```ts
   * await manager.addProcess(child.pid);
   * ```
   */
  async addProcess(pid: number): Promise<void> {
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new VoltError('INVALID_NUMBER', `${pid} is not a process ID; accepted: a whole number from 1`);
    await writeExisting(`${this.path}/cgroup.procs`, String(pid));
  }

  /**
   * The IDs of the processes in the group itself (not in its children).
   *
   * @throws {@link VoltError} `NOT_FOUND` when the group does not exist.
   * @example
   * ```ts
   * await manager.processes(); // [4242]
   * ```
   */
  async processes(): Promise<readonly number[]> {
    const text = await readOptional(`${this.path}/cgroup.procs`);
    if (text === undefined) throw new VoltError('NOT_FOUND', `${this.path} does not exist`);
    return words(text).map(Number);
  }

  /**
   * Reads `cgroup.events`.
   *
   * @throws {@link VoltError} `NOT_FOUND` when the group does not exist.
   * @example
   * ```ts
   * (await manager.events()).populated; // true
   * ```
   */
  async events(): Promise<CgroupEvents> {
    const text = await readOptional(`${this.path}/cgroup.events`);
    if (text === undefined) throw new VoltError('NOT_FOUND', `${this.path} has no cgroup.events`);
    return parseCgroupEvents(text);
  }

  private async waitFor(
    test: (events: CgroupEvents) => boolean,
    what: string,
    options: WaitOptions,
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    let delay = 1;
    while (!test(await this.events())) {
      if (Date.now() > deadline)
        throw new VoltError(
          'BUSY',
          `${this.path} did not become ${what} within ${options.timeoutMs ?? 5000} ms`,
        );
      await sleep(delay);
      delay = Math.min(delay * 2, 25);
    }
  }

  /**
   * Freezes every process in the group and its children, and waits until `cgroup.events` says `frozen 1`.
   *
   * @throws {@link VoltError} `BUSY` on time-out; `NOT_FOUND` when the group does not exist.
   * @example
   * ```ts
   * await manager.freeze();
   * ```
   */
  async freeze(options: WaitOptions = {}): Promise<void> {
    await writeExisting(`${this.path}/cgroup.freeze`, '1');
    await this.waitFor((events) => events.frozen, 'frozen', options);
  }

  /**
   * Thaws the group and waits until `cgroup.events` says `frozen 0`.
   *
   * @throws {@link VoltError} `BUSY` on time-out; `NOT_FOUND` when the group does not exist.
   * @example
   * ```ts
   * await manager.thaw();
   * ```
   */
  async thaw(options: WaitOptions = {}): Promise<void> {
    await writeExisting(`${this.path}/cgroup.freeze`, '0');
    await this.waitFor((events) => !events.frozen, 'thawed', options);
  }

  /**
   * Kills every process in the group and its children with SIGKILL (`cgroup.kill`, Linux 5.14) and waits
   * until the group is empty (`populated 0`).
   *
   * @throws {@link VoltError} `NOT_FOUND` when the kernel has no cgroup.kill or the group does not exist;
   * `BUSY` on time-out.
   * @example
   * ```ts
   * await manager.kill();
   * ```
   */
  async kill(options: WaitOptions = {}): Promise<void> {
    await writeExisting(`${this.path}/cgroup.kill`, '1');
    await this.waitFor((events) => !events.populated, 'empty', options);
  }

  /**
   * Live statistics; see {@link readCgroupStats}.
   *
   * @throws {@link VoltError} as {@link readCgroupStats}.
   * @example
   * ```ts
   * (await manager.stats()).pressure.cpu?.some.avg10;
   * ```
   */
  stats(): Promise<CgroupStats> {
    return readCgroupStats(this.path);
  }

  /**
   * Removes the group and its child groups, deepest first. With `kill`, kills their processes first.
   * A group that no longer exists is not an error.
   *
   * @throws {@link VoltError} `BUSY` when a group still has processes (pass `{ kill: true }`);
   * `PERMISSION_DENIED` or `SYSTEM_ERROR`.
   * @example
   * ```ts
   * await manager.remove({ kill: true });
   * ```
   */
  async remove(options: { readonly kill?: boolean } & WaitOptions = {}): Promise<void> {
    try {
      await access(this.path, constants.F_OK);
    } catch {
      return;
    }
    if (options.kill === true) await this.kill(options);
    await removeTree(this.path);
  }
}

/**
 * The writes that give a file its previous contents back. Keyed files (io.max, io.weight) keep lines for
 * devices not mentioned; a device that was not there before is reset explicitly.
 */
function restoreLines(file: string, before: string, values: readonly CgroupFileValue[]): readonly string[] {
  const lines = before.split('\n').filter((line) => line !== '');
  if (file !== 'io.max' && file !== 'io.weight') return lines.length === 0 ? [''] : lines;
  const known = new Set(lines.map((line) => line.split(' ')[0]));
  const reset = values
    .filter(([name, value]) => name === file && /^\d+:\d+ /.test(value))
    .map(([, value]) => value.split(' ')[0] as string)
    .filter((device) => !known.has(device))
    .map((device) =>
      file === 'io.max' ? `${device} rbps=max wbps=max riops=max wiops=max` : `${device} default`,
    );
  return [...lines, ...reset];
}

async function removeTree(directory: string): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [];
    throw systemError('list', directory, error);
  });
  for (const entry of entries) if (entry.isDirectory()) await removeTree(`${directory}/${entry.name}`);
  try {
    await rmdir(directory);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return;
    if (code === 'EBUSY')
      throw new VoltError('BUSY', `${directory} still has processes`, {
        cause: error,
        hint: 'pass { kill: true }',
      });
    throw systemError('remove', directory, error);
  }
}
