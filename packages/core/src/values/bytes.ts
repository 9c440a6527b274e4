import { fail, ok, type Result, VoltError } from '../errors.js';
import { notAString } from './describe.js';

/**
 * A memory-style limit as systemd reads it: a byte count, a share of physical memory, or no limit.
 * Shares are kept in permyriad (1/10000), the unit systemd itself stores.
 */
export type ByteLimit =
  | { readonly kind: 'bytes'; readonly bytes: number }
  | { readonly kind: 'percent'; readonly permyriad: number }
  | { readonly kind: 'infinity' };

/** The size suffixes largest first, each with its factor in `base`; a bare number or `B` counts bytes. */
function suffixTable(base: 1024 | 1000): readonly (readonly [string, number])[] {
  return [
    ...['E', 'P', 'T', 'G', 'M', 'K'].map((suffix, index) => [suffix, base ** (6 - index)] as const),
    ['B', 1],
    ['', 1],
  ];
}
const SUFFIXES_1024 = suffixTable(1024);
const SUFFIXES_1000 = suffixTable(1000);

const UINT64_MAX = 2n ** 64n - 1n;
const COMPONENT = /^[ \t]*\+?(\d+)(?:\.(\d*))?[ \t]*/;
const ACCEPTED_SIZES =
  'accepted: a whole or decimal number with an optional K, M, G, T, P or E suffix (e.g. 512M, 1.5G)';

/**
 * Parses a size exactly as systemd's `parse_size()` does: components such as `2G 512M` add up, each
 * suffix (`K M G T P E`, case-sensitive) must be smaller than the one before, and `1.5G` is allowed.
 * `base` is 1024 for memory and 1000 for bandwidth.
 *
 * @example
 * ```ts
 * parseByteSize('1.5G'); // { ok: true, value: 1610612736 }
 * parseByteSize('2GB').ok; // false, code INVALID_BYTE_SIZE
 * parseByteSize('10M', 1000); // { ok: true, value: 10000000 }
 * ```
 */
export function parseByteSize(text: string, base: 1024 | 1000 = 1024): Result<number> {
  if (typeof text !== 'string') return notAString(text);
  const table = base === 1024 ? SUFFIXES_1024 : SUFFIXES_1000;
  const invalid = (why: string) =>
    fail<number>(
      new VoltError('INVALID_BYTE_SIZE', `${JSON.stringify(text)} is not a size: ${why}; ${ACCEPTED_SIZES}`),
    );
  if (text.length === 0 || text.length > 64)
    return invalid(text.length === 0 ? 'it is empty' : 'it is too long');
  let rest = text;
  let total = 0;
  let start = 0;
  let lastSuffix = '';
  do {
    const match = COMPONENT.exec(rest);
    if (match === null) {
      if (rest.trimStart().startsWith('-')) return invalid('it is negative');
      if (start === 0) return invalid('a number is expected');
      return invalid(
        lastSuffix === ''
          ? `its suffix ${JSON.stringify(rest)} is unknown or out of order (suffixes are case-sensitive and go largest first)`
          : `${JSON.stringify(rest)} is unexpected after ${lastSuffix}`,
      );
    }
    const whole = Number(match[1]);
    const digits = match[2] ?? '';
    // systemd reads the fraction digits as one unsigned 64-bit number, then divides by 10 per digit in
    // double precision; doing the same keeps `1.07K` (base 1000) at 1069 bytes, as systemd has it.
    if (digits !== '' && BigInt(digits) > UINT64_MAX) return invalid('its fraction has too many digits');
    let fraction = digits === '' ? 0 : Number(digits);
    for (let digit = 0; digit < digits.length; digit++) fraction /= 10;
    rest = rest.slice(match[0].length);
    let index = start;
    while (index < table.length && !rest.startsWith((table[index] as readonly [string, number])[0])) index++;
    const entry = table[index];
    if (entry === undefined)
      return invalid(`the suffix in ${JSON.stringify(rest)} is unknown or out of order`);
    const [suffix, factor] = entry;
    total += whole * factor + Math.trunc(fraction * factor);
    if (!Number.isSafeInteger(total))
      return invalid(`it is too large (at most ${Number.MAX_SAFE_INTEGER} bytes, just under 8P)`);
    rest = rest.slice(suffix.length);
    start = index + 1;
    lastSuffix = suffix;
  } while (rest.length > 0);
  return ok(total);
}

/**
 * Formats a byte count with the largest exact base-1024 suffix: `2147483648` → `2G`, `1610612736` → `1536M`.
 *
 * @example
 * ```ts
 * formatByteSize(1610612736); // '1536M'
 * formatByteSize(1000, 1000); // '1K'
 * ```
 */
