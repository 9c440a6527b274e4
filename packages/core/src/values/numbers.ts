import { fail, ok, type Result, VoltError } from '../errors.js';
import { notAString } from './describe.js';

/** A set of CPU or NUMA-node indexes, sorted and without duplicates. */
export type IndexSet = readonly number[];

const MAX_CPU_INDEX = 8191;

/**
 * Parses a CPU or NUMA-node list as systemd's `parse_cpu_set()` does: indexes and inclusive ranges,
 * separated by commas or white space (`0-3,5`, `0 2 4`). Like systemd, repeated separators are accepted
 * (`0-3,,5` is `0-3,5`); a reversed range (`3-1`) is not. Leading zeros and `0x` are refused: systemd
 * reads `010` as octal (8).
 *
 * @example
 * ```ts
 * parseIndexSet('0-3,5'); // { ok: true, value: [0, 1, 2, 3, 5] }
 * parseIndexSet('3-1').ok; // false, code INVALID_CPU_LIST
 * ```
 */
export function parseIndexSet(text: string): Result<IndexSet> {
  if (typeof text !== 'string') return notAString(text);
  const invalid = (why: string) =>
    fail<IndexSet>(
      new VoltError(
        'INVALID_CPU_LIST',
        `${JSON.stringify(text)} is not a CPU list: ${why}; accepted: decimal indexes (no leading zeros) and ranges such as 0-3,5 (0..${MAX_CPU_INDEX})`,
      ),
    );
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  if (words.length === 0) return invalid('it is empty');
  const seen = new Set<number>();
  for (const word of words) {
    const match = /^\+?(0|[1-9]\d{0,4})(?:-\+?(0|[1-9]\d{0,4}))?$/.exec(word);
    if (match === null) return invalid(`${JSON.stringify(word)} is not an index or a range`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > to) return invalid(`range ${word} is reversed (${from} > ${to})`);
    if (to > MAX_CPU_INDEX) return invalid(`${to} is too large`);
    for (let index = from; index <= to; index++) seen.add(index);
  }
  return ok([...seen].sort((a, b) => a - b));
}

/**
 * Formats an index set in the kernel's and systemd's compact list syntax: `[0,1,2,3,5]` → `0-3,5`.
 *
 * @example
 * ```ts
 * formatIndexSet([0, 1, 2, 3, 5]); // '0-3,5'
 * ```
 */
export function formatIndexSet(set: IndexSet): string {
  const parts: string[] = [];
  let index = 0;
  while (index < set.length) {
    const from = set[index] as number;
    let to = from;
    while (set[index + 1] === to + 1) {
      to++;
      index++;
    }
    parts.push(from === to ? String(from) : `${from}-${to}`);
    index++;
  }
  return parts.join(',');
}

/** Options for {@link parseInteger}. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
  /** What the number is, for the message ("a weight", "a port"). */
  readonly what: string;
}

/**
 * Parses a whole decimal number inside a range. Accepts a number or its decimal text (an optional `+`, no
 * leading zeros: systemd reads `010` as octal 8, so such text is refused rather than misread).
 *
 * @example
 * ```ts
 * parseInteger('42', { min: 1, max: 100, what: 'a weight' }); // { ok: true, value: 42 }
 * ```
 */
export function parseInteger(input: string | number, range: IntegerRange): Result<number> {
  if (typeof input !== 'string' && typeof input !== 'number')
    return notAString(input, `${range.what}, a number`);
  const value =
    typeof input === 'number' ? input : /^\+?(?:0|[1-9]\d{0,15})$/.test(input) ? Number(input) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    return fail(
      new VoltError(
        'INVALID_NUMBER',
        `${JSON.stringify(input)} is not ${range.what}; accepted: a whole decimal number from ${range.min} to ${range.max}, without leading zeros`,
      ),
    );
  }
  return ok(value);
}

/**
 * Parses a cgroup weight (CPUWeight, IOWeight, …): a whole number from 1 to 10000.
 *
 * @example
 * ```ts
 * parseWeight('100'); // { ok: true, value: 100 }
 * parseWeight(0).ok; // false, code INVALID_WEIGHT
 * ```
 */
export function parseWeight(input: string | number): Result<number> {
  const result = parseInteger(input, { min: 1, max: 10000, what: 'a weight' });
  return result.ok ? result : fail(new VoltError('INVALID_WEIGHT', result.error.message));
}

