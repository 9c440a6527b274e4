import { type InputPath, isRecord } from '@volt/core';
import type { ProfileLayer, ProfileSource } from './layers.js';

/**
 * How one field of a profile is merged when a later layer (a preset over the defaults, a file over what
 * it extends, the command line over a file) writes it again:
 *
 * - `replace`: the later value replaces the earlier one as a whole (a scalar, or a list that is one
 *   setting, such as a command).
 * - `merge`: a map merged key by key, each key by its own row (a key without a row: a map merges, any
 *   other value replaces).
 * - `part`: a part with a short form, merged as a map; `shortForm: 'replaces'` — a name (`none`, a preset)
 *   replaces the whole part, and a map replaces an inherited name; `shortForm: KEY` — a name is read as
 *   `{ KEY: name }`.
 * - `by-key`: a list of entries, one per value of the entry's `key`: a later entry with the same key
 *   replaces the earlier one in its place, a new key is added at the end.
 * - `union`: a list of names: each name once, in the order first written.
 */
export type MergeRule =
  | { readonly kind: 'replace' }
  | { readonly kind: 'merge' }
  | { readonly kind: 'part'; readonly shortForm: 'replaces' | { readonly key: string } }
  | { readonly kind: 'by-key'; readonly key: string }
  | { readonly kind: 'union' };

/** One row of {@link PROFILE_MERGE_RULES}: a field (its path in the profile, dotted) and its rule. */
export interface MergeRow {
  readonly field: string;
  readonly rule: MergeRule;
  /** Why this rule, for the documentation. */
  readonly why: string;
}

const replace = { kind: 'replace' } as const;
const merge = { kind: 'merge' } as const;

/**
 * The merge rule of every field, one row each; a field without a row merges as a map when it is one and
 * is replaced otherwise. Every list field has a row (a unit test checks the profile's JSON Schema), so a
 * new profile field slots in by adding its row here.
 *
 * @example
 * ```ts
 * PROFILE_MERGE_RULES.find((row) => row.field === 'landlock.paths')?.rule; // { kind: 'by-key', key: 'path' }
 * ```
 */
export const PROFILE_MERGE_RULES: readonly MergeRow[] = [
  { field: 'name', rule: replace, why: 'a scalar: the later value wins' },
  { field: 'rootfs', rule: replace, why: 'a scalar: the later value wins' },
  { field: 'boot', rule: replace, why: 'a scalar: the later value wins' },
  { field: 'command', rule: replace, why: 'one argument list: the later layer gives all of it' },
  { field: 'workloadUnit', rule: replace, why: 'a scalar: the later value wins' },
  { field: 'environment', rule: merge, why: 'by variable name: a later layer sets or replaces a variable' },
  {
    field: 'landlock',
    rule: { kind: 'part', shortForm: 'replaces' },
    why: '`none` or a preset name replaces the whole part; a map merges into an inherited map and replaces an inherited name, so rules written without a preset never gain one',
  },
  { field: 'landlock.handledFs', rule: replace, why: 'one set of handled rights' },
  { field: 'landlock.handledNet', rule: replace, why: 'one set of handled rights' },
  {
    field: 'landlock.paths',
    rule: { kind: 'by-key', key: 'path' },
    why: 'by path: a later rule for the same path replaces its rights',
  },
  {
    field: 'landlock.ports',
    rule: { kind: 'by-key', key: 'port' },
    why: 'by port: a later rule for the same port replaces its rights',
  },
  { field: 'landlock.scopes', rule: replace, why: 'one set of scopes' },
  { field: 'landlock.logFlags', rule: replace, why: 'one set of flags' },
  {
    field: 'seccomp',
    rule: { kind: 'part', shortForm: { key: 'profile' } },
    why: 'a profile name is `{ profile: NAME }`, so lists added later keep the inherited profile',
  },
  {
    field: 'seccomp.allow',
    rule: { kind: 'union' },
    why: 'every layer adds names; the merged lists read as one profile (a denial wins over an allowance)',
  },
  {
    field: 'seccomp.deny',
    rule: { kind: 'union' },
    why: 'every layer adds names; a later layer cannot take back a denial',
  },
  { field: 'seccomp.action', rule: replace, why: 'one action' },
  { field: 'resources', rule: merge, why: 'limit by limit' },
  { field: 'resources.cpu.allowedCpus', rule: replace, why: 'one CPU set' },
  { field: 'resources.cpu.allowedMemoryNodes', rule: replace, why: 'one node set' },
  {
    field: 'resources.io.devices',
    rule: { kind: 'by-key', key: 'device' },
    why: 'by device: a later entry for the same device replaces its limits',
  },
  { field: 'network', rule: merge, why: 'setting by setting' },
  {
    field: 'network.ports',
    rule: { kind: 'union' },
    why: 'every layer adds forwards (the same forward once)',
  },
  { field: 'network.dns', rule: replace, why: 'one ordered list of servers' },
  { field: 'network.searchDomains', rule: replace, why: 'one ordered list of domains' },
  { field: 'privateUsers', rule: replace, why: 'a scalar: the later value wins' },
  { field: 'readOnlyRoot', rule: replace, why: 'a scalar: the later value wins' },
];

