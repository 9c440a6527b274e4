import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import {
  formatByteLimit,
  formatByteSize,
  formatPercentage,
  parseByteLimit,
  parseByteSize,
  parsePercentage,
} from './bytes.js';

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * systemd's `parse_size()` (src/basic/parse-util.c, v252), transcribed with BigInt for the integer parts
 * and doubles for the fraction, as the C code has them. Used as the model in the property test below.
 */
function systemdParseSize(text: string, base: 1024 | 1000): bigint | undefined {
  const powers = ['E', 'P', 'T', 'G', 'M', 'K'] as const;
  const table: [string, bigint][] = [
    ...powers.map((suffix, index): [string, bigint] => [suffix, BigInt(base) ** BigInt(6 - index)]),
    ['B', 1n],
    ['', 1n],
  ];
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
  let p = 0;
  let total = 0n;
  let start = 0;
  do {
    while (isBlank(text[p])) p++;
    let q = p;
    if (text[q] === '+' || text[q] === '-') q++;
    const digitsFrom = q;
    while (isDigit(text[q])) q++;
    if (q === digitsFrom) return undefined; // strtoull converted nothing: EINVAL
    const whole = BigInt(text.slice(digitsFrom, q));
    if (whole > UINT64_MAX) return undefined; // ERANGE
    if (text[p] === '-') return undefined; // ERANGE
    let e = q;
    let fraction = 0;
    if (text[e] === '.') {
      e++;
      if (isDigit(text[e])) {
        let e2 = e;
        while (isDigit(text[e2])) e2++;
        const digits = BigInt(text.slice(e, e2));
        if (digits > UINT64_MAX) return undefined;
        fraction = Number(digits);
        for (; e < e2; e++) fraction /= 10;
      }
    }
    while (isBlank(text[e])) e++;
    let index = start;
    while (index < table.length && !text.startsWith((table[index] as [string, bigint])[0], e)) index++;
    const entry = table[index];
    if (entry === undefined) return undefined;
    const [suffix, factor] = entry;
    if (whole + (fraction > 0 ? 1n : 0n) > UINT64_MAX / factor) return undefined;
    const component = whole * factor + BigInt(Math.trunc(fraction * Number(factor)));
    if (component > UINT64_MAX - total) return undefined;
    total += component;
    p = e + suffix.length;
    start = index + 1;
  } while (p < text.length);
  return total;
}

describe('parseByteSize', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['512', 512],
    ['1K', 1024],
    ['512M', 512 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    ['1.5G', 1610612736],
    ['2G 512M', 2684354560],
    ['1G512M', 1610612736],
    ['1T 1G 1M 1K 1', 1024 ** 4 + 1024 ** 3 + 1024 ** 2 + 1024 + 1],
    ['2G\t512M', 2684354560],
    ['1 G', 1024 ** 3],
    ['10.M', 10 * 1024 ** 2],
    ['1.5', 1],
    ['+5M', 5 * 1024 ** 2],
    [' 1G', 1024 ** 3],
    ['512B', 512],
    ['4P', 4 * 1024 ** 5],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('accepts %j as %d bytes (base 1024)', (text, bytes) => {
    expect(value(parseByteSize(text))).toBe(bytes);
  });

  it.each([
    ['10M', 10_000_000],
    ['1.5K', 1500],
    ['1.07K', 1069], // systemd divides the fraction in doubles: 0.07 * 1000 truncates to 69
    ['2G 5M', 2_005_000_000],
  ])('accepts %j as %d bytes (base 1000)', (text, bytes) => {
    expect(value(parseByteSize(text, 1000))).toBe(bytes);
  });

  it.each([
    ['', 'it is empty'],
    ['2GB', '"B" is unexpected after G'],
    ['2gb', 'its suffix "gb" is unknown'],
    ['2Gi', '"i" is unexpected after G'],
    ['512M 2G', 'its suffix "G" is unknown or out of order'],
    ['1G 1G', 'its suffix "G" is unknown or out of order'],
    ['-1', 'negative'],
    ['-0', 'negative'],
    ['1e9', 'its suffix "e9" is unknown'],
    ['0x10', 'its suffix "x10" is unknown'],
    ['.5G', 'a number is expected'],
    ['G', 'a number is expected'],
    ['1G,', '"," is unexpected after G'],
    ['1,5G', 'its suffix ",5G" is unknown'],
    ['１G', 'a number is expected'],
    ['1G ', '" " is unexpected after G'],
    ['1G\n', '"\\n" is unexpected after G'],
    ['1E', 'too large'],
    ['8P', 'too large'],
    ['9007199254740992', 'too large'],
    ['1.123456789012345678901G', 'too many digits'],
    ['1'.repeat(65), 'too long'],
  ])('rejects %j with INVALID_BYTE_SIZE (%s)', (text, why) => {
    const error = rejected(parseByteSize(text));
    expect(error.code).toBe('INVALID_BYTE_SIZE');
    expect(error.message).toContain(why);
    expect(error.message).toContain(
      'accepted: a whole or decimal number with an optional K, M, G, T, P or E',
    );
  });

  it('agrees with a transcription of systemd parse_size() on generated input (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789.+- \tKMGTPEBkgx%'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 24 }), fc.constantFrom(1024, 1000), (text, base) => {
        const model = systemdParseSize(text, base as 1024 | 1000);
        const ours = parseByteSize(text, base as 1024 | 1000);
        if (model === undefined || model > BigInt(Number.MAX_SAFE_INTEGER) || text.length === 0) {
          expect(ours.ok).toBe(false);
        } else {
          expect(ours).toEqual({ ok: true, value: Number(model) });
        }
      }),
    );
  });

  it('never throws and never returns a non-integer, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const result = parseByteSize(text);
        if (result.ok) expect(Number.isSafeInteger(result.value) && result.value >= 0).toBe(true);
        else expect(result.error.code).toBe('INVALID_BYTE_SIZE');
      }),
    );
  });
});

