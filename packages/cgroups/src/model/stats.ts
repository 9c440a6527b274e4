import { VoltError } from '@volt/core';

/** One line of a PSI file: the share of time stalled over 10 s, 60 s and 300 s, and the total in µs. */
export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  readonly totalUsec: number;
}

/** A PSI file (`cpu.pressure`, `memory.pressure`, `io.pressure`): `some` and, where the kernel has it, `full`. */
export interface Pressure {
  readonly some: PressureLine;
  readonly full?: PressureLine;
}

/** `memory.events`: how often each memory boundary was hit. `oomKill` counts processes the OOM killer killed. */
export interface MemoryEvents {
  readonly low: number;
  readonly high: number;
  readonly max: number;
  readonly oom: number;
  readonly oomKill: number;
  readonly oomGroupKill?: number;
}

/** `cpu.stat`. The throttling fields exist only with the cpu controller enabled. */
export interface CpuStat {
  readonly usageUsec: number;
  readonly userUsec: number;
  readonly systemUsec: number;
  readonly nrPeriods?: number;
  readonly nrThrottled?: number;
  readonly throttledUsec?: number;
}

/** One device of `io.stat`. */
export interface IoStatEntry {
  readonly major: number;
  readonly minor: number;
  readonly rbytes: number;
  readonly wbytes: number;
  readonly rios: number;
  readonly wios: number;
  readonly dbytes: number;
  readonly dios: number;
}

/** `cgroup.events`. */
export interface CgroupEvents {
  readonly populated: boolean;
  readonly frozen: boolean;
}

/** `cgroup.stat`: live and dying descendant groups. */
export interface CgroupStat {
  readonly nrDescendants: number;
  readonly nrDyingDescendants: number;
}

/**
 * Live statistics of one cgroup. A field is absent when its file is absent (its controller is not
 * enabled for the group), never zero in its place.
 */
export interface CgroupStats {
  readonly path: string;
  readonly events?: CgroupEvents;
  readonly cgroup?: CgroupStat;
  readonly memoryCurrent?: number;
  readonly memoryPeak?: number;
  readonly memoryEvents?: MemoryEvents;
  readonly cpu?: CpuStat;
  readonly pidsCurrent?: number;
  readonly io?: readonly IoStatEntry[];
  readonly pressure: {
    readonly cpu?: Pressure;
    readonly memory?: Pressure;
    readonly io?: Pressure;
  };
}

function parseError(file: string, why: string): VoltError {
  return new VoltError('PARSE_ERROR', `cannot read ${file}: ${why}`, {
    hint: 'the file does not have the cgroup v2 format this kernel documents',
  });
}

function wholeNumber(text: string, file: string): number {
  if (!/^\d{1,20}$/.test(text)) throw parseError(file, `${JSON.stringify(text)} is not a whole number`);
  return Number(text);
}

/**
 * Parses a single-value file such as `memory.current` or `pids.current`.
 *
 * @throws {@link VoltError} `PARSE_ERROR` for anything but one whole number.
 * @example
 * ```ts
 * parseSingleValue('4096\n', 'memory.current'); // 4096
 * ```
 */
export function parseSingleValue(text: string, file: string): number {
  return wholeNumber(text.trim(), file);
}

/**
 * Parses a flat-keyed file (`KEY VALUE` per line: cpu.stat, memory.events, cgroup.stat, cgroup.events).
 *
 * @throws {@link VoltError} `PARSE_ERROR` for a line that is not `KEY NUMBER`.
 * @example
 * ```ts
 * parseFlatKeyed('usage_usec 10\nuser_usec 7\n', 'cpu.stat').get('user_usec'); // 7
 * ```
 */
export function parseFlatKeyed(text: string, file: string): ReadonlyMap<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space <= 0) throw parseError(file, `line ${JSON.stringify(line)} is not "KEY VALUE"`);
    values.set(line.slice(0, space), wholeNumber(line.slice(space + 1), file));
  }
  return values;
}