/** A merged value with the layer it came from (an index into the layers). */
export interface MergeLeaf {
  readonly value: unknown;
  readonly layer: number;
}

/** The merge of a profile's layers, kept as a tree so that each final value knows its layer. */
export type MergeNode =
  | ({ readonly kind: 'value' } & MergeLeaf)
  | { readonly kind: 'map'; readonly fields: ReadonlyMap<string, MergeNode> }
  | { readonly kind: 'list'; readonly items: readonly (MergeLeaf & { readonly key: string })[] };

/**
 * The layers of a profile merged by {@link PROFILE_MERGE_RULES}: the merged document, and for each final
 * value the layer it came from. Made by {@link mergeProfileLayers}.
 */
export interface MergedProfile {
  readonly layers: readonly ProfileLayer[];
  readonly root: MergeNode | undefined;
}

function ruleFor(field: string): MergeRule {
  return PROFILE_MERGE_RULES.find((row) => row.field === field)?.rule ?? merge;
}

/** The key of a `by-key` entry, or a key of its own when it has none (the schema reports it). */
function entryKey(entry: unknown, key: string, layer: number, index: number): string {
  const value = isRecord(entry) ? entry[key] : undefined;
  return typeof value === 'string' || typeof value === 'number'
    ? JSON.stringify(value)
    : `#${layer}.${index}`;
}

function mergeMap(
  node: MergeNode | undefined,
  value: Readonly<Record<string, unknown>>,
  layer: number,
  field: string,
): MergeNode {
  const fields = new Map(node?.kind === 'map' ? node.fields : []);
  for (const [key, child] of Object.entries(value)) {
    const merged = mergeValue(fields.get(key), child, layer, field === '' ? key : `${field}.${key}`);
    if (merged !== undefined) fields.set(key, merged);
  }
  return { kind: 'map', fields };
}

function mergeList(
  node: MergeNode | undefined,
  value: readonly unknown[],
  layer: number,
  keyOf: (entry: unknown, index: number) => string,
  replaces: boolean,
): MergeNode {
  const items = [...(node?.kind === 'list' ? node.items : [])];
  for (const [index, entry] of value.entries()) {
    const key = keyOf(entry, index);
    const at = items.findIndex((item) => item.key === key);
    if (at === -1) items.push({ key, value: entry, layer });
    else if (replaces) items[at] = { key, value: entry, layer };
  }
  return { kind: 'list', items };
}

/** `value` (from `layer`) laid over `node` at `field`, by the field's rule. `undefined` writes nothing. */
function mergeValue(
  node: MergeNode | undefined,
  value: unknown,
  layer: number,
  field: string,
): MergeNode | undefined {
  if (value === undefined) return node;
  const rule = ruleFor(field);
  const whole: MergeNode = { kind: 'value', value, layer };
  switch (rule.kind) {
    case 'replace':
      return whole;
    case 'merge':
      return isRecord(value) ? mergeMap(node, value, layer, field) : whole;
    case 'part':
      if (typeof value === 'string' && rule.shortForm !== 'replaces') {
        return mergeMap(node, { [rule.shortForm.key]: value }, layer, field);
      }
      return isRecord(value) ? mergeMap(node, value, layer, field) : whole;
    case 'by-key':
      return Array.isArray(value)
        ? mergeList(node, value, layer, (entry, index) => entryKey(entry, rule.key, layer, index), true)
        : whole;
    case 'union':
      return Array.isArray(value)
        ? mergeList(node, value, layer, (entry) => JSON.stringify(entry), false)
        : whole;
  }
}

/**
 * Merges a profile's layers, lowest first, field by field as {@link PROFILE_MERGE_RULES} says. The layers'
 * documents are merged as they are (their `extends:` already resolved); what is not a map is left for the
 * profile schema to refuse.
 *
 * @example
 * ```ts
 * const merged = mergeProfileLayers([
 *   { source: { kind: 'default' }, document: { resources: { memory: { high: '1G' } } } },
 *   { source: { kind: 'profile' }, document: { resources: { tasks: { max: 64 } } } },
 * ]);
 * mergedDocument(merged); // { resources: { memory: { high: '1G' }, tasks: { max: 64 } } }
 * ```
 */
