import {
  type ByteLimit,
  type CpuWeight,
  describeValue,
  fail,
  frozenCopy,
  type IndexSet,
  type InputPath,
  type IoDeviceLimit,
  isRecord,
  ok,
  parseAbsolutePath,
  parseWeight,
  type RateLimit,
  type ResourceLimits,
  type Result,
  rememberValidated,
  VoltError,
} from '@volt/core';

/**
 * The smallest and largest CPUQuotaPeriodSec, in microseconds (1 ms .. 1 s).
 *
 * @example
 * ```ts
 * validateResourceLimits({ ...limits, cpu: { quotaPeriodUs: CPU_QUOTA_PERIOD_RANGE_US.max + 1 } }).ok; // false
 * ```
 */
export const CPU_QUOTA_PERIOD_RANGE_US = { min: 1000, max: 1_000_000 } as const;

/**
 * The largest CPU quota accepted, in permyriad of one CPU (10000 CPUs).
 *
 * @example
 * ```ts
 * validateResourceLimits({ ...limits, cpu: { quota: CPU_QUOTA_MAX_PERMYRIAD } }).ok; // true
 * ```
 */
export const CPU_QUOTA_MAX_PERMYRIAD = 100_000_000;

const MAX_INDEX = 8191;

/** Options for {@link validateResourceLimits}. */
export interface ValidateOptions {
  /** Where the limits sit in the input; error paths start with it. Default `['resources']`. */
  readonly path?: InputPath;
  /** The host's memory in bytes: lets byte limits be compared with percentages. */
  readonly memoryBytes?: number;
}

type MemoryKey = 'min' | 'low' | 'high' | 'max' | 'swapMax' | 'zswapMax';

const SYSTEMD_MEMORY_NAMES: Readonly<Record<MemoryKey, string>> = {
  min: 'MemoryMin',
  low: 'MemoryLow',
  high: 'MemoryHigh',
  max: 'MemoryMax',
  swapMax: 'MemorySwapMax',
  zswapMax: 'MemoryZSwapMax',
};

const MEMORY_KEYS = Object.keys(SYSTEMD_MEMORY_NAMES) as readonly MemoryKey[];

/** Pairs that must be ordered (first <= second): protections and the soft limit below the hard limit. */
const MEMORY_ORDER: readonly (readonly [MemoryKey, MemoryKey])[] = [
  ['min', 'high'],
  ['min', 'max'],
  ['low', 'high'],
  ['low', 'max'],
  ['high', 'max'],
];

function describeByteLimit(limit: ByteLimit): string {
  switch (limit.kind) {
    case 'bytes':
      return `${limit.bytes} bytes`;
    case 'percent':
      return `${limit.permyriad / 100}%`;
    case 'infinity':
      return 'infinity';
  }
}

/** a > b, or undefined when the two cannot be compared (bytes against a share without the host's memory). */
function byteLimitAbove(a: ByteLimit, b: ByteLimit, memoryBytes: number | undefined): boolean | undefined {
  if (b.kind === 'infinity') return false;
  if (a.kind === 'infinity') return true;
  if (a.kind === b.kind)
    return a.kind === 'bytes' ? a.bytes > (b as typeof a).bytes : a.permyriad > (b as typeof a).permyriad;
  if (memoryBytes === undefined) return undefined;
  const bytes = (limit: ByteLimit): number =>
    limit.kind === 'bytes'
      ? limit.bytes
      : limit.kind === 'percent'
        ? (memoryBytes * limit.permyriad) / 10000
        : Infinity;
  return bytes(a) > bytes(b);
}

