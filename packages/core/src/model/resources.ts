import { fail, ok, type Result, VoltError } from '../errors.js';
import {
  type ByteLimit,
  formatByteLimit,
  formatByteSize,
  formatPercentage,
  parseByteLimit,
  parseByteSize,
  parsePercentage,
} from '../values/bytes.js';
import { describeValue } from '../values/describe.js';
import {
  formatIndexSet,
  formatTimeSpan,
  type IndexSet,
  parseIndexSet,
  parseInteger,
  parseTimeSpan,
  parseWeight,
} from '../values/numbers.js';
import type { CpuWeight, RateLimit, ResourceLimits, TasksLimit } from './types.js';

// One table of every cgroup v2 limit Volt knows: where it sits in a profile (and in ResourceLimits), what
// kind of value it takes, and what systemd, cgroupfs and the OCI runtime spec call it. The profile schema,
// the validator, the systemd renderers (--property= and the drop-in), the cgroupfs renderer, the OCI
// renderer and the drop-in parser are all driven from these rows.

/** The kinds of value a limit takes. Each kind has one parser and one systemd spelling (below). */
export type ResourceValueKind =
  | 'flag'
  | 'memory'
  | 'weight'
  | 'cpu-weight'
  | 'cpu-quota'
  | 'quota-period'
  | 'index-set'
  | 'tasks'
  | 'bandwidth'
  | 'iops';

/** The typed value of each {@link ResourceValueKind}. */
export interface ResourceValueTypes {
  readonly flag: boolean;
  readonly memory: ByteLimit;
  readonly weight: number;
  readonly 'cpu-weight': CpuWeight;
  /** Permyriad of one CPU. */
  readonly 'cpu-quota': number;
  /** Microseconds. */
  readonly 'quota-period': number;
  readonly 'index-set': IndexSet;
  readonly tasks: TasksLimit;
  /** Bytes per second. */
  readonly bandwidth: RateLimit;
  /** Operations per second. */
  readonly iops: RateLimit;
}

/** Any typed limit value. */
export type ResourceValue = ResourceValueTypes[ResourceValueKind];

/**
 * How the OCI runtime spec (`linux.resources`) carries a limit:
 * - `field`: a spec field, given as its dotted path under `linux.resources`, holding the cgroupfs value as
 *   a number (`max` is -1) or as the text it is;
 * - `unified`: the cgroupfs file and value as they are, in `linux.resources.unified`;
 * - `converted`: a spec field that needs a conversion, named in `note` and done by `@volt/cgroups`;
 * - `none`: the spec cannot say it, for `reason`.
 */
export type OciMapping =
  | { readonly kind: 'field'; readonly field: string; readonly type: 'number' | 'string' }
  | { readonly kind: 'unified' }
  | { readonly kind: 'converted'; readonly note: string }
  | { readonly kind: 'none'; readonly reason: string };

/** One limit of the resource set. */
export interface ResourceLimitRow {
  /** Where it sits under `resources:` in a profile and in `ResourceLimits`, dotted: `memory.max`. */
  readonly key: string;
  readonly kind: ResourceValueKind;
  /** systemd's resource-control setting. */
  readonly systemd: string;
  /** The first systemd version that reads the setting, when it is newer than Debian 12's 252. */
  readonly systemdSince?: number;
  /** systemd refuses zero here (`MemoryMax=0`, `MemoryMax=0%`: "out of range"). */
  readonly positive?: true;
  /** The cgroup v2 interface file, or null when the limit has none. */
  readonly cgroupfs: string | null;
  readonly oci: OciMapping;
}

/**
 * Every limit of the resource set except the per-device IO limits ({@link DEVICE_LIMITS}), in the order the
 * renderers write them.
 *
 * @example
 * ```ts
 * RESOURCE_LIMITS.find((row) => row.key === 'memory.max')?.systemd; // 'MemoryMax'
 * ```
 */
