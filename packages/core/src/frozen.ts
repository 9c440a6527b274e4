import type { Result } from './errors.js';

/**
 * The one frozen empty list, for any element type: validators and renderers return it instead of making a
 * new empty list each time.
 *
 * @example
 * ```ts
 * const ports: readonly PortForward[] = EMPTY_LIST;
 * ```
 */
export const EMPTY_LIST: readonly never[] = Object.freeze([]);

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * Freezes a value and everything in it, in place, and returns it. Meant for values the caller built
 * itself and shares (through a cache, or as a validated value), so that no holder can change it under
 * another.
 *
 * @example
 * ```ts
 * Object.isFrozen(deepFreeze({ a: [1] }).a); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (!isObject(value)) return value;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
  return value;
}

/**
 * A deep copy of plain data (objects, arrays, and the primitives in them), frozen all the way down: a
 * value that no longer shares anything with its input, so that its holder knows it cannot change.
 *
 * @example
 * ```ts
 * const input = { ports: [80] };
 * const copy = frozenCopy(input);
 * Object.isFrozen(copy.ports) && !Object.isFrozen(input); // true
 * ```
 */
export function frozenCopy<T>(value: T): T {
  if (!isObject(value)) return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return EMPTY_LIST as T;
    const copy: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = frozenCopy(value[index]);
    return Object.freeze(copy) as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value)
    if (Object.hasOwn(value, key)) copy[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(copy) as T;
}

/**
 * A writable view of a readonly type, for building a value field by field before it is frozen.
 *
 * @example
 * ```ts
 * const limits: Mutable<MemoryLimits> = {};
 * limits.max = { kind: 'bytes', bytes: 2 ** 31 };
 * Object.freeze(limits);
 * ```
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A validator that checks each value once ({@link rememberValidated}), and can say what it returned. */
export interface RememberingValidator<T, A extends readonly unknown[]> {
  (value: T, ...rest: A): Result<T>;
  /**
   * Whether `value` is one this validator returned: valid and frozen all the way down, so that what is
   * derived from it (a resolution, a rendered text) can be kept for as long as the value lives.
   */
  readonly accepts: (value: unknown) => boolean;
}

/**
 * Wraps a validator so that what it accepts is checked once. The validator must return a value that is
 * frozen all the way down and shares nothing with its input (built new, or {@link frozenCopy}); that
 * value, validated again (by a renderer, or a later layer), is accepted at once: it cannot have changed.
 * Any other value is checked. The extra arguments must only shape error reports (such as the input
 * path), never whether a value is accepted.
 *
 * @example
 * ```ts
 * const validatePort = rememberValidated((port: { n: number }) =>
 *   port.n > 0 ? ok(frozenCopy(port)) : fail(new VoltError('INVALID_PORT', 'a port is above 0')),
 * );
 * const first = validatePort({ n: 80 }); // checked; first.value is a frozen copy
 * first.ok && validatePort(first.value).ok; // true, and not checked again
 * first.ok && validatePort.accepts(first.value); // true
 * ```
 */
export function rememberValidated<T, A extends readonly unknown[]>(
  validate: (value: T, ...rest: A) => Result<T>,
): RememberingValidator<T, A> {
  const stamp = privateStamp();
  const accepts = (value: unknown): boolean => isObject(value) && stamp.has(value);
  const remembering = (value: T, ...rest: A): Result<T> => {
    if (accepts(value)) return { ok: true, value };
    const result = validate(value, ...rest);
    if (result.ok && isObject(result.value)) stamp.add(result.value);
    return result;
  };
  return Object.assign(remembering, { accepts });
}

/** Returns the object it is given, so that a subclass's constructor adds its private field to that object. */
class PrivateFieldAdder {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: returning the target is what adds the field to it
    return target;
  }
}

/**
 * A mark that only its holder can set and read: a private class field added to the objects it marks. It
 * is invisible to reflection, copying and serialisation, and much cheaper than a WeakSet on this engine.
 * Where the engine refuses a private field on a frozen object, such objects are kept in a WeakSet.
 */
function privateStamp(): { readonly add: (value: object) => void; readonly has: (value: object) => boolean } {
  const frozenOnes = new WeakSet<object>();
  let frozenOnesUsed = false;
  class Stamped extends PrivateFieldAdder {
    readonly #stamped = true;
    static has(value: object): boolean {
      return #stamped in value;
    }
  }
  return {
    add: (value) => {
      try {
        new Stamped(value);
      } catch {
        frozenOnes.add(value);
        frozenOnesUsed = true;
      }
    },
    has: (value) => Stamped.has(value) || (frozenOnesUsed && frozenOnes.has(value)),
  };
}
