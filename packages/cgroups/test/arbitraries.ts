import type { ByteLimit, IoDeviceLimit, RateLimit, ResourceLimits, TasksLimit } from '@volt/core';
import fc from 'fast-check';

const byteLimit = (minBytes: number): fc.Arbitrary<ByteLimit> =>
  fc.oneof(
    fc.record({ kind: fc.constant('bytes' as const), bytes: fc.integer({ min: minBytes, max: 2 ** 45 }) }),
    fc.record({
      kind: fc.constant('bytes' as const),
      bytes: fc.integer({ min: 1, max: 4096 }).map((n) => n * 1024 ** 2),
    }),
    fc.record({ kind: fc.constant('percent' as const), permyriad: fc.integer({ min: 0, max: 10000 }) }),
    fc.constant({ kind: 'infinity' as const }),
  );

const rate: fc.Arbitrary<RateLimit> = fc.oneof(
  fc.record({ kind: fc.constant('rate' as const), perSecond: fc.integer({ min: 1, max: 2 ** 40 }) }),
  fc.constant({ kind: 'infinity' as const }),
);

const indexSet = fc
  .uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 8 })
  .map((set) => [...set].sort((a, b) => a - b));

const tasks: fc.Arbitrary<TasksLimit> = fc.oneof(
  fc.record({ kind: fc.constant('count' as const), count: fc.integer({ min: 1, max: 4_194_304 }) }),
  fc.record({ kind: fc.constant('percent' as const), permyriad: fc.integer({ min: 0, max: 10000 }) }),
  fc.constant({ kind: 'infinity' as const }),
);

const weight = fc.integer({ min: 1, max: 10000 });

const device = (index: number): fc.Arbitrary<IoDeviceLimit> =>
  fc
    .record(
      {
        weight,
        readBandwidthMax: rate,
        writeBandwidthMax: rate,
        readIopsMax: rate,
        writeIopsMax: rate,
      },
      { requiredKeys: [] },
    )
    .filter((limit) => Object.keys(limit).length > 0)
    .map((limit) => ({ device: `/dev/vtcdisk${index}`, ...limit }));

/** Device paths the arbitrary uses, with made-up device numbers. */
export const TEST_DEVICES: ReadonlyMap<string, { major: number; minor: number }> = new Map(
  [0, 1, 2].map((index) => [`/dev/vtcdisk${index}`, { major: 8, minor: index * 16 }]),
);

/**
 * Valid resource limits, in the value ranges systemd accepts. Memory fields are ordered
 * min <= low <= high <= max by construction only for byte values; conflicting draws are filtered.
 */
export const validLimits: fc.Arbitrary<ResourceLimits> = fc
  .record({
    delegate: fc.boolean(),
    memory: fc.record(
      {
        min: byteLimit(0),
        low: byteLimit(0),
        high: byteLimit(1),
        max: byteLimit(1),
        swapMax: byteLimit(0),
        zswapMax: byteLimit(0),
      },
      { requiredKeys: [] },
    ),
    cpu: fc.record(
      {
        weight: fc.oneof(weight, fc.constant('idle' as const)),
        startupWeight: weight,
        quota: fc.integer({ min: 1, max: 6_400_000 }),
        quotaPeriodUs: fc.integer({ min: 1000, max: 1_000_000 }),
        allowedCpus: indexSet,
        allowedMemoryNodes: indexSet,
      },
      { requiredKeys: [] },
    ),
    io: fc.record({
      weight: fc.option(weight, { nil: undefined }),
      devices: fc.subarray([0, 1, 2]).chain((indexes) => fc.tuple(...indexes.map(device))),
    }),
    tasks: fc.record({ max: tasks }, { requiredKeys: [] }),
  })
  .map(({ io, ...rest }) => ({
    ...rest,
    io: io.weight === undefined ? { devices: io.devices } : { weight: io.weight, devices: io.devices },
  }))
  .filter((limits) => {
    const order = ['min', 'low', 'high', 'max'] as const;
    const rank = (limit: ByteLimit | undefined): number | undefined =>
      limit === undefined
        ? undefined
        : limit.kind === 'infinity'
          ? Infinity
          : limit.kind === 'bytes'
            ? limit.bytes
            : limit.permyriad * 1e9;
    for (const [i, a] of order.entries())
      for (const b of order.slice(i + 1)) {
        if (a === 'min' && b === 'low') continue;
        const x = limits.memory[a];
        const y = limits.memory[b];
        if (x === undefined || y === undefined) continue;
        if (x.kind !== y.kind && x.kind !== 'infinity' && y.kind !== 'infinity') return false;
        if ((rank(x) as number) > (rank(y) as number)) return false;
      }
    return true;
  });
