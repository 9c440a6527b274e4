import { fail, type InputPath, type Result, VoltError } from '../errors.js';
import { EMPTY_LIST } from '../frozen.js';

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
 * The error for a value of the wrong type (as a JavaScript caller may pass, where TypeScript would not):
 * INVALID_VALUE at `path`, saying what was given and what is accepted.
 *
 * @example
 * ```ts
 * wrongType(['boot'], 'true or false', 'yes').message; // '"yes" is not true or false; accepted: true or false'
 * ```
 */
export function wrongType(path: InputPath, accepted: string, value: unknown): VoltError {
  return new VoltError('INVALID_VALUE', `${describeValue(value)} is not ${accepted}; accepted: ${accepted}`, {
    path,
  });
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
  return fail(wrongType([], accepted, value));
}

/** Checks the field types of a record: see {@link fieldTypeChecker}. */
export type FieldTypeChecker = (value: unknown, path: InputPath) => readonly VoltError[];

/**
 * A checker of the field types of a record, made once per record type: it returns the wrong-type errors,
 * each at `[...path, field]` (none: the same empty list). `kinds` names, per field, the type it must have
 * (`'list'` for an array, `'record'` for a plain object; `?` after a kind also allows undefined). A value
 * that is not a record gives one error at `path`.
 *
 * @example
 * ```ts
 * const checkNetwork = fieldTypeChecker({ mode: 'string', ports: 'list?' });
 * checkNetwork({ mode: 1 }, ['network'])[0]?.path; // ['network', 'mode']
 * ```
 */
export function fieldTypeChecker(kinds: Readonly<Record<string, FieldKind>>): FieldTypeChecker {
  const fields = Object.entries(kinds).map(([field, kind]) => {
    const optional = kind.endsWith('?');
    const base = (optional ? kind.slice(0, -1) : kind) as BaseFieldKind;
    return { field, optional, check: FIELD_KIND_CHECKS[base], accepted: FIELD_KIND_NAMES[base] };
  });
  return (value, path) => {
    if (!isRecord(value)) return [wrongType(path, 'an object', value)];
    let problems: VoltError[] | undefined;
    for (const { field, optional, check, accepted } of fields) {
      const fieldValue = value[field];
      if (check(fieldValue) || (optional && fieldValue === undefined)) continue;
      problems ??= [];
      problems.push(wrongType([...path, field], accepted, fieldValue));
    }
    return problems ?? EMPTY_LIST;
  };
}

type BaseFieldKind = 'string' | 'number' | 'boolean' | 'list' | 'record';

/** A field's type for {@link fieldTypeChecker}; a trailing `?` also allows undefined. */
export type FieldKind = BaseFieldKind | `${BaseFieldKind}?`;

const FIELD_KIND_CHECKS: Readonly<Record<BaseFieldKind, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  list: Array.isArray,
  record: isRecord,
};

const FIELD_KIND_NAMES: Readonly<Record<BaseFieldKind, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  list: 'a list',
  record: 'an object',
};
