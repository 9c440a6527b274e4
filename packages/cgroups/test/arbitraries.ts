// Generators of resource documents, as a profile's `resources:` (or a JavaScript caller) writes them, from
// the table of limits: each row's kind gives its values, in the ranges systemd reads, with the edges
// (0, 0%, 100%, infinity, the largest values) drawn often.
import {
  DEVICE_LIMITS,
  MEMORY_ORDER,
  RESOURCE_LIMITS,
  type ResourceLimitRow,
  type ResourceLimits,
  type ResourceValueKind,
  unwrap,
  type Valid,
} from '@volt/core';
import { parseResourceLimits } from '@volt/core/profile';
import fc from 'fast-check';

const suffixed = (base: number, suffixes: readonly string[]) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom(...suffixes))
    .map(([count, suffix]) => (suffix === '' ? count * base : `${count}${suffix}`));

const percent = (min: number) =>
  fc.oneof(
    fc.integer({ min, max: 100 }).map((value) => `${value}%`),
    fc.integer({ min: Math.max(min, 1) * 100, max: 10000 }).map((permyriad) => `${permyriad / 100}%`),
    fc.integer({ min: Math.max(min, 1) * 10, max: 1000 }).map((permille) => `${permille}‰`),
  );

/** Values of one kind, as a document writes them, valid for the row (its `positive` bound included). */
function valuesOf(kind: ResourceValueKind, positive: boolean): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'flag':
      return fc.constantFrom(true, false, 'yes', 'no');
    case 'memory':
      return fc.oneof(
        fc.integer({ min: positive ? 1 : 0, max: 2 ** 45 }),
        suffixed(1, ['K', 'M', 'G', 'T']),
        fc.constantFrom('infinity', positive ? '1' : '0', positive ? '1%' : '0%', '100%', '1.5G'),
        percent(positive ? 1 : 0),
      );
    case 'weight':
      return fc.oneof(fc.integer({ min: 1, max: 10000 }), fc.constantFrom(1, 10000, '100'));
    case 'cpu-weight':
      return fc.oneof(fc.integer({ min: 1, max: 10000 }), fc.constantFrom('idle', 1, 10000));
    case 'cpu-quota':
      return fc.oneof(
        fc.integer({ min: 1, max: 6_400_000 }).map((permyriad) => `${permyriad / 100}%`),
        fc.constantFrom('0.01%', '100%', '1000000%'),
      );
    case 'quota-period':
      return fc.oneof(
        fc.integer({ min: 1000, max: 1_000_000 }).map((us) => `${us}us`),
        fc.constantFrom('1ms', '1s', '100ms', '1500us'),
      );
    case 'index-set':
      return fc.oneof(
        fc
          .uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 8 })
          .map((set) => set.sort((a, b) => a - b)),
        fc.constantFrom('0-3,5', '0', '8191'),
      );
    case 'tasks':
      return fc.oneof(
        fc.integer({ min: 1, max: 4_194_304 }),
        percent(0),
        fc.constantFrom('infinity', 1, '0%', 4_194_304),
      );
    case 'bandwidth':
      return fc.oneof(
        fc.integer({ min: 1, max: 2 ** 40 }),
        suffixed(1, ['K', 'M', 'G']),
        fc.constant('infinity'),
      );
    case 'iops':
      return fc.oneof(fc.integer({ min: 1, max: 2 ** 32 }), fc.constant('infinity'));
  }
}

const ORDERED = new Set(MEMORY_ORDER.flat());

/** Memory limits in order by construction: four sorted levels, all in bytes or all as shares. */
const orderedMemory: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.boolean(),
    fc.uniqueArray(fc.integer({ min: 1, max: 10000 }), { minLength: 4, maxLength: 4 }),
    fc.subarray(['memory.min', 'memory.low', 'memory.high', 'memory.max']),
    fc.boolean(),
  )
  .map(([asShare, levels, present, maxUnlimited]) => {
    const [min, low, high, max] = levels.sort((a, b) => a - b) as [number, number, number, number];
    const level: Record<string, number> = {
      'memory.min': min,
      'memory.low': low,
      'memory.high': high,
      'memory.max': max,
    };
    const memory: Record<string, unknown> = {};
    for (const key of present) {
      const value = level[key] as number;
      memory[key.slice('memory.'.length)] =
        key === 'memory.max' && maxUnlimited ? 'infinity' : asShare ? `${value / 100}%` : value * 4096;
    }
    return memory;
  });

function group(rows: readonly ResourceLimitRow[]): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    rows.map((row) => [row.key.split('.')[1] as string, valuesOf(row.kind, row.positive === true)]),
  );
  return fc.record(fields, { requiredKeys: [] });
}

/** Device paths the generated documents use, with made-up device numbers. */
export const TEST_DEVICES: ReadonlyMap<string, { major: number; minor: number }> = new Map(
  [0, 1, 2].map((index) => [`/dev/vtcdisk${index}`, { major: 8, minor: index * 16 }]),
);

const device = (index: number) =>
  fc
    .record(Object.fromEntries(DEVICE_LIMITS.map((row) => [row.key, valuesOf(row.kind, false)])), {
      requiredKeys: [],
    })
    .chain((limits) =>
      Object.keys(limits).length > 0
        ? fc.constant(limits)
        : valuesOf('weight', false).map((weight) => ({ weight })),
    )
    .map((limits) => ({ device: `/dev/vtcdisk${index}`, ...limits }));

const rowsOf = (name: string) =>
  RESOURCE_LIMITS.filter((row) => row.key.startsWith(`${name}.`) && !ORDERED.has(row.key));

/**
 * Resource documents that the one validator accepts by construction: every row of the table, each value
 * in its kind's range with the edges drawn often, memory limits in order.
 */
export const resourceDocuments: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      delegate: valuesOf('flag', false),
      memory: fc.tuple(orderedMemory, group(rowsOf('memory'))).map(([a, b]) => ({ ...a, ...b })),
      cpu: group(rowsOf('cpu')),
      io: fc.record(
        {
          weight: valuesOf('weight', false),
          devices: fc.subarray([0, 1, 2]).chain((indexes) => fc.tuple(...indexes.map(device))),
        },
        { requiredKeys: [] },
      ),
      tasks: group(rowsOf('tasks')),
    },
    { requiredKeys: [] },
  )
  .map((document) => JSON.parse(JSON.stringify(document)) as Record<string, unknown>);

/** {@link resourceDocuments}, parsed. */
export const validLimits: fc.Arbitrary<Valid<ResourceLimits>> = resourceDocuments.map((document) =>
  unwrap(parseResourceLimits(document)),
);

/**
 * Parses a document the test knows to be valid.
 *
 * @throws the first problem, when it is not.
 */
export function limits(document: unknown): Valid<ResourceLimits> {
  return unwrap(parseResourceLimits(document));
}