export const RESOURCE_LIMITS: readonly ResourceLimitRow[] = [
  {
    key: 'delegate',
    kind: 'flag',
    systemd: 'Delegate',
    cgroupfs: null,
    oci: { kind: 'none', reason: 'delegation is decided by the runtime, not by linux.resources' },
  },
  {
    key: 'memory.min',
    kind: 'memory',
    systemd: 'MemoryMin',
    cgroupfs: 'memory.min',
    oci: { kind: 'unified' },
  },
  {
    key: 'memory.low',
    kind: 'memory',
    systemd: 'MemoryLow',
    cgroupfs: 'memory.low',
    oci: { kind: 'field', field: 'memory.reservation', type: 'number' },
  },
  {
    key: 'memory.high',
    kind: 'memory',
    systemd: 'MemoryHigh',
    positive: true,
    cgroupfs: 'memory.high',
    oci: { kind: 'unified' },
  },
  {
    key: 'memory.max',
    kind: 'memory',
    systemd: 'MemoryMax',
    positive: true,
    cgroupfs: 'memory.max',
    oci: {
      kind: 'converted',
      note: 'memory.limit; unlimited without a swap limit goes to unified, where runc would also lift swap',
    },
  },
  {
    key: 'memory.swapMax',
    kind: 'memory',
    systemd: 'MemorySwapMax',
    cgroupfs: 'memory.swap.max',
    oci: { kind: 'converted', note: 'memory.swap is memory plus swap: memory.max + memory.swap.max' },
  },
  {
    key: 'memory.zswapMax',
    kind: 'memory',
    systemd: 'MemoryZSwapMax',
    systemdSince: 253,
    cgroupfs: 'memory.zswap.max',
    oci: { kind: 'unified' },
  },
  {
    key: 'cpu.weight',
    kind: 'cpu-weight',
    systemd: 'CPUWeight',
    cgroupfs: 'cpu.weight',
    oci: {
      kind: 'converted',
      note: 'cpu.shares by runc’s curve, and the exact weight in unified (runtimes convert shares differently); idle is cpu.idle',
    },
  },
  {
    key: 'cpu.startupWeight',
    kind: 'cpu-weight',
    systemd: 'StartupCPUWeight',
    cgroupfs: null,
    oci: { kind: 'none', reason: 'StartupCPUWeight exists only in systemd' },
  },
  {
    key: 'cpu.quota',
    kind: 'cpu-quota',
    systemd: 'CPUQuota',
    cgroupfs: 'cpu.max',
    oci: { kind: 'converted', note: 'cpu.quota and cpu.period, computed as systemd writes cpu.max' },
  },
  {
    key: 'cpu.quotaPeriod',
    kind: 'quota-period',
    systemd: 'CPUQuotaPeriodSec',
    cgroupfs: 'cpu.max',
    oci: { kind: 'converted', note: 'cpu.period, together with cpu.quota' },
  },
  {
    key: 'cpu.allowedCpus',
    kind: 'index-set',
    systemd: 'AllowedCPUs',
    cgroupfs: 'cpuset.cpus',
    oci: { kind: 'field', field: 'cpu.cpus', type: 'string' },
  },
  {
    key: 'cpu.allowedMemoryNodes',
    kind: 'index-set',
    systemd: 'AllowedMemoryNodes',
    cgroupfs: 'cpuset.mems',
    oci: { kind: 'field', field: 'cpu.mems', type: 'string' },
  },
  {
    key: 'io.weight',
    kind: 'weight',
    systemd: 'IOWeight',
    cgroupfs: 'io.weight',
    oci: {
      kind: 'converted',
      note: 'blockIO.weight when the v1 scale has the exact value, and the weight in unified',
    },
  },
  {
    key: 'tasks.max',
    kind: 'tasks',
    systemd: 'TasksMax',
    cgroupfs: 'pids.max',
    oci: { kind: 'field', field: 'pids.limit', type: 'number' },
  },
];

/** One per-device IO limit, an entry of `io.devices`. */
export interface DeviceLimitRow {
  /** The field of a device entry. */
  readonly key: 'weight' | 'readBandwidthMax' | 'writeBandwidthMax' | 'readIopsMax' | 'writeIopsMax';
  readonly kind: 'weight' | 'bandwidth' | 'iops';
  /** systemd's setting; its value is `DEVICE VALUE`. */
  readonly systemd: string;
  /** `io.weight` (a `MAJ:MIN WEIGHT` line) or the key of an `io.max` line (`MAJ:MIN rbps=… wbps=…`). */
  readonly cgroupfs: { readonly file: 'io.weight' } | { readonly file: 'io.max'; readonly key: string };
  readonly oci: OciMapping;
}

