import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import {
  formatIndexSet,
  formatTimeSpan,
  parseIndexSet,
  parseInteger,
  parsePort,
  parseTimeSpan,
  parseWeight,
} from './numbers.js';

describe('parseIndexSet', () => {
  it.each([
    ['0', [0]],
    ['0-3,5', [0, 1, 2, 3, 5]],
    ['0-3,,5', [0, 1, 2, 3, 5]], // systemd 252 accepts it too (measured with systemd-analyze verify)
    ['0 2 4', [0, 2, 4]],
    ['0-3 5', [0, 1, 2, 3, 5]],
    ['3,2,1', [1, 2, 3]],
    ['1 , 2', [1, 2]],
    ['0,0', [0]],
    [',0', [0]],
    ['0,', [0]],
    ['0-0', [0]],
    ['+1-+3', [1, 2, 3]],
    ['0-3,5\t7', [0, 1, 2, 3, 5, 7]],
    ['8191', [8191]],
  ])('accepts %j as %j', (text, indexes) => {
    expect(value(parseIndexSet(text))).toEqual(indexes);
  });

  it.each([
    ['3-1', 'range 3-1 is reversed (3 > 1)'],
    ['', 'it is empty'],
    [' , ', 'it is empty'],
    ['a', '"a" is not an index or a range'],
    ['all', '"all" is not an index or a range'],
    ['0-', '"0-" is not an index or a range'],
    ['-1', '"-1" is not an index or a range'],
    ['1--3', '"1--3" is not an index or a range'],
    ['0-3-5', '"0-3-5" is not an index or a range'],
    ['0x1', '"0x1" is not an index or a range'],
    ['010', '"010" is not an index or a range'],
    ['00', '"00" is not an index or a range'],
    ['8192', '8192 is too large'],
    ['0-8192', '8192 is too large'],
    ['99999', '99999 is too large'],
    ['1;2', '"1;2" is not an index or a range'],
  ])('rejects %j with INVALID_CPU_LIST: %s', (text, why) => {
    const error = rejected(parseIndexSet(text));
    expect(error.code).toBe('INVALID_CPU_LIST');
    expect(error.message).toContain(why);
    expect(error.message).toContain('accepted: decimal indexes (no leading zeros) and ranges such as 0-3,5');
  });

  it('never throws; accepted sets are sorted, unique and in range (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789-, \t+x'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 20 })), (text) => {
        const result = parseIndexSet(text);
        if (!result.ok) {
          expect(result.error.code).toBe('INVALID_CPU_LIST');
          return;
        }
        const set = result.value;
        expect(set.length).toBeGreaterThan(0);
        for (const [index, cpu] of set.entries()) {
          expect(Number.isInteger(cpu) && cpu >= 0 && cpu <= 8191).toBe(true);
          if (index > 0) expect(cpu).toBeGreaterThan(set[index - 1] as number);
        }
      }),
    );
  });
});

describe('formatIndexSet', () => {
  it.each([
    [[0, 1, 2, 3, 5], '0-3,5'],
    [[0], '0'],
    [[], ''],
    [[1, 3, 5], '1,3,5'],
    [[0, 1, 7, 8, 9], '0-1,7-9'],
  ])('formats %j as %j', (set, text) => {
    expect(formatIndexSet(set)).toBe(text);
  });

  it('formats every non-empty set compactly and parses back to the same set (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 8191 }), { minLength: 1, maxLength: 64 }),
        (raw) => {
          const set = [...raw].sort((a, b) => a - b);
          const text = formatIndexSet(set);
          expect(text).toMatch(/^\d+(-\d+)?(,\d+(-\d+)?)*$/);
          expect(parseIndexSet(text)).toEqual({ ok: true, value: set });
        },
      ),
    );
  });
});

