// Assertion helpers shared by core's unit tests.
import { type Result, VoltError } from '../src/errors.js';

/**
 * The value of a Result that must be ok.
 *
 * @throws Error naming the code and message when the Result failed.
 * @example
 * ```ts
 * value(parsePort('80')); // 80
 * ```
 */
export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/**
 * The code and message of a Result that must have failed.
 *
 * @throws Error showing the value when the Result was ok.
 * @example
 * ```ts
 * rejected(parsePort('0')).code; // 'INVALID_PORT'
 * ```
 */
export function rejected<T>(result: Result<T>): { code: string; message: string } {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return { code: result.error.code, message: result.error.message };
}

/**
 * The VoltError a function throws.
 *
 * @throws Error when it throws nothing, or something that is not a VoltError (rethrown).
 * @example
 * ```ts
 * thrown(() => unwrap(parsePort('0'))).code; // 'INVALID_PORT'
 * ```
 */
export function thrown(run: () => unknown): VoltError {
  try {
    run();
  } catch (error) {
    if (VoltError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a VoltError');
}
