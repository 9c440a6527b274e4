/**
 * Every stable error code Volt raises. Codes never change meaning within a major version.
 *
 * Configuration codes mean "your input is wrong"; system codes mean "this host cannot do it".
 */
export const VOLT_ERROR_CODES = {
  // configuration: the input is wrong
  INVALID_PROFILE: 'config',
  INVALID_VALUE: 'config',
  INVALID_BYTE_SIZE: 'config',
  INVALID_PERCENTAGE: 'config',
  INVALID_CPU_LIST: 'config',
  INVALID_WEIGHT: 'config',
  INVALID_NUMBER: 'config',
  INVALID_DURATION: 'config',
  INVALID_PORT: 'config',
  INVALID_IP_ADDRESS: 'config',
  INVALID_SUBNET: 'config',
  INVALID_MACHINE_NAME: 'config',
  INVALID_INTERFACE_NAME: 'config',
  INVALID_PATH: 'config',
  INVALID_SYSCALL: 'config',
  INVALID_ACCESS_RIGHT: 'config',
  UNSAFE_STRING: 'config',
  UNKNOWN_PRESET: 'config',
  CONFLICT: 'config',
  PARSE_ERROR: 'config',
  // usage: the command line is wrong
  USAGE: 'usage',
  // system: the host cannot do what was asked
  UNSUPPORTED: 'system',
  NOT_FOUND: 'system',
  PERMISSION_DENIED: 'system',
  BUSY: 'system',
  SYSTEM_ERROR: 'system',
  COMMAND_FAILED: 'system',
} as const;

/** A stable error code; see {@link VOLT_ERROR_CODES}. */
export type VoltErrorCode = keyof typeof VOLT_ERROR_CODES;

/** Which side is at fault: the input (`config`), the command line (`usage`) or the host (`system`). */
export type VoltErrorCategory = (typeof VOLT_ERROR_CODES)[VoltErrorCode];

/** A location inside the input, e.g. `["resources", "memory", "max"]`. */
export type InputPath = readonly (string | number)[];

/** Options for {@link VoltError}. */
export interface VoltErrorOptions {
  /** Where in the input the problem is. Empty when the input as a whole is meant. */
  readonly path?: InputPath;
  /** What the user can do next. */
  readonly hint?: string;
  /** The underlying error, e.g. a Node system error. */
  readonly cause?: unknown;
}

const VOLT_ERROR_MARK = Symbol.for('@volt/core/VoltError');

/**
 * The one error class of Volt: a stable `code`, the `path` into the input, a message that says what was
 * wrong and what is accepted, and an optional `hint`.
 *
 * Use {@link VoltError.isInstance} rather than `instanceof`: it also recognises errors created by another
 * copy of `@volt/core` in the same process.
 *
 * @example
 * ```ts
 * const error = new VoltError('INVALID_PORT', 'port 70000 is out of range; accepted: 1..65535', {
 *   path: ['network', 'ports', 0, 'hostPort'],
 * });
 * error.category; // 'config'
 * formatVoltError(error); // 'INVALID_PORT at network.ports[0].hostPort: port 70000 is out of range; ...'
 * ```
 */
export class VoltError extends Error {
  /** The stable error code. */
  readonly code: VoltErrorCode;
  /** Where in the input the problem is. */
  readonly path: InputPath;
  /** What the user can do next, if there is something to say. */
  readonly hint: string | undefined;

  constructor(code: VoltErrorCode, message: string, options: VoltErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VoltError';
    this.code = code;
    this.path = options.path ?? [];
    this.hint = options.hint;
    Object.defineProperty(this, VOLT_ERROR_MARK, { value: true });
  }

  /** `config`, `usage` or `system`: whose fault it is. */
  get category(): VoltErrorCategory {
    return VOLT_ERROR_CODES[this.code];
  }

  /**
   * A copy of this error located under `prefix`, for parsers that are called on a part of the input.
   *
   * @example
   * ```ts
   * parseByteSize('2GB').error?.at(['resources', 'memory', 'max']).path; // ['resources','memory','max']
   * ```
   */
  at(prefix: InputPath): VoltError {
    return new VoltError(this.code, this.message, {
      path: [...prefix, ...this.path],
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      cause: this,
    });
  }

  /**
   * True for any VoltError, also one made by another copy of this package.
   *
   * @example
   * ```ts
   * try { parseMachineName('a/b', true); } catch (e) { if (VoltError.isInstance(e)) console.error(e.code); }
   * ```
   */
  static isInstance(value: unknown): value is VoltError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[VOLT_ERROR_MARK] === true
    );
  }
}

/** Renders an input path the way a user writes it: `network.ports[0].hostPort`. */
export function formatInputPath(path: InputPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += `[${JSON.stringify(part)}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/**
 * One line for a terminal: code, input path, message and hint.
 *
 * @example
 * ```ts
 * formatVoltError(new VoltError('INVALID_PORT', 'must be 1..65535', { path: ['network', 'ports', 0] }));
 * // 'INVALID_PORT at network.ports[0]: must be 1..65535'
 * ```
 */
export function formatVoltError(error: VoltError): string {
  const where = error.path.length > 0 ? ` at ${formatInputPath(error.path)}` : '';
  const hint = error.hint === undefined ? '' : ` (hint: ${error.hint})`;
  return `${error.code}${where}: ${error.message}${hint}`;
}

/** The outcome of a non-throwing parse: a value, or every problem found. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: VoltError; readonly issues: readonly VoltError[] };

/**
 * A successful {@link Result}.
 *
 * @example
 * ```ts
 * ok(5); // { ok: true, value: 5 }
 * ```
 */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/**
 * A failed {@link Result} carrying one or more errors; `error` is the first.
 *
 * @example
 * ```ts
 * fail(new VoltError('INVALID_PORT', 'must be 1..65535')).ok; // false
 * ```
 */
export function fail<T = never>(error: VoltError, ...more: VoltError[]): Result<T> {
  return { ok: false, error, issues: [error, ...more] };
}

/**
 * The failed {@link Result} for every problem a validator collected, or undefined when it found none.
 *
 * @example
 * ```ts
 * const issues: VoltError[] = [];
 * failAll(issues); // undefined
 * issues.push(new VoltError('INVALID_PORT', 'must be 1..65535'));
 * failAll(issues)?.ok; // false
 * ```
 */
export function failAll<T = never>(issues: readonly VoltError[]): Result<T> | undefined {
  const first = issues[0];
  return first === undefined ? undefined : { ok: false, error: first, issues };
}

/**
 * The value of a Result, or its first error thrown.
 *
 * @throws {@link VoltError} the Result's first error.
 * @example
 * ```ts
 * unwrap(parsePort('80')); // 80
 * ```
 */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}