/**
 * Parses a TCP or UDP port: a whole number from 1 to 65535.
 *
 * @example
 * ```ts
 * parsePort('8080'); // { ok: true, value: 8080 }
 * parsePort(0).ok; // false, code INVALID_PORT
 * ```
 */
export function parsePort(input: string | number): Result<number> {
  const result = parseInteger(input, { min: 1, max: 65535, what: 'a port' });
  return result.ok ? result : fail(new VoltError('INVALID_PORT', result.error.message));
}

const SECOND_US = 1_000_000;
const DAY_US = 86_400 * SECOND_US;
const TIME_UNITS_US: Readonly<Record<string, number>> = {
  us: 1,
  usec: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  msec: 1000,
  s: SECOND_US,
  sec: SECOND_US,
  second: SECOND_US,
  seconds: SECOND_US,
  m: 60 * SECOND_US,
  min: 60 * SECOND_US,
  minute: 60 * SECOND_US,
  minutes: 60 * SECOND_US,
  h: 3600 * SECOND_US,
  hr: 3600 * SECOND_US,
  hour: 3600 * SECOND_US,
  hours: 3600 * SECOND_US,
  d: DAY_US,
  day: DAY_US,
  days: DAY_US,
  w: 7 * DAY_US,
  week: 7 * DAY_US,
  weeks: 7 * DAY_US,
  M: 2_629_800 * SECOND_US,
  month: 2_629_800 * SECOND_US,
  months: 2_629_800 * SECOND_US,
  y: 31_557_600 * SECOND_US,
  year: 31_557_600 * SECOND_US,
  years: 31_557_600 * SECOND_US,
};

const TIME_COMPONENT = /^[ \t]*(\+?)(\d*)(?:\.(\d*))?[ \t]*([A-Za-zµμ]*)/;

/**
 * Parses a time span as systemd's `parse_sec()` does: components such as `1s 500ms` add up; a bare number
 * is seconds; units from `us` to `y` (a year is 365.25 days, a month `M` a twelfth of it); fractions such
 * as `1.5s` or `.5s` are counted digit by digit, as systemd does. Returns microseconds. `infinity` is
 * refused (leave the setting out instead).
 *
 * @example
 * ```ts
 * parseTimeSpan('100ms'); // { ok: true, value: 100000 }
 * parseTimeSpan('1s 500ms'); // { ok: true, value: 1500000 }
 * parseTimeSpan('1 fortnight').ok; // false, code INVALID_DURATION
 * ```
 */
export function parseTimeSpan(text: string): Result<number> {
  if (typeof text !== 'string') return notAString(text);
  const invalid = () =>
    fail<number>(
      new VoltError(
        'INVALID_DURATION',
        `${JSON.stringify(text)} is not a time span; accepted: numbers with us, ms, s, min, h, d, w, M or y (e.g. 100ms, 1s 500ms)`,
      ),
    );
  let rest = text;
  let total = 0;
  const blank = /^[ \t]*$/;
  if (blank.test(text)) return invalid();
  while (!blank.test(rest)) {
    const match = TIME_COMPONENT.exec(rest);
    const [consumed, sign, whole = '', fraction, unit = ''] = match ?? [];
    if (
      consumed === undefined ||
      fraction === '' ||
      (whole === '' && (sign !== '' || fraction === undefined))
    )
      return invalid();
    const factor = TIME_UNITS_US[unit === '' ? 's' : unit];
    if (factor === undefined) return invalid();
    total += Number(whole === '' ? 0 : whole) * factor;
    let step = Math.trunc(factor / 10);
    for (const digit of fraction ?? '') {
      total += Number(digit) * step;
      step = Math.trunc(step / 10);
    }
    if (!Number.isSafeInteger(total)) return invalid();
    rest = rest.slice(consumed.length);
  }
  return ok(total);
}

/**
 * Formats microseconds the way systemd accepts them back, with the largest exact unit.
 *
 * @example
 * ```ts
 * formatTimeSpan(100000); // '100ms'
 * ```
 */
export function formatTimeSpan(microseconds: number): string {
  if (microseconds % 1_000_000 === 0) return `${microseconds / 1_000_000}s`;
  if (microseconds % 1000 === 0) return `${microseconds / 1000}ms`;
  return `${microseconds}us`;
}
