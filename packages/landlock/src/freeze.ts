/**
 * Freezes a value and everything in it, and returns it: a value shared through a cache must not be
 * changed by one of its users.
 *
 * @example
 * ```ts
 * Object.isFrozen(deepFrozen({ a: [1] }).a); // true
 * ```
 */
export function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFrozen(inner);
  }
  return value;
}