describe('parseInteger, parseWeight, parsePort', () => {
  const range = { min: 1, max: 100, what: 'a percentage point' };

  it('reads decimal text and numbers inside the range', () => {
    expect(value(parseInteger('42', range))).toBe(42);
    expect(value(parseInteger('+42', range))).toBe(42);
    expect(value(parseInteger(42, range))).toBe(42);
    expect(value(parseInteger('0', { min: 0, max: 1, what: 'a bit' }))).toBe(0);
  });

  it.each(['0', '101', '042', '0x10', '1e2', '4.2', ' 42', '42 ', '-1', '', '99999999999999999'])(
    'rejects %j with INVALID_NUMBER',
    (text) => {
      const error = rejected(parseInteger(text, range));
      expect(error.code).toBe('INVALID_NUMBER');
      expect(error.message).toBe(
        `${JSON.stringify(text)} is not a percentage point; accepted: a whole decimal number from 1 to 100, without leading zeros`,
      );
    },
  );

  it.each([Number.NaN, 1.5, 0, 101, Number.POSITIVE_INFINITY])(
    'rejects the number %d with INVALID_NUMBER',
    (input) => {
      expect(rejected(parseInteger(input, range)).code).toBe('INVALID_NUMBER');
    },
  );

  it.each([
    ['1', 1],
    ['100', 100],
    ['10000', 10000],
    [10000, 10000],
  ] as const)('parseWeight accepts %j', (input, weight) => {
    expect(value(parseWeight(input))).toBe(weight);
  });

  it.each([0, '0', 10001, '10001', 'idle', '05', '-1', '1.5'])(
    'parseWeight rejects %j with INVALID_WEIGHT',
    (input) => {
      const error = rejected(parseWeight(input));
      expect(error.code).toBe('INVALID_WEIGHT');
      expect(error.message).toContain('accepted: a whole decimal number from 1 to 10000');
    },
  );

  it.each([
    ['1', 1],
    ['80', 80],
    ['65535', 65535],
    [8080, 8080],
  ] as const)('parsePort accepts %j', (input, port) => {
    expect(value(parsePort(input))).toBe(port);
  });

  it.each([0, '0', 65536, '65536', 'http', '080', '80/tcp', -1])(
    'parsePort rejects %j with INVALID_PORT',
    (input) => {
      const error = rejected(parsePort(input));
      expect(error.code).toBe('INVALID_PORT');
      expect(error.message).toContain('accepted: a whole decimal number from 1 to 65535');
    },
  );

  it('round-trips every port and weight through its decimal text (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
        expect(parsePort(String(port))).toEqual({ ok: true, value: port });
        if (port <= 10000) expect(parseWeight(String(port))).toEqual({ ok: true, value: port });
      }),
    );
  });
});

describe('parseTimeSpan', () => {
  it.each([
    ['100ms', 100_000],
    ['1s 500ms', 1_500_000],
    ['1s500ms', 1_500_000],
    ['1 s', 1_000_000],
    ['1', 1_000_000],
    ['0', 0],
    ['0.1', 100_000],
    ['1.5s', 1_500_000],
    ['1.0157s', 1_015_700], // digit by digit as systemd does; 0.0157 * 1e6 in doubles is 15699.99…
    ['0.29s', 290_000],
    ['.5s', 500_000],
    ['5 .5s', 5_500_000],
    ['+1s', 1_000_000],
    ['1us', 1],
    ['1µs', 1],
    ['1μs', 1],
    ['1usec', 1],
    ['2msec', 2000],
    ['1min', 60_000_000],
    ['1m30s', 90_000_000],
    ['1h', 3_600_000_000],
    ['1hr', 3_600_000_000],
    ['1d', 86_400_000_000],
    ['1w', 604_800_000_000],
    ['1M', 2_629_800_000_000],
    ['1y', 31_557_600_000_000],
    ['1 2', 3_000_000],
    ['1s ', 1_000_000],
  ])('accepts %j as %d µs', (text, microseconds) => {
    expect(value(parseTimeSpan(text))).toBe(microseconds);
  });

  it.each([
    '',
    '   ',
    'abc',
    '5.',
    '5.s',
    '1S',
    '1secs',
    '1mins',
    '1e3',
    '-1s',
    '+.5s',
    '5ns',
    'infinity',
    '1 fortnight',
    '1000000y',
    '1s\u00a0',
    '1s\n',
  ])('rejects %j with INVALID_DURATION', (text) => {
    const error = rejected(parseTimeSpan(text));
    expect(error.code).toBe('INVALID_DURATION');
    expect(error.message).toContain('accepted: numbers with us, ms, s, min, h, d, w, M or y');
  });

  it('never throws, and what it accepts is a safe whole number of microseconds (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789. +-smhdwyuMµnie'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 16 })), (text) => {
        const result = parseTimeSpan(text);
        if (result.ok) expect(Number.isSafeInteger(result.value) && result.value >= 0).toBe(true);
        else expect(result.error.code).toBe('INVALID_DURATION');
      }),
    );
  });

  it.each([
    [100_000, '100ms'],
    [1_000_000, '1s'],
    [1_500_000, '1500ms'],
    [1, '1us'],
    [0, '0s'],
  ])('formats %d µs as %j', (microseconds, text) => {
    expect(formatTimeSpan(microseconds)).toBe(text);
  });

  it('formats every span so that it parses back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (microseconds) => {
        expect(parseTimeSpan(formatTimeSpan(microseconds))).toEqual({ ok: true, value: microseconds });
      }),
    );
  });
});
