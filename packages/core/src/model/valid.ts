/**
 * The mark of a checked value: a private field, which no object literal can have and no spread copies, so
 * that `{ ...valid, field: 'changed' }` is not valid any more.
 */
// biome-ignore lint/correctness/noUnusedPrivateClassMembers: the field is the mark; nothing reads it
declare class ValidMark {
  #valid: true;
}

/**
 * A value that went through its parser. Only the parse functions of the Volt packages return one
 * (`parseResourceLimits`, `parseSeccompConfig`, `parseIsolation`, …), and the renderers accept nothing
 * else, so that a renderer never checks its input again. The mark exists for the type checker only: at
 * run time a `Valid<T>` is the plain `T`, and a parser marks what it built with `as Valid<T>`. A copy
 * made by spreading a valid value is not valid: it has to go through its parser again.
 *
 * @example
 * ```ts
 * const limits: Valid<ResourceLimits> = unwrap(parseResourceLimits({ memory: { max: '2G' } }));
 * ```
 */
export type Valid<T> = T & ValidMark;