/**
 * The per-device IO limits of `io.devices[]`.
 *
 * @example
 * ```ts
 * DEVICE_LIMITS.map((row) => row.systemd)[1]; // 'IOReadBandwidthMax'
 * ```
 */
export const DEVICE_LIMITS: readonly DeviceLimitRow[] = [
  {
    key: 'weight',
    kind: 'weight',
    systemd: 'IODeviceWeight',
    cgroupfs: { file: 'io.weight' },
    oci: {
      kind: 'none',
      reason: 'runc applies per-device weights only through BFQ (io.bfq.weight, another scale)',
    },
  },
  {
    key: 'readBandwidthMax',
    kind: 'bandwidth',
    systemd: 'IOReadBandwidthMax',
    cgroupfs: { file: 'io.max', key: 'rbps' },
    oci: { kind: 'field', field: 'blockIO.throttleReadBpsDevice', type: 'number' },
  },
  {
    key: 'writeBandwidthMax',
    kind: 'bandwidth',
    systemd: 'IOWriteBandwidthMax',
    cgroupfs: { file: 'io.max', key: 'wbps' },
    oci: { kind: 'field', field: 'blockIO.throttleWriteBpsDevice', type: 'number' },
  },
  {
    key: 'readIopsMax',
    kind: 'iops',
    systemd: 'IOReadIOPSMax',
    cgroupfs: { file: 'io.max', key: 'riops' },
    oci: { kind: 'field', field: 'blockIO.throttleReadIOPSDevice', type: 'number' },
  },
  {
    key: 'writeIopsMax',
    kind: 'iops',
    systemd: 'IOWriteIOPSMax',
    cgroupfs: { file: 'io.max', key: 'wiops' },
    oci: { kind: 'field', field: 'blockIO.throttleWriteIOPSDevice', type: 'number' },
  },
];

/**
 * Memory limits that must be ordered, `[lower, upper]`: the protections and the throttling limit at most
 * the hard limit, the protections at most the throttling limit.
 *
 * @example
 * ```ts
 * MEMORY_ORDER[4]; // ['memory.high', 'memory.max']
 * ```
 */
export const MEMORY_ORDER: readonly (readonly [lower: string, upper: string])[] = [
  ['memory.min', 'memory.high'],
  ['memory.min', 'memory.max'],
  ['memory.low', 'memory.high'],
  ['memory.low', 'memory.max'],
  ['memory.high', 'memory.max'],
];

/** The smallest and largest CPUQuotaPeriodSec, in microseconds (systemd clamps to 1 ms..1 s; Volt refuses). */
export const CPU_QUOTA_PERIOD_RANGE_US: { readonly min: number; readonly max: number } = {
  min: 1000,
  max: 1_000_000,
};

/** The largest CPU quota, in permyriad of one CPU (10000 CPUs). */
export const CPU_QUOTA_MAX_PERMYRIAD = 100_000_000;

/** The largest TasksMax count: the kernel's PID_MAX_LIMIT, the most `pids.max` accepts. */
export const TASKS_MAX_COUNT = 4_194_304;

/** The largest CPU or NUMA node index in a list. */
export const MAX_CPU_INDEX = 8191;

/** What each kind of value accepts, as error messages say it. */
export const RESOURCE_VALUE_ACCEPTED: Readonly<Record<ResourceValueKind, string>> = {
  flag: 'true or false (or yes, no, on, off, 1, 0)',
  memory:
    'a size with K, M, G, T, P or E (base 1024, e.g. 512M or 1.5G), a whole number of bytes, a percentage of physical memory (e.g. 50%), or infinity',
  weight: 'a whole number from 1 to 10000',
  'cpu-weight': 'a whole number from 1 to 10000, or idle',
  'cpu-quota': `a percentage of one CPU above 0% and up to ${CPU_QUOTA_MAX_PERMYRIAD / 100}% (150% is one and a half CPUs)`,
  'quota-period': 'a time span from 1ms to 1s (e.g. 100ms)',
  'index-set': `a list of indexes and ranges from 0 to ${MAX_CPU_INDEX} such as "0-3,5", or a list of numbers`,
  tasks: `a whole number from 1 to ${TASKS_MAX_COUNT}, a percentage (e.g. 10%), or infinity`,
  bandwidth:
    'bytes per second: a whole number from 1, or a size with K, M, G, T, P or E (base 1000, e.g. 10M), or infinity',
  iops: 'operations per second: a whole number from 1, or infinity',
};

