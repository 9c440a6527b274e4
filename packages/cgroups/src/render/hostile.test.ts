import { VoltError } from '@volt/core';
import { parseResourceLimits } from '@volt/core/profile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resourceDocuments, TEST_DEVICES } from '../../test/arbitraries.js';
import { cgroupfsValues } from './cgroupfs.js';
import { ociLinuxResources } from './oci.js';
import { renderServiceDropin, systemdPropertyArgs } from './systemd.js';

const hostileValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom('2G\n[Service]\nExecStart=/bin/sh', '/dev/sda 1\nDelegate=no', '-1', 'NaN', '1e400'),
  fc.array(
    fc.record({
      device: fc.oneof(
        fc.string(),
        fc.constantFrom('/dev/sda 1', '/dev/sda\nTasksMax=1', '/dev/../etc', '/dev/s%a'),
      ),
      weight: fc.integer({ min: 1, max: 10000 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1.5, 2 ** 64),
  fc.record({
    kind: fc.constantFrom('bytes', 'percent', 'count', 'rate', 'infinity', 'x'),
    bytes: fc.anything(),
    permyriad: fc.anything(),
    count: fc.anything(),
    perSecond: fc.anything(),
  }),
);

const FIELDS = [
  ['memory', 'min'],
  ['memory', 'high'],
  ['memory', 'max'],
  ['memory', 'zswapMax'],
  ['cpu', 'weight'],
  ['cpu', 'startupWeight'],
  ['cpu', 'quota'],
  ['cpu', 'quotaPeriod'],
  ['cpu', 'allowedCpus'],
  ['io', 'weight'],
  ['io', 'devices'],
  ['tasks', 'max'],
] as const;

/** Valid documents with one field replaced by anything at all. */
const hostileDocuments = fc
  .tuple(resourceDocuments, fc.constantFrom(...FIELDS), hostileValue)
  .map(([document, [area, key], value]) => ({
    ...document,
    [area]: { ...(document[area] as object), [key]: value },
  }));

function rendersOrVoltError(render: () => unknown): void {
  try {
    render();
  } catch (error) {
    expect(VoltError.isInstance(error), String(error)).toBe(true);
  }
}

describe('hostile input', () => {
  it('the parser refuses with VoltErrors, or every renderer renders and no input string starts a new line or argument', () => {
    fc.assert(
      fc.property(hostileDocuments, (document) => {
        const parsed = parseResourceLimits(document);
        if (!parsed.ok) {
          expect(parsed.issues.every((issue) => VoltError.isInstance(issue))).toBe(true);
          return;
        }
        const limits = parsed.value;
        const host = { memoryBytes: 2 ** 34, tasksMax: 32767, devices: TEST_DEVICES };
        rendersOrVoltError(() => {
          const args = systemdPropertyArgs(limits);
          for (const arg of args) expect(arg).toMatch(/^--property=[A-Za-z]+=[^\n\r]+$/);
          const dropin = renderServiceDropin(limits);
          expect(dropin.split('\n').filter((line) => line.startsWith('[')).length).toBe(1);
          expect(dropin.split('\n').length).toBe(args.length + 2);
        });
        rendersOrVoltError(() => cgroupfsValues(limits, host));
        rendersOrVoltError(() => ociLinuxResources(limits, host));
      }),
    );
  });
});