describe('formatByteSize', () => {
  it.each([
    [0, 1024, '0'],
    [1, 1024, '1'],
    [1000, 1024, '1000'],
    [1024, 1024, '1K'],
    [1610612736, 1024, '1536M'],
    [2147483648, 1024, '2G'],
    [4 * 1024 ** 5, 1024, '4P'],
    [1000, 1000, '1K'],
    [1024, 1000, '1024'],
    [2_005_000_000, 1000, '2005M'],
  ] as const)('formats %d (base %d) as %j', (bytes, base, text) => {
    expect(formatByteSize(bytes, base)).toBe(text);
  });

  it('formats every safe byte count so that parseByteSize reads it back (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc
            .tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 5 }))
            .map(([n, power]) => n * 1024 ** power)
            .filter((bytes) => bytes <= Number.MAX_SAFE_INTEGER),
        ),
        fc.constantFrom(1024, 1000),
        (bytes, base) => {
          const text = formatByteSize(bytes, base as 1024 | 1000);
          expect(text).toMatch(/^\d+[KMGTPE]?$/);
          expect(parseByteSize(text, base as 1024 | 1000)).toEqual({ ok: true, value: bytes });
        },
      ),
    );
  });
});

describe('parsePercentage', () => {
  it.each([
    ['0%', 0],
    ['50%', 5000],
    ['100%', 10000],
    ['12.5%', 1250],
    ['12.55%', 1255],
    ['0.01%', 1],
    ['+10%', 1000],
    ['125‰', 1250],
    ['12.5‰', 125],
    ['1250‱', 1250],
  ])('accepts %j as %d permyriad', (text, permyriad) => {
    expect(value(parsePercentage(text))).toBe(permyriad);
  });

  it.each([
    ['101%', '100%'],
    ['12.555%', '100%'],
    ['50', '100%'],
    ['50 %', '100%'],
    ['%', '100%'],
    ['-10%', '100%'],
    ['50.%', '100%'],
    ['010%', 'without leading zeros'],
    ['08%', 'without leading zeros'],
    ['0x10%', 'without leading zeros'],
    ['1e2%', 'two decimals'],
    ['10001‱', '100%'],
  ])('rejects %j with INVALID_PERCENTAGE, naming %j in what is accepted', (text, accepted) => {
    const error = rejected(parsePercentage(text));
    expect(error.code).toBe('INVALID_PERCENTAGE');
    expect(error.message).toContain('accepted: 0% to');
    expect(error.message).toContain(accepted);
  });

  it('takes a larger bound for shares that may exceed 100% (CPUQuota)', () => {
    expect(value(parsePercentage('1000%', { max: 10_000_000 }))).toBe(100_000);
    expect(value(parsePercentage('21474836.47%', { max: Number.MAX_SAFE_INTEGER }))).toBe(2147483647);
    expect(rejected(parsePercentage('21474836.48%', { max: Number.MAX_SAFE_INTEGER })).code).toBe(
      'INVALID_PERCENTAGE',
    );
    expect(rejected(parsePercentage('150%', { max: 10_000 })).message).toContain('0% to 100%');
  });

  it('formats every share so that it parses back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2147483647 }), (permyriad) => {
        const text = formatPercentage(permyriad);
        expect(text).toMatch(/^(0|[1-9]\d*)(\.\d{1,2})?%$/);
        expect(parsePercentage(text, { max: 2147483647 })).toEqual({ ok: true, value: permyriad });
      }),
    );
  });

  it.each([
    [5000, '50%'],
    [1250, '12.5%'],
    [1255, '12.55%'],
    [1, '0.01%'],
    [10, '0.1%'],
    [0, '0%'],
  ])('formats %d permyriad as %j', (permyriad, text) => {
    expect(formatPercentage(permyriad)).toBe(text);
  });
});