function notAccepted<T>(kind: ResourceValueKind, input: unknown): Result<T> {
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `${describeValue(input)} is not accepted; accepted: ${RESOURCE_VALUE_ACCEPTED[kind]}`,
    ),
  );
}

const SYSTEMD_BOOLEANS: Readonly<Record<string, boolean>> = {
  yes: true,
  true: true,
  on: true,
  '1': true,
  no: false,
  false: false,
  off: false,
  '0': false,
};

/** true or false, or the words systemd's `parse_boolean()` reads (`yes`, `no`, `on`, `off`, `1`, `0`). */
function parseFlag(input: unknown): Result<boolean> {
  if (typeof input === 'boolean') return ok(input);
  const word = typeof input === 'string' ? input.toLowerCase() : '';
  return Object.hasOwn(SYSTEMD_BOOLEANS, word)
    ? ok(SYSTEMD_BOOLEANS[word] as boolean)
    : notAccepted('flag', input);
}

function parseMemory(input: unknown, row: Pick<ResourceLimitRow, 'positive' | 'systemd'>): Result<ByteLimit> {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= (row.positive ? 1 : 0))
      return ok({ kind: 'bytes', bytes: input });
    return fail(
      new VoltError(
        'INVALID_BYTE_SIZE',
        `${describeValue(input)} bytes is out of range for ${row.systemd}; accepted: ${RESOURCE_VALUE_ACCEPTED.memory}${row.positive ? ', above 0' : ''}`,
      ),
    );
  }
  if (typeof input !== 'string') return notAccepted('memory', input);
  return parseByteLimit(input, { minBytes: row.positive ? 1 : 0 });
}

function parseRate(input: unknown, kind: 'bandwidth' | 'iops'): Result<RateLimit> {
  if (input === 'infinity') return ok({ kind: 'infinity' });
  let perSecond: Result<number>;
  if (typeof input === 'number') perSecond = ok(input);
  else if (typeof input !== 'string') return notAccepted(kind, input);
  else if (kind === 'bandwidth') perSecond = parseByteSize(input, 1000);
  else perSecond = parseInteger(input, { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'a rate' });
  if (!perSecond.ok) return perSecond;
  if (!Number.isSafeInteger(perSecond.value) || perSecond.value < 1) return notAccepted(kind, input);
  return ok({ kind: 'rate', perSecond: perSecond.value });
}

function parseTasks(input: unknown): Result<TasksLimit> {
  if (input === 'infinity') return ok({ kind: 'infinity' });
  if (typeof input === 'string' && /[%‰‱]$/.test(input)) {
    const share = parsePercentage(input);
    return share.ok ? ok({ kind: 'percent', permyriad: share.value }) : share;
  }
  if (typeof input !== 'string' && typeof input !== 'number') return notAccepted('tasks', input);
  const count = parseInteger(input, { min: 1, max: TASKS_MAX_COUNT, what: 'a task limit' });
  return count.ok ? ok({ kind: 'count', count: count.value }) : count;
}

function parseCpuWeight(input: unknown): Result<CpuWeight> {
  if (input === 'idle') return ok('idle');
  if (typeof input !== 'string' && typeof input !== 'number') return notAccepted('cpu-weight', input);
  return parseWeight(input);
}

function parseCpuQuota(input: unknown): Result<number> {
  if (typeof input !== 'string') return notAccepted('cpu-quota', input);
  const share = parsePercentage(input, { max: CPU_QUOTA_MAX_PERMYRIAD });
  if (share.ok && share.value > 0) return share;
  return fail(
    new VoltError(
      'INVALID_PERCENTAGE',
      `${describeValue(input)} is not a CPU quota; accepted: ${RESOURCE_VALUE_ACCEPTED['cpu-quota']}`,
    ),
  );
}

