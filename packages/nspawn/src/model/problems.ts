import { formatInputPath, type InputPath, isRecord, type VoltError, type VoltErrorCode } from '@volt/core';
import type { ProfileSource } from '@volt/core/profile';

/** One problem of a profile file, where it was written. */
export interface ProfileProblem {
  /** Where it was written: line and column, counted from 1. */
  readonly line: number;
  readonly column: number;
  readonly code: VoltErrorCode;
  /** The input path as a user writes it (`resources.memory.max`); empty for the document as a whole. */
  readonly path: string;
  /** What was wrong, and what is accepted. */
  readonly message: string;
  readonly hint?: string;
}

/** A JSON Schema node, as far as the walk below reads it. */
interface SchemaNode {
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
}

/** The schema nodes a value at `path` may match (every branch of a union). */
function schemaNodesAt(schema: SchemaNode, path: InputPath): readonly SchemaNode[] {
  const branches = (node: SchemaNode): SchemaNode[] => {
    const alternatives = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
    return [node, ...alternatives.flatMap(branches)];
  };
  let nodes = branches(schema);
  for (const key of path) {
    nodes = nodes.flatMap((node) => {
      const next =
        typeof key === 'number'
          ? node.items
          : (node.properties?.[key] ??
            (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined));
      return next === undefined ? [] : branches(next);
    });
  }
  return nodes;
}

/**
 * The keys the schema accepts in a map at `path`, or undefined where any key is accepted (a map of
 * environment variables) or the schema has no map there.
 *
 * @example
 * ```ts
 * acceptedKeys(profileJsonSchema(), ['resources', 'tasks']); // ['max']
 * ```
 */
export function acceptedKeys(schema: SchemaNode, path: InputPath): readonly string[] | undefined {
  const maps = schemaNodesAt(schema, path).filter((node) => node.properties !== undefined);
  if (maps.length === 0 || maps.some((node) => typeof node.additionalProperties === 'object'))
    return undefined;
  return [...new Set(maps.flatMap((node) => Object.keys(node.properties ?? {})))];
}

/** The value at `path` in a document, or undefined. */
function valueAt(document: unknown, path: InputPath): unknown {
  let value = document;
  for (const key of path) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isRecord(value) && typeof key === 'string' && Object.hasOwn(value, key)) value = value[key];
    else return undefined;
  }
  return value;
}

/**
 * Places each problem of a profile where it was written in the file. A problem at a key that is not
 * written is placed at the map or list that would hold it; a problem at a map that holds keys the profile
 * schema does not accept (an unknown key, a typo) at the first of those keys, with the keys it accepts.
 *
 * @example
 * ```ts
 * const loaded = await loadProfileSource('name: web\nresources:\n  memroy: {}\n');
 * locateProblems(loaded.value, validateIsolation(loaded.value.document), profileJsonSchema());
 * // [{ line: 3, column: 3, code: 'INVALID_PROFILE', path: 'resources', message: 'unknown key(s) "memroy"; accepted keys: delegate, memory, …' }]
 * ```
 */
export function locateProblems(
  source: ProfileSource,
  issues: readonly VoltError[],
  schema: SchemaNode,
): readonly ProfileProblem[] {
  return issues.map((issue) => {
    const value = valueAt(source.document, issue.path);
    const accepted =
      issue.code === 'INVALID_PROFILE' && isRecord(value) ? acceptedKeys(schema, issue.path) : undefined;
    const unknown =
      accepted === undefined
        ? undefined
        : Object.keys(value as object).find((key) => !accepted.includes(key));
    const { line, column } =
      unknown === undefined
        ? source.positionOf(issue.path)
        : source.positionOf([...issue.path, unknown], 'key');
    return {
      line,
      column,
      code: issue.code,
      path: formatInputPath(issue.path),
      message:
        unknown === undefined || accepted === undefined
          ? issue.message
          : `${issue.message}; accepted keys: ${accepted.join(', ')}`,
      ...(issue.hint === undefined ? {} : { hint: issue.hint }),
    };
  });
}
