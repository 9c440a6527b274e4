import { describe, expect, it } from 'vitest';
import { parseByteSize, parseIpAddress, parseMachineName, parsePort } from '../index.js';
import { describeValue } from './describe.js';

describe('describeValue', () => {
  it('prints any value without throwing, in at most 80 characters', () => {
    const nullPrototype = Object.create(null) as object;
    const throwing = {
      toJSON() {
        throw new Error('no');
      },
    };
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const cases: readonly [unknown, string][] = [
      ['web', '"web"'],
      [10n, '10n'],
      [Symbol('x'), 'Symbol(x)'],
      [undefined, 'undefined'],
      [null, 'null'],
      [() => 1, 'a function'],
      [{ a: 1 }, '{"a":1}'],
      [nullPrototype, '{}'],
      [throwing, 'an object'],
      [cyclic, 'an object'],
      [[1n], 'a list'],
      [Number.NaN, 'NaN'],
    ];
    for (const [value, text] of cases) expect(describeValue(value)).toBe(text);
    expect(describeValue('x'.repeat(500)).length).toBeLessThanOrEqual(80);
    expect(describeValue({ long: 'x'.repeat(500) }).length).toBeLessThanOrEqual(80);
  });
});

describe('the parsers, given what is not a string (a JavaScript caller)', () => {
  it('fail with INVALID_VALUE instead of throwing', () => {
    for (const value of [undefined, null, 3n, {}, ['10.0.0.1'], Object.create(null)]) {
      for (const parse of [parseMachineName, parseIpAddress, parseByteSize] as const) {
        const result = (parse as (input: unknown) => ReturnType<typeof parseMachineName>)(value);
        expect(result.ok === false && result.error.code).toBe('INVALID_VALUE');
      }
      const port = (parsePort as (input: unknown) => ReturnType<typeof parsePort>)(value);
      expect(port.ok).toBe(false);
    }
  });
});