function required(values: ReadonlyMap<string, number>, key: string, file: string): number {
  const value = values.get(key);
  if (value === undefined) throw parseError(file, `${key} is missing`);
  return value;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/**
 * Parses `memory.events`.
 *
 * @throws {@link VoltError} `PARSE_ERROR`.
 * @example
 * ```ts
 * parseMemoryEvents('low 0\nhigh 3\nmax 1\noom 1\noom_kill 1\n').oomKill; // 1
 * ```
 */
export function parseMemoryEvents(text: string): MemoryEvents {
  const file = 'memory.events';
  const values = parseFlatKeyed(text, file);
  return {
    low: required(values, 'low', file),
    high: required(values, 'high', file),
    max: required(values, 'max', file),
    oom: required(values, 'oom', file),
    oomKill: required(values, 'oom_kill', file),
    ...optional('oomGroupKill', values.get('oom_group_kill')),
  };
}

/**
 * Parses `cpu.stat`.
 *
 * @throws {@link VoltError} `PARSE_ERROR`.
 * @example
 * ```ts
 * parseCpuStat('usage_usec 10\nuser_usec 7\nsystem_usec 3\n').usageUsec; // 10
 * ```
 */
export function parseCpuStat(text: string): CpuStat {
  const file = 'cpu.stat';
  const values = parseFlatKeyed(text, file);
  return {
    usageUsec: required(values, 'usage_usec', file),
    userUsec: required(values, 'user_usec', file),
    systemUsec: required(values, 'system_usec', file),
    ...optional('nrPeriods', values.get('nr_periods')),
    ...optional('nrThrottled', values.get('nr_throttled')),
    ...optional('throttledUsec', values.get('throttled_usec')),
  };
}

/**
 * Parses `cgroup.events`.
 *
 * @throws {@link VoltError} `PARSE_ERROR`.
 * @example
 * ```ts
 * parseCgroupEvents('populated 1\nfrozen 0\n'); // { populated: true, frozen: false }
 * ```
 */
export function parseCgroupEvents(text: string): CgroupEvents {
  const file = 'cgroup.events';
  const values = parseFlatKeyed(text, file);
  return { populated: required(values, 'populated', file) === 1, frozen: values.get('frozen') === 1 };
}

/**
 * Parses `cgroup.stat`.
 *
 * @throws {@link VoltError} `PARSE_ERROR`.
 * @example
 * ```ts
 * parseCgroupStat('nr_descendants 2\nnr_dying_descendants 0\n').nrDescendants; // 2
 * ```
 */
export function parseCgroupStat(text: string): CgroupStat {
  const file = 'cgroup.stat';
  const values = parseFlatKeyed(text, file);
  return {
    nrDescendants: required(values, 'nr_descendants', file),
    nrDyingDescendants: required(values, 'nr_dying_descendants', file),
  };
}

const PRESSURE_LINE = /^(some|full) avg10=(\d+\.\d\d) avg60=(\d+\.\d\d) avg300=(\d+\.\d\d) total=(\d{1,20})$/;

/**
 * Parses a PSI file (`cpu.pressure`, `memory.pressure`, `io.pressure`).
 *
 * @throws {@link VoltError} `PARSE_ERROR`.
 * @example
 * ```ts
 * parsePressure('some avg10=1.50 avg60=0.00 avg300=0.00 total=1200\n', 'cpu.pressure').some.avg10; // 1.5
 * ```
 */
export function parsePressure(text: string, file: string): Pressure {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = PRESSURE_LINE.exec(line);
    if (match === null) throw parseError(file, `line ${JSON.stringify(line)} is not a PSI line`);
    const parsed: PressureLine = {
      avg10: Number(match[2]),
      avg60: Number(match[3]),
      avg300: Number(match[4]),
      totalUsec: Number(match[5]),
    };
    if (match[1] === 'some') some = parsed;
    else full = parsed;
  }
  if (some === undefined) throw parseError(file, 'the "some" line is missing');
  return full === undefined ? { some } : { some, full };
}

const IO_STAT_KEYS = ['rbytes', 'wbytes', 'rios', 'wios', 'dbytes', 'dios'] as const;

/**
 * Parses `io.stat`: one line per device, `MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…`.
 * Keys the kernel does not always print count as 0; unknown keys are ignored.
 *
 * @throws {@link VoltError} `PARSE_ERROR`.
 * @example
 * ```ts
 * parseIoStat('8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n')[0]?.rbytes; // 4096
 * ```
 */
export function parseIoStat(text: string): readonly IoStatEntry[] {
  const file = 'io.stat';
  const entries: IoStatEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [device = '', ...pairs] = line.split(' ');
    const match = /^(\d+):(\d+)$/.exec(device);
    if (match === null) throw parseError(file, `${JSON.stringify(device)} is not MAJ:MIN`);
    const counters: Record<(typeof IO_STAT_KEYS)[number], number> = {
      rbytes: 0,
      wbytes: 0,
      rios: 0,
      wios: 0,
      dbytes: 0,
      dios: 0,
    };
    for (const pair of pairs) {
      const equals = pair.indexOf('=');
      const key = pair.slice(0, equals);
      if (equals <= 0) throw parseError(file, `${JSON.stringify(pair)} is not KEY=VALUE`);
      if ((IO_STAT_KEYS as readonly string[]).includes(key))
        counters[key as (typeof IO_STAT_KEYS)[number]] = wholeNumber(pair.slice(equals + 1), file);
    }
    entries.push({ major: Number(match[1]), minor: Number(match[2]), ...counters });
  }
  return entries;
}