function isWholeNumber(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

function field(record: Record<string, unknown>, key: string): unknown {
  return record[key];
}

function checkByteLimit(
  value: unknown,
  key: MemoryKey,
  path: InputPath,
  issues: VoltError[],
): value is ByteLimit {
  const name = SYSTEMD_MEMORY_NAMES[key];
  const minBytes = key === 'high' || key === 'max' ? 1 : 0;
  const bad = (why: string): false => {
    issues.push(
      new VoltError(
        'INVALID_BYTE_SIZE',
        `${name} ${why}; accepted: a byte count from ${minBytes}, a percentage from 0% to 100%, or infinity`,
        {
          path,
        },
      ),
    );
    return false;
  };
  if (!isRecord(value)) return bad('is not a byte limit');
  if (field(value, 'kind') === 'infinity') return true;
  if (field(value, 'kind') === 'bytes') {
    const bytes = field(value, 'bytes');
    if (typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= minBytes) return true;
    return bad(`of ${describeValue(bytes)} bytes is out of range`);
  }
  if (field(value, 'kind') === 'percent') {
    const share = field(value, 'permyriad');
    if (typeof share === 'number' && Number.isSafeInteger(share) && share >= 0 && share <= 10000) return true;
    return bad(`of ${describeValue(share)}‱ is out of range`);
  }
  return bad(`has an unknown kind ${describeValue(field(value, 'kind'))}`);
}

function checkCpuWeight(
  value: unknown,
  name: string,
  path: InputPath,
  issues: VoltError[],
): value is CpuWeight {
  if (value === 'idle') return true;
  if (typeof value === 'number' && parseWeight(value).ok) return true;
  issues.push(
    new VoltError(
      'INVALID_WEIGHT',
      `${name} ${describeValue(value)} is not a CPU weight; accepted: a whole number from 1 to 10000, or "idle"`,
      {
        path,
      },
    ),
  );
  return false;
}

function checkIndexSet(
  value: unknown,
  name: string,
  path: InputPath,
  issues: VoltError[],
): value is IndexSet {
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (index, position) =>
        Number.isSafeInteger(index) &&
        index >= 0 &&
        index <= MAX_INDEX &&
        (position === 0 || index > (value[position - 1] as number)),
    );
  if (!valid) {
    issues.push(
      new VoltError(
        'INVALID_CPU_LIST',
        `${name} is not a non-empty, ascending list of distinct indexes from 0 to ${MAX_INDEX}; leave it out for no pinning`,
        { path, hint: 'parse lists such as "0-3,5" with parseIndexSet()' },
      ),
    );
  }
  return valid;
}

function checkRate(value: unknown, name: string, path: InputPath, issues: VoltError[]): value is RateLimit {
  if (isRecord(value)) {
    if (field(value, 'kind') === 'infinity') return true;
    const perSecond = field(value, 'perSecond');
    if (
      field(value, 'kind') === 'rate' &&
      typeof perSecond === 'number' &&
      Number.isSafeInteger(perSecond) &&
      perSecond >= 1
    )
      return true;
  }
  issues.push(
    new VoltError(
      'INVALID_NUMBER',
      `${name} is not a rate; accepted: a whole number of at least 1 per second, or infinity`,
      {
        path,
      },
    ),
  );
  return false;
}

function checkWeight(value: unknown, name: string, path: InputPath, issues: VoltError[]): boolean {
  const result = typeof value === 'number' ? parseWeight(value) : undefined;
  if (result?.ok === true) return true;
  issues.push(
    new VoltError(
      'INVALID_WEIGHT',
      `${name} ${describeValue(value)} is not a weight; accepted: a whole number from 1 to 10000`,
      {
        path,
      },
    ),
  );
  return false;
}

const DEVICE_LIMIT_KEYS = [
  'weight',
  'readBandwidthMax',
  'writeBandwidthMax',
  'readIopsMax',
  'writeIopsMax',
] as const;

function checkDevices(devices: unknown, path: InputPath, issues: VoltError[]): void {
  if (!Array.isArray(devices)) {
    issues.push(new VoltError('INVALID_VALUE', 'io.devices is not a list of device limits', { path }));
    return;
  }
  if (devices.length === 0) return;
  const seen = new Map<string, number>();
  devices.forEach((entry: unknown, index) => {
    const at = [...path, index];
    if (!isRecord(entry)) {
      issues.push(
        new VoltError('INVALID_VALUE', 'a device limit must be an object with a device path', { path: at }),
      );
      return;
    }
    const text = field(entry, 'device');
    const device = typeof text === 'string' ? parseAbsolutePath(text) : undefined;
    if (device === undefined || !device.ok) {
      const error =
        device?.ok === false ? device.error : new VoltError('INVALID_PATH', 'the device is not a path');
      issues.push(error.at([...at, 'device']));
    } else {
      const first = seen.get(device.value);
      if (first !== undefined) {
        issues.push(
          new VoltError('CONFLICT', `device ${device.value} is already limited by entry ${first}`, {
            path: [...at, 'device'],
            hint: 'merge the two entries into one',
          }),
        );
      }
      seen.set(device.value, index);
    }
    const limit = entry as Partial<IoDeviceLimit>;
    if (DEVICE_LIMIT_KEYS.every((key) => limit[key] === undefined)) {
      issues.push(
        new VoltError('INVALID_VALUE', 'the device entry sets no limit', {
          path: at,
          hint: `set at least one of ${DEVICE_LIMIT_KEYS.join(', ')}`,
        }),
      );
    }
    if (limit.weight !== undefined) checkWeight(limit.weight, 'IODeviceWeight', [...at, 'weight'], issues);
    if (limit.readBandwidthMax !== undefined)
      checkRate(limit.readBandwidthMax, 'IOReadBandwidthMax', [...at, 'readBandwidthMax'], issues);
    if (limit.writeBandwidthMax !== undefined)
      checkRate(limit.writeBandwidthMax, 'IOWriteBandwidthMax', [...at, 'writeBandwidthMax'], issues);
    if (limit.readIopsMax !== undefined)
      checkRate(limit.readIopsMax, 'IOReadIOPSMax', [...at, 'readIopsMax'], issues);
    if (limit.writeIopsMax !== undefined)
      checkRate(limit.writeIopsMax, 'IOWriteIOPSMax', [...at, 'writeIopsMax'], issues);
  });
}

