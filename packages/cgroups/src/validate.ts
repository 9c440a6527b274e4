import {
  type ByteLimit,
  type CpuLimits,
  type CpuWeight,
  describeValue,
  EMPTY_LIST,
  fail,
  failAll,
  type IndexSet,
  type InputPath,
  type IoDeviceLimit,
  type IoLimits,
  isRecord,
  type MemoryLimits,
  type Mutable,
  ok,
  parseAbsolutePath,
  parseWeight,
  type RateLimit,
  type ResourceLimits,
  type Result,
  rememberValidated,
  type TasksLimit,
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

/** {@link MEMORY_ORDER} as positions in {@link MEMORY_KEYS}. */
const MEMORY_ORDER_INDEXES = MEMORY_ORDER.map(
  ([lower, upper]) => [MEMORY_KEYS.indexOf(lower), MEMORY_KEYS.indexOf(upper)] as const,
);

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

function checkByteLimit(
  value: unknown,
  key: MemoryKey,
  root: InputPath,
  issues: VoltError[],
): value is ByteLimit {
  const name = SYSTEMD_MEMORY_NAMES[key];
  const minBytes = key === 'high' || key === 'max' ? 1 : 0;
  const bad = (why: string): false => {
    issues.push(
      new VoltError(
        'INVALID_BYTE_SIZE',
        `${name} ${why}; accepted: a byte count from ${minBytes}, a percentage from 0% to 100%, or infinity`,
        { path: [...root, 'memory', key] },
      ),
    );
    return false;
  };
  if (!isRecord(value)) return bad('is not a byte limit');
  if (value['kind'] === 'infinity') return true;
  if (value['kind'] === 'bytes') {
    const bytes = value['bytes'];
    if (typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= minBytes) return true;
    return bad(`of ${describeValue(bytes)} bytes is out of range`);
  }
  if (value['kind'] === 'percent') {
    const share = value['permyriad'];
    if (typeof share === 'number' && Number.isSafeInteger(share) && share >= 0 && share <= 10000) return true;
    return bad(`of ${describeValue(share)}‱ is out of range`);
  }
  return bad(`has an unknown kind ${describeValue(value['kind'])}`);
}

function checkCpuWeight(
  value: unknown,
  name: string,
  parent: InputPath,
  key: string,
  issues: VoltError[],
): value is CpuWeight {
  if (value === 'idle') return true;
  if (typeof value === 'number' && parseWeight(value).ok) return true;
  issues.push(
    new VoltError(
      'INVALID_WEIGHT',
      `${name} ${describeValue(value)} is not a CPU weight; accepted: a whole number from 1 to 10000, or "idle"`,
      { path: [...parent, key] },
    ),
  );
  return false;
}

function checkIndexSet(
  value: unknown,
  name: string,
  parent: InputPath,
  key: string,
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
        { path: [...parent, key], hint: 'parse lists such as "0-3,5" with parseIndexSet()' },
      ),
    );
  }
  return valid;
}

