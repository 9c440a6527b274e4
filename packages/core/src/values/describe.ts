import { fail, type Result, VoltError } from '../errors.js';

/**
 * A short, printable description of any value for an error message: never throws (a BigInt, a symbol, an
 * object without a prototype or with a throwing `toJSON` are all fine), at most about 80 characters.
 *
 * @example
 * ```ts
 * describeValue('web'); // '"web"'
 * describeValue(10n); // '10n'
 * describeValue({ a: 1 }); // '{"a":1}'
 * ```
 */
export function describeValue(value: unknown): string {
  let text: string;
  switch (typeof value) {
    case 'string':
      text = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
      break;
    case 'bigint':
      text = `${value}n`;
      break;
    case 'symbol':
      text = value.description === undefined ? 'a symbol' : `Symbol(${value.description})`;
      break;
    case 'function':
      text = 'a function';
      break;
    case 'undefined':
      text = 'undefined';
      break;
    case 'object':
      try {
        text = JSON.stringify(value) ?? (Array.isArray(value) ? 'a list' : 'an object');
      } catch {
        text = Array.isArray(value) ? 'a list' : 'an object';
      }
      break;
    default:
      text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Whether a value is a plain record to read fields from: an object, not null, not a list.
 *
 * @example
 * ```ts
 * isRecord({}); // true
 * isRecord([]); // false
 * ```
 */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A failed Result for a parser given something other than a string (see {@link wrongType}).
 *
 * @example
 * ```ts
 * notAString(42).ok; // false
 * ```
 */
export function notAString<T>(value: unknown, accepted = 'a string'): Result<T> {
  return fail(
    new VoltError('INVALID_VALUE', `${describeValue(value)} is not ${accepted}; accepted: ${accepted}`),
  );
}