export function formatByteSize(bytes: number, base: 1024 | 1000 = 1024): string {
  const table = base === 1024 ? SUFFIXES_1024 : SUFFIXES_1000;
  if (bytes === 0) return '0';
  for (const [suffix, factor] of table) {
    if (factor > 1 && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

// Decimal only, as written by people: an optional `+`, no leading zeros (systemd would read `010%` as octal,
// 8%), no `0x` prefixes.
const PERCENT = /^\+?(0|[1-9]\d{0,7})(?:\.(\d{1,2}))?%$/;
const PERMILLE = /^\+?(0|[1-9]\d{0,8})(?:\.(\d))?‰$/;
const PERMYRIAD = /^\+?(0|[1-9]\d{0,9})‱$/;
/** The largest share systemd's `parse_permyriad_unbounded()` reads (INT_MAX permyriad). */
const PERMYRIAD_LIMIT = 2147483647;

/**
 * Parses a share as systemd's `parse_permyriad()` does: `50%`, `12.5%`, `125‰` or `1250‱`, at most 100%
 * unless `max` (in permyriad) says otherwise. Returns permyriad (1/10000). Leading zeros and `0x` are
 * refused: systemd reads `010%` as octal (8%), which no reader expects.
 *
 * @example
 * ```ts
 * parsePercentage('12.5%'); // { ok: true, value: 1250 }
 * parsePercentage('101%').ok; // false, code INVALID_PERCENTAGE
 * ```
 */
export function parsePercentage(text: string, options: { readonly max?: number } = {}): Result<number> {
  if (typeof text !== 'string') return notAString(text);
  const max = options.max ?? 10000;
  const percent = PERCENT.exec(text);
  const permille = PERMILLE.exec(text);
  const permyriadMatch = PERMYRIAD.exec(text);
  let permyriad: number | undefined;
  if (percent !== null) permyriad = Number(percent[1]) * 100 + Number((percent[2] ?? '').padEnd(2, '0'));
  else if (permille !== null) permyriad = Number(permille[1]) * 10 + Number(permille[2] ?? '0');
  else if (permyriadMatch !== null) permyriad = Number(permyriadMatch[1]);
  if (permyriad === undefined || permyriad > max || permyriad > PERMYRIAD_LIMIT) {
    return fail(
      new VoltError(
        'INVALID_PERCENTAGE',
        `${JSON.stringify(text)} is not a percentage; accepted: 0% to ${formatPercentage(Math.min(max, PERMYRIAD_LIMIT))} in decimal without leading zeros, with up to two decimals (e.g. 50%, 12.5%), or in ‰ or ‱`,
      ),
    );
  }
  return ok(permyriad);
}

/**
 * Formats permyriad as a percentage: `1250` → `12.5%`.
 *
 * @example
 * ```ts
 * formatPercentage(5000); // '50%'
 * ```
 */
export function formatPercentage(permyriad: number): string {
  const whole = Math.trunc(permyriad / 100);
  const rest = permyriad % 100;
  if (rest === 0) return `${whole}%`;
  return `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

/** Options for {@link parseByteLimit}. */
export interface ByteLimitOptions {
  /** Whether `infinity` is accepted (default true). */
  readonly allowInfinity?: boolean;
  /** Whether a percentage of physical memory is accepted (default true). */
  readonly allowPercent?: boolean;
  /** The smallest byte count accepted (default 0). systemd refuses `MemoryMax=0`, so pass 1 there. */
  readonly minBytes?: number;
}

/**
 * Parses a memory limit as systemd's MemoryMax/MemoryHigh/… do: a size (base 1024), a percentage or
 * `infinity`.
 *
 * @example
 * ```ts
 * parseByteLimit('2G'); // { ok: true, value: { kind: 'bytes', bytes: 2147483648 } }
 * parseByteLimit('infinity'); // { ok: true, value: { kind: 'infinity' } }
 * parseByteLimit('50%'); // { ok: true, value: { kind: 'percent', permyriad: 5000 } }
 * parseByteLimit('0', { minBytes: 1 }).ok; // false: systemd says "out of range"
 * ```
 */
export function parseByteLimit(text: string, options: ByteLimitOptions = {}): Result<ByteLimit> {
  if (typeof text !== 'string') return notAString(text);
  const { allowInfinity = true, allowPercent = true, minBytes = 0 } = options;
  if (text === 'infinity') {
    if (allowInfinity) return ok({ kind: 'infinity' });
    return fail(
      new VoltError(
        'INVALID_BYTE_SIZE',
        `"infinity" is not accepted here; accepted: a size such as 512M${allowPercent ? ' or a percentage such as 50%' : ''}`,
      ),
    );
  }
  if (text.endsWith('%') || text.endsWith('‰') || text.endsWith('‱')) {
    if (!allowPercent) {
      return fail(
        new VoltError(
          'INVALID_BYTE_SIZE',
          `${JSON.stringify(text)}: a percentage is not accepted here; accepted: a size such as 512M${allowInfinity ? ' or infinity' : ''}`,
        ),
      );
    }
    const share = parsePercentage(text);
    if (!share.ok) return share;
    // systemd scales the share by physical memory and then applies the same lower bound as to bytes.
    if (share.value === 0 && minBytes > 0) {
      return fail(
        new VoltError('INVALID_PERCENTAGE', `${JSON.stringify(text)} is out of range; accepted: above 0%`),
      );
    }
    return ok({ kind: 'percent', permyriad: share.value });
  }
  const size = parseByteSize(text);
  if (!size.ok) return size;
  if (size.value < minBytes) {
    return fail(
      new VoltError(
        'INVALID_BYTE_SIZE',
        `${JSON.stringify(text)} is out of range; accepted: sizes from ${minBytes} byte${minBytes === 1 ? '' : 's'}`,
      ),
    );
  }
  return ok({ kind: 'bytes', bytes: size.value });
}

/**
 * Formats a {@link ByteLimit} in systemd's syntax.
 *
 * @example
 * ```ts
 * formatByteLimit({ kind: 'bytes', bytes: 1073741824 }); // '1G'
 * ```
 */
export function formatByteLimit(limit: ByteLimit): string {
  switch (limit.kind) {
    case 'bytes':
      return formatByteSize(limit.bytes);
    case 'percent':
      return formatPercentage(limit.permyriad);
    case 'infinity':
      return 'infinity';
  }
}
