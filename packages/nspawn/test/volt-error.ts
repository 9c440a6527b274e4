import { VoltError } from '@volt/core';

/**
 * The VoltError `run` throws; fails the test when it throws nothing or something else.
 *
 * @example
 * ```ts
 * expect(voltErrorOf(() => renderPlan(config, {})).code).toBe('INVALID_VALUE');
 * ```
 */
export function voltErrorOf(run: () => unknown): VoltError {
  try {
    run();
  } catch (error) {
    if (VoltError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a VoltError, but nothing was thrown');
}