function parseQuotaPeriod(input: unknown): Result<number> {
  if (typeof input !== 'string') return notAccepted('quota-period', input);
  const span = parseTimeSpan(input);
  if (span.ok && span.value >= CPU_QUOTA_PERIOD_RANGE_US.min && span.value <= CPU_QUOTA_PERIOD_RANGE_US.max)
    return span;
  return fail(
    new VoltError(
      'INVALID_DURATION',
      `${describeValue(input)} is not a CPU quota period; accepted: ${RESOURCE_VALUE_ACCEPTED['quota-period']}`,
    ),
  );
}

function parseCpuList(input: unknown): Result<IndexSet> {
  if (Array.isArray(input)) {
    if (!input.every((index) => Number.isSafeInteger(index) && index >= 0))
      return notAccepted('index-set', input);
    return parseIndexSet(input.join(','));
  }
  if (typeof input !== 'string') return notAccepted('index-set', input);
  return parseIndexSet(input);
}

/**
 * Parses one limit's value as a profile (or a systemd setting) writes it, by its row: the one parser of
 * every limit. The result carries no input path; the caller adds it.
 *
 * @example
 * ```ts
 * parseResourceValue(RESOURCE_LIMITS[4], '2G'); // { ok: true, value: { kind: 'bytes', bytes: 2147483648 } }
 * parseResourceValue(RESOURCE_LIMITS[4], '0%').ok; // false, code INVALID_PERCENTAGE
 * ```
 */
export function parseResourceValue(
  row: Pick<ResourceLimitRow, 'kind' | 'positive' | 'systemd'>,
  input: unknown,
): Result<ResourceValue> {
  switch (row.kind) {
    case 'flag':
      return parseFlag(input);
    case 'memory':
      return parseMemory(input, row);
    case 'weight':
      return typeof input === 'string' || typeof input === 'number'
        ? parseWeight(input)
        : notAccepted('weight', input);
    case 'cpu-weight':
      return parseCpuWeight(input);
    case 'cpu-quota':
      return parseCpuQuota(input);
    case 'quota-period':
      return parseQuotaPeriod(input);
    case 'index-set':
      return parseCpuList(input);
    case 'tasks':
      return parseTasks(input);
    case 'bandwidth':
    case 'iops':
      return parseRate(input, row.kind);
  }
}

/**
 * Writes a typed value the way systemd reads it, by its kind: `2G`, `150%`, `100ms`, `0-3,5`, `yes`.
 *
 * @example
 * ```ts
 * formatResourceValue('memory', { kind: 'bytes', bytes: 2147483648 }); // '2G'
 * formatResourceValue('cpu-quota', 15000); // '150%'
 * ```
 */
export function formatResourceValue(kind: ResourceValueKind, value: ResourceValue): string {
  switch (kind) {
    case 'flag':
      return value ? 'yes' : 'no';
    case 'memory':
      return formatByteLimit(value as ByteLimit);
    case 'weight':
    case 'cpu-weight':
      return String(value);
    case 'cpu-quota':
      return formatPercentage(value as number);
    case 'quota-period':
      return formatTimeSpan(value as number);
    case 'index-set':
      return formatIndexSet(value as IndexSet);
    case 'tasks': {
      const tasks = value as TasksLimit;
      if (tasks.kind === 'count') return String(tasks.count);
      return tasks.kind === 'percent' ? formatPercentage(tasks.permyriad) : 'infinity';
    }
    case 'bandwidth':
    case 'iops': {
      const rate = value as RateLimit;
      if (rate.kind === 'infinity') return 'infinity';
      return kind === 'bandwidth' ? formatByteSize(rate.perSecond, 1000) : String(rate.perSecond);
    }
  }
}

/**
 * The value of one limit in a resource set, by its dotted key (`memory.max`), or undefined when unset.
 *
 * @example
 * ```ts
 * resourceValue({ memory: { max: { kind: 'infinity' } } }, 'memory.max'); // { kind: 'infinity' }
 * ```
 */
export function resourceValue(limits: ResourceLimits, key: string): ResourceValue | undefined {
  let value: unknown = limits;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value as ResourceValue | undefined;
}
