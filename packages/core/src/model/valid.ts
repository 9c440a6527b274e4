declare const VALID: unique symbol;

/**
 * A value that went through its parser. Only the parse functions of the Volt packages return one
 * (`parseResourceLimits`, `parseSeccompConfig`, `parseIsolation`, …), and the renderers accept nothing
 * else, so that a renderer never checks its input again. The mark exists for the type checker only: at
 * run time a `Valid<T>` is the plain `T`, and a parser marks what it built with `as Valid<T>`.
 *
 * @example
 * ```ts
 * const limits: Valid<ResourceLimits> = unwrap(parseResourceLimits({ memory: { max: '2G' } }));
 * ```
 */
export type Valid<T> = T & { readonly [VALID]: true };