function checkRate(value: unknown, name: string, path: InputPath, issues: VoltError[]): value is RateLimit {
  if (isRecord(value)) {
    if (value['kind'] === 'infinity') return true;
    const perSecond = value['perSecond'];
    if (
      value['kind'] === 'rate' &&
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

function checkWeight(
  value: unknown,
  name: string,
  parent: InputPath,
  key: string,
  issues: VoltError[],
): boolean {
  const result = typeof value === 'number' ? parseWeight(value) : undefined;
  if (result?.ok === true) return true;
  issues.push(
    new VoltError(
      'INVALID_WEIGHT',
      `${name} ${describeValue(value)} is not a weight; accepted: a whole number from 1 to 10000`,
      { path: [...parent, key] },
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
    const text = entry['device'];
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
    if (limit.weight !== undefined) checkWeight(limit.weight, 'IODeviceWeight', at, 'weight', issues);
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

  if (typeof input['delegate'] !== 'boolean')
    issues.push(
      new VoltError('INVALID_VALUE', 'delegate must be true or false', { path: [...root, 'delegate'] }),
    );

  const memory = input['memory'];
  if (!isRecord(memory)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'memory must be an object (it may be empty)', {
        path: [...root, 'memory'],
      }),
    );
  } else {
    const valid: (ByteLimit | undefined)[] = [];
    for (const key of MEMORY_KEYS) {
      const value = memory[key];
      valid.push(value !== undefined && checkByteLimit(value, key, root, issues) ? value : undefined);
    }
    let reported = 0;
    for (const [lowerIndex, upperIndex] of MEMORY_ORDER_INDEXES) {
      const lower = MEMORY_KEYS[lowerIndex] as MemoryKey;
      const upper = MEMORY_KEYS[upperIndex] as MemoryKey;
      const a = valid[lowerIndex];
      const b = valid[upperIndex];
      if (a === undefined || b === undefined || (reported & (1 << lowerIndex)) !== 0) continue;
      if (byteLimitAbove(a, b, options.memoryBytes) === true) {
        reported |= 1 << lowerIndex;
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

  const cpu = input['cpu'];
  if (!isRecord(cpu)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'cpu must be an object (it may be empty)', { path: [...root, 'cpu'] }),
    );
  } else {
    const cpuPath = [...root, 'cpu'];
    if (cpu['weight'] !== undefined) checkCpuWeight(cpu['weight'], 'CPUWeight', cpuPath, 'weight', issues);
    if (cpu['startupWeight'] !== undefined)
      checkCpuWeight(cpu['startupWeight'], 'StartupCPUWeight', cpuPath, 'startupWeight', issues);
    const quota = cpu['quota'];
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
    const period = cpu['quotaPeriodUs'];
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
    if (cpu['allowedCpus'] !== undefined)
      checkIndexSet(cpu['allowedCpus'], 'AllowedCPUs', cpuPath, 'allowedCpus', issues);
    if (cpu['allowedMemoryNodes'] !== undefined)
      checkIndexSet(cpu['allowedMemoryNodes'], 'AllowedMemoryNodes', cpuPath, 'allowedMemoryNodes', issues);
  }

  const io = input['io'];
  if (!isRecord(io)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'io must be an object with a devices list', { path: [...root, 'io'] }),
    );
  } else {
    if (io['weight'] !== undefined) checkWeight(io['weight'], 'IOWeight', [...root, 'io'], 'weight', issues);
    if (!Array.isArray(io['devices']) || io['devices'].length > 0)
      checkDevices(io['devices'], [...root, 'io', 'devices'], issues);
  }

  const tasks = input['tasks'];
  if (!isRecord(tasks)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'tasks must be an object (it may be empty)', {
        path: [...root, 'tasks'],
      }),
    );
  } else if (tasks['max'] !== undefined) {
    const max = tasks['max'];
    const valid =
      isRecord(max) &&
      (max['kind'] === 'infinity' ||
        (max['kind'] === 'count' && isWholeNumber(max['count'], 1, Number.MAX_SAFE_INTEGER)) ||
        (max['kind'] === 'percent' && isWholeNumber(max['permyriad'], 0, 10000)));
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

  return failAll(issues) ?? ok(canonicalLimits(limits));
}

const INFINITY_LIMIT = Object.freeze({ kind: 'infinity' } as const);

/** A copy of a byte, task or rate limit that passed its check: its kind and that kind's one number. */
function copyLimit<T extends ByteLimit | TasksLimit | RateLimit>(limit: T): T {
  switch (limit.kind) {
    case 'infinity':
      return INFINITY_LIMIT as T;
    case 'bytes':
      return Object.freeze({ kind: 'bytes', bytes: limit.bytes }) as T;
    case 'percent':
      return Object.freeze({ kind: 'percent', permyriad: limit.permyriad }) as T;
    case 'count':
      return Object.freeze({ kind: 'count', count: limit.count }) as T;
    case 'rate':
      return Object.freeze({ kind: 'rate', perSecond: limit.perSecond }) as T;
  }
}

function copyDevice(device: IoDeviceLimit): IoDeviceLimit {
  const copy: Mutable<IoDeviceLimit> = { device: device.device };
  if (device.weight !== undefined) copy.weight = device.weight;
  if (device.readBandwidthMax !== undefined) copy.readBandwidthMax = copyLimit(device.readBandwidthMax);
  if (device.writeBandwidthMax !== undefined) copy.writeBandwidthMax = copyLimit(device.writeBandwidthMax);
  if (device.readIopsMax !== undefined) copy.readIopsMax = copyLimit(device.readIopsMax);
  if (device.writeIopsMax !== undefined) copy.writeIopsMax = copyLimit(device.writeIopsMax);
  return Object.freeze(copy);
}

/**
 * The canonical copy of limits that passed every check: only the fields the checks know, frozen all the
 * way down, sharing nothing with the input.
 */
function canonicalLimits(limits: ResourceLimits): ResourceLimits {
  const memory: Mutable<MemoryLimits> = {};
  const { min, low, high, max, swapMax, zswapMax } = limits.memory;
  if (min !== undefined) memory.min = copyLimit(min);
  if (low !== undefined) memory.low = copyLimit(low);
  if (high !== undefined) memory.high = copyLimit(high);
  if (max !== undefined) memory.max = copyLimit(max);
  if (swapMax !== undefined) memory.swapMax = copyLimit(swapMax);
  if (zswapMax !== undefined) memory.zswapMax = copyLimit(zswapMax);
  const cpu: Mutable<CpuLimits> = {};
  const { weight, startupWeight, quota, quotaPeriodUs, allowedCpus, allowedMemoryNodes } = limits.cpu;
  if (weight !== undefined) cpu.weight = weight;
  if (startupWeight !== undefined) cpu.startupWeight = startupWeight;
  if (quota !== undefined) cpu.quota = quota;
  if (quotaPeriodUs !== undefined) cpu.quotaPeriodUs = quotaPeriodUs;
  if (allowedCpus !== undefined) cpu.allowedCpus = Object.freeze(allowedCpus.slice());
  if (allowedMemoryNodes !== undefined) cpu.allowedMemoryNodes = Object.freeze(allowedMemoryNodes.slice());
  const io: Mutable<IoLimits> = {
    devices: limits.io.devices.length === 0 ? EMPTY_LIST : Object.freeze(limits.io.devices.map(copyDevice)),
  };
  if (limits.io.weight !== undefined) io.weight = limits.io.weight;
  const tasksMax = limits.tasks.max;
  return Object.freeze({
    delegate: limits.delegate,
    memory: Object.freeze(memory),
    cpu: Object.freeze(cpu),
    io: Object.freeze(io),
    tasks: Object.freeze(tasksMax === undefined ? {} : { max: copyLimit(tasksMax) }),
  });
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