function checkResourceLimits(limits: ResourceLimits, options: ValidateOptions = {}): Result<ResourceLimits> {
  const root = options.path ?? ['resources'];
  const issues: VoltError[] = [];
  const input: unknown = limits;
  if (!isRecord(input))
    return fail(new VoltError('INVALID_VALUE', 'resource limits must be an object', { path: root }));

  if (typeof field(input, 'delegate') !== 'boolean')
    issues.push(
      new VoltError('INVALID_VALUE', 'delegate must be true or false', { path: [...root, 'delegate'] }),
    );

  const memory = field(input, 'memory');
  if (!isRecord(memory)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'memory must be an object (it may be empty)', {
        path: [...root, 'memory'],
      }),
    );
  } else {
    const valid: Partial<Record<MemoryKey, ByteLimit>> = {};
    for (const key of MEMORY_KEYS) {
      const value = memory[key];
      if (value !== undefined && checkByteLimit(value, key, [...root, 'memory', key], issues))
        valid[key] = value;
    }
    const reported = new Set<MemoryKey>();
    for (const [lower, upper] of MEMORY_ORDER) {
      const a = valid[lower];
      const b = valid[upper];
      if (a === undefined || b === undefined || reported.has(lower)) continue;
      if (byteLimitAbove(a, b, options.memoryBytes) === true) {
        reported.add(lower);
        issues.push(
          new VoltError(
            'CONFLICT',
            `${SYSTEMD_MEMORY_NAMES[lower]} (${describeByteLimit(a)}) is above ${SYSTEMD_MEMORY_NAMES[upper]} (${describeByteLimit(b)})`,
            {
              path: [...root, 'memory', lower],
              hint: `make ${SYSTEMD_MEMORY_NAMES[lower]} at most ${SYSTEMD_MEMORY_NAMES[upper]}`,
            },
          ),
        );
      }
    }
  }

  const cpu = field(input, 'cpu');
  if (!isRecord(cpu)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'cpu must be an object (it may be empty)', { path: [...root, 'cpu'] }),
    );
  } else {
    if (field(cpu, 'weight') !== undefined)
      checkCpuWeight(field(cpu, 'weight'), 'CPUWeight', [...root, 'cpu', 'weight'], issues);
    if (field(cpu, 'startupWeight') !== undefined)
      checkCpuWeight(
        field(cpu, 'startupWeight'),
        'StartupCPUWeight',
        [...root, 'cpu', 'startupWeight'],
        issues,
      );
    const quota = field(cpu, 'quota');
    if (
      quota !== undefined &&
      !(
        typeof quota === 'number' &&
        Number.isSafeInteger(quota) &&
        quota >= 1 &&
        quota <= CPU_QUOTA_MAX_PERMYRIAD
      )
    ) {
      issues.push(
        new VoltError(
          'INVALID_PERCENTAGE',
          `CPUQuota ${describeValue(quota)}‱ is out of range; accepted: above 0%, up to ${CPU_QUOTA_MAX_PERMYRIAD / 100}% (150% is one and a half CPUs)`,
          { path: [...root, 'cpu', 'quota'] },
        ),
      );
    }
    const period = field(cpu, 'quotaPeriodUs');
    if (
      period !== undefined &&
      !(
        typeof period === 'number' &&
        Number.isSafeInteger(period) &&
        period >= CPU_QUOTA_PERIOD_RANGE_US.min &&
        period <= CPU_QUOTA_PERIOD_RANGE_US.max
      )
    ) {
      issues.push(
        new VoltError(
          'INVALID_DURATION',
          `CPUQuotaPeriodSec of ${describeValue(period)} µs is outside 1 ms..1 s; accepted: a whole number of microseconds from 1000 to 1000000`,
          { path: [...root, 'cpu', 'quotaPeriodUs'] },
        ),
      );
    }
    if (field(cpu, 'allowedCpus') !== undefined)
      checkIndexSet(field(cpu, 'allowedCpus'), 'AllowedCPUs', [...root, 'cpu', 'allowedCpus'], issues);
    if (field(cpu, 'allowedMemoryNodes') !== undefined)
      checkIndexSet(
        field(cpu, 'allowedMemoryNodes'),
        'AllowedMemoryNodes',
        [...root, 'cpu', 'allowedMemoryNodes'],
        issues,
      );
  }

  const io = field(input, 'io');
  if (!isRecord(io)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'io must be an object with a devices list', { path: [...root, 'io'] }),
    );
  } else {
    if (field(io, 'weight') !== undefined)
      checkWeight(field(io, 'weight'), 'IOWeight', [...root, 'io', 'weight'], issues);
    checkDevices(field(io, 'devices'), [...root, 'io', 'devices'], issues);
  }

  const tasks = field(input, 'tasks');
  if (!isRecord(tasks)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'tasks must be an object (it may be empty)', {
        path: [...root, 'tasks'],
      }),
    );
  } else if (field(tasks, 'max') !== undefined) {
    const max = field(tasks, 'max');
    const valid =
      isRecord(max) &&
      (field(max, 'kind') === 'infinity' ||
        (field(max, 'kind') === 'count' && isWholeNumber(field(max, 'count'), 1, Number.MAX_SAFE_INTEGER)) ||
        (field(max, 'kind') === 'percent' && isWholeNumber(field(max, 'permyriad'), 0, 10000)));
    if (!valid) {
      issues.push(
        new VoltError(
          'INVALID_NUMBER',
          'TasksMax is out of range; accepted: a whole number from 1, a percentage from 0% to 100%, or infinity',
          {
            path: [...root, 'tasks', 'max'],
          },
        ),
      );
    }
  }

  const [first, ...more] = issues;
  return first === undefined ? ok(frozenCopy(limits)) : fail(first, ...more);
}