describe('parseByteLimit', () => {
  it('reads bytes, shares and infinity', () => {
    expect(value(parseByteLimit('2G'))).toEqual({ kind: 'bytes', bytes: 2147483648 });
    expect(value(parseByteLimit('1.5G'))).toEqual({ kind: 'bytes', bytes: 1610612736 });
    expect(value(parseByteLimit('infinity'))).toEqual({ kind: 'infinity' });
    expect(value(parseByteLimit('50%'))).toEqual({ kind: 'percent', permyriad: 5000 });
    expect(value(parseByteLimit('500‰'))).toEqual({ kind: 'percent', permyriad: 5000 });
    expect(value(parseByteLimit('0'))).toEqual({ kind: 'bytes', bytes: 0 });
    expect(value(parseByteLimit('0%'))).toEqual({ kind: 'percent', permyriad: 0 });
  });

  it('applies minBytes to sizes and to a zero share, as systemd does for MemoryMax', () => {
    const zero = rejected(parseByteLimit('0', { minBytes: 1 }));
    expect(zero.code).toBe('INVALID_BYTE_SIZE');
    expect(zero.message).toBe('"0" is out of range; accepted: sizes from 1 byte');
    const zeroShare = rejected(parseByteLimit('0%', { minBytes: 1 }));
    expect(zeroShare.code).toBe('INVALID_PERCENTAGE');
    expect(zeroShare.message).toContain('accepted: above 0%');
    expect(value(parseByteLimit('0.01%', { minBytes: 1 }))).toEqual({ kind: 'percent', permyriad: 1 });
  });

  it('refuses infinity and shares where the caller says so', () => {
    const infinity = rejected(parseByteLimit('infinity', { allowInfinity: false }));
    expect(infinity.code).toBe('INVALID_BYTE_SIZE');
    expect(infinity.message).toBe(
      '"infinity" is not accepted here; accepted: a size such as 512M or a percentage such as 50%',
    );
    expect(rejected(parseByteLimit('50%', { allowPercent: false })).message).toBe(
      '"50%": a percentage is not accepted here; accepted: a size such as 512M or infinity',
    );
  });

  it.each(['2GB', '2gb', '2Gi', 'Infinity', '101%', 'lots', ''])('rejects %j', (text) => {
    const error = rejected(parseByteLimit(text));
    expect(['INVALID_BYTE_SIZE', 'INVALID_PERCENTAGE']).toContain(error.code);
    expect(error.message).toContain('accepted');
  });

  it('formats every limit so that it parses back to the same limit (property)', () => {
    const limit = fc.oneof(
      fc
        .integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
        .map((bytes) => ({ kind: 'bytes' as const, bytes })),
      fc.integer({ min: 0, max: 10000 }).map((permyriad) => ({ kind: 'percent' as const, permyriad })),
      fc.constant({ kind: 'infinity' as const }),
    );
    fc.assert(
      fc.property(limit, (original) => {
        expect(parseByteLimit(formatByteLimit(original))).toEqual({ ok: true, value: original });
      }),
    );
  });
});