export function mergeProfileLayers(layers: readonly ProfileLayer[]): MergedProfile {
  let root: MergeNode | undefined;
  for (const [layer, { document }] of layers.entries()) root = mergeValue(root, document, layer, '');
  return { layers, root };
}

function documentOf(node: MergeNode): unknown {
  switch (node.kind) {
    case 'value':
      return node.value;
    case 'map':
      return Object.fromEntries([...node.fields].map(([key, child]) => [key, documentOf(child)]));
    case 'list':
      return node.items.map((item) => item.value);
  }
}

/**
 * The merged document, as one profile document: what the profile schema validates; with `under`, the part
 * at that path (a field of maps), or undefined when nothing is there.
 *
 * @example
 * ```ts
 * mergedDocument(mergeProfileLayers([{ source: { kind: 'profile' }, document: { seccomp: 'strict' } }]));
 * // { seccomp: { profile: 'strict' } }
 * ```
 */
export function mergedDocument(merged: MergedProfile, under: readonly string[] = []): unknown {
  const node = nodeAt(merged, under);
  if (node === undefined) return under.length === 0 ? {} : undefined;
  return documentOf(node);
}

function nodeAt(merged: MergedProfile, path: InputPath): MergeNode | undefined {
  let node = merged.root;
  for (const key of path) node = node?.kind === 'map' ? node.fields.get(String(key)) : undefined;
  return node;
}

/** Every final value (a scalar, a list replaced as a whole, or one entry of a merged list) with its layer. */
function leavesOf(node: MergeNode, path: InputPath): (MergeLeaf & { readonly path: InputPath })[] {
  switch (node.kind) {
    case 'value':
      return [{ path, value: node.value, layer: node.layer }];
    case 'map':
      return [...node.fields].flatMap(([key, child]) => leavesOf(child, [...path, key]));
    case 'list':
      return node.items.map((item, index) => ({
        path: [...path, index],
        value: item.value,
        layer: item.layer,
      }));
  }
}

/** A final value of a merged profile and the source it came from. */
export interface MergedValue {
  /** Where the value is in the merged document (an entry of a merged list by its index there). */
  readonly path: InputPath;
  readonly value: unknown;
  readonly source: ProfileSource;
}

/**
 * The final values at or under `under` (a field of maps), each with the index of its layer: what the
 * composition's rules (defaults that yield, errors named by their source) look at.
 *
 * @example
 * ```ts
 * mergedLeaves(mergeProfileLayers([{ source: { kind: 'profile' }, document: { boot: false } }]), ['boot']);
 * // [{ path: ['boot'], value: false, layer: 0 }]
 * ```
 */
export function mergedLeaves(
  merged: MergedProfile,
  under: InputPath = [],
): readonly (MergeLeaf & { readonly path: InputPath })[] {
  const node = nodeAt(merged, under);
  return node === undefined ? [] : leavesOf(node, under);
}

/**
 * Every final value of a merged profile, in document order, with the source it came from.
 *
 * @example
 * ```ts
 * mergedValues(mergeProfileLayers([{ source: { kind: 'profile' }, document: { boot: false } }]));
 * // [{ path: ['boot'], value: false, source: { kind: 'profile' } }]
 * ```
 */
export function mergedValues(merged: MergedProfile): readonly MergedValue[] {
  return mergedLeaves(merged).map(({ path, value, layer }) => ({
    path,
    value,
    source: (merged.layers[layer] as ProfileLayer).source,
  }));
}

function withoutNode(node: MergeNode | undefined, path: readonly string[]): MergeNode | undefined {
  const [key, ...rest] = path;
  if (node?.kind !== 'map' || key === undefined) return node;
  const fields = new Map(node.fields);
  const child = rest.length === 0 ? undefined : withoutNode(fields.get(key), rest);
  if (child === undefined) fields.delete(key);
  else fields.set(key, child);
  return { kind: 'map', fields };
}

/**
 * The merged profile without what is at `path` (a field of maps): how a default yields.
 *
 * @example
 * ```ts
 * mergedDocument(withoutField(mergeProfileLayers([{ source: { kind: 'default' }, document: { boot: true } }]), ['boot'])); // {}
 * ```
 */
export function withoutField(merged: MergedProfile, path: readonly string[]): MergedProfile {
  return { layers: merged.layers, root: withoutNode(merged.root, path) };
}