const checkResourceLimitsOnce = rememberValidated(checkResourceLimits);

/**
 * Checks a {@link ResourceLimits} value as a whole: every value in systemd's range, and no contradictions
 * (a protection or MemoryHigh above MemoryMax, MemoryMin/MemoryLow above MemoryHigh, a quota period
 * outside 1 ms..1 s, a device limited twice). Returns every problem found, each at its input path.
 *
 * Without `memoryBytes` the result is a frozen copy, checked only once: validated again (by a renderer), it
 * is accepted at once.
 *
 * @example
 * ```ts
 * const limits = {
 *   ...DEFAULT_RESOURCE_LIMITS,
 *   memory: { high: { kind: 'bytes', bytes: 3 * 2 ** 30 }, max: { kind: 'bytes', bytes: 2 * 2 ** 30 } },
 * } as const;
 * const result = validateResourceLimits(limits);
 * result.ok; // false
 * if (!result.ok) result.error.code; // 'CONFLICT', path ['resources', 'memory', 'high']
 * ```
 */
export function validateResourceLimits(
  limits: ResourceLimits,
  options: ValidateOptions = {},
): Result<ResourceLimits> {
  return options.memoryBytes === undefined
    ? checkResourceLimitsOnce(limits, options)
    : checkResourceLimits(limits, options);
}

/**
 * Like {@link validateResourceLimits}, but returns the limits or throws the first problem.
 *
 * @throws {@link VoltError} `CONFLICT`, `INVALID_BYTE_SIZE`, `INVALID_WEIGHT`, `INVALID_DURATION`,
 * `INVALID_PERCENTAGE`, `INVALID_CPU_LIST`, `INVALID_NUMBER`, `INVALID_PATH` or `INVALID_VALUE`.
 * @example
 * ```ts
 * assertValidResourceLimits(DEFAULT_RESOURCE_LIMITS); // returns it unchanged
 * ```
 */
export function assertValidResourceLimits(
  limits: ResourceLimits,
  options: ValidateOptions = {},
): ResourceLimits {
  const result = validateResourceLimits(limits, options);
  if (result.ok) return result.value;
  throw result.error;
}
