import { describeValue, fail, isRecord, ok, type Result, VoltError } from '@volt/core';
import { parseProfileExtends } from '@volt/core/profile';
import { findPreset, PROFILE_PRESETS, type ProfilePreset, presetId } from './presets.js';

/**
 * Where a layer of a profile comes from: Volt's defaults, a built-in preset, a profile file (the one
 * named, or one it extends), a document given in code, or the command line's flags.
 */
export type ProfileSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'preset'; readonly name: string; readonly version: number }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'profile' }
  | { readonly kind: 'flags' };

/** One profile document and where it comes from; a profile is a list of them, lowest first. */
export interface ProfileLayer {
  readonly source: ProfileSource;
  readonly document: unknown;
}

/**
 * How far `extends:` may reach from the profile named: a chain of files at most `depth` long (the profile
 * itself counts), and at most `files` files in all. `PROFILE_LIMITS.extends` (core) caps one list.
 *
 * @example
 * ```ts
 * EXTENDS_LIMITS.depth; // 8
 * ```
 */
export const EXTENDS_LIMITS: { readonly depth: number; readonly files: number } = { depth: 8, files: 32 };

/**
 * A source as provenance and error messages name it.
 *
 * @example
 * ```ts
 * describeSource({ kind: 'preset', name: 'strict-app', version: 1 }); // 'strict-app@1'
 * describeSource({ kind: 'file', path: 'examples/web.yaml' }); // 'examples/web.yaml'
 * ```
 */
export function describeSource(source: ProfileSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'preset':
      return presetId(source);
    case 'file':
      return source.path;
    case 'profile':
      return 'profile';
    case 'flags':
      return 'command line';
  }
}

/** What one `extends:` entry names: a built-in preset, or a profile file (the path as written). */
export type ExtendsReference =
  | { readonly kind: 'preset'; readonly preset: ProfilePreset }
  | { readonly kind: 'file'; readonly path: string };

/** Whether an `extends:` entry names a file: it starts with `/`, `./` or `../`. */
function namesFile(entry: string): boolean {
  return entry.startsWith('/') || entry.startsWith('./') || entry.startsWith('../');
}

/**
 * What a profile document's `extends:` names, in its order: presets (a bare name is version 1) and files
 * (a path starting with `/`, `./` or `../`, as written; the reader resolves it against the extending
 * file's directory). A document without `extends:` names nothing.
 *
 * @example
 * ```ts
 * extendsReferences({ extends: ['strict-app', './base.yaml'] });
 * // { ok: true, value: [{ kind: 'preset', preset: <strict-app@1> }, { kind: 'file', path: './base.yaml' }] }
 * extendsReferences({ extends: 'strict-ap' }).ok; // false, code UNKNOWN_PRESET at extends[0]
 * ```
 */
export function extendsReferences(document: unknown): Result<readonly ExtendsReference[]> {
  if (!isRecord(document) || document['extends'] === undefined) return ok([]);
  const entries = parseProfileExtends(document['extends']);
  if (!entries.ok) return entries;
  const references: ExtendsReference[] = [];
  const issues: VoltError[] = [];
  for (const [index, entry] of entries.value.entries()) {
    if (namesFile(entry)) {
      references.push({ kind: 'file', path: entry });
      continue;
    }
    const preset = findPreset(entry);
    if (preset !== undefined) references.push({ kind: 'preset', preset });
    else
      issues.push(
        new VoltError(
          'UNKNOWN_PRESET',
          `${describeValue(entry)} is not a built-in preset; accepted: ${[...new Set(PROFILE_PRESETS.map((known) => known.name))].join(', ')} (NAME means NAME@1; versions: ${PROFILE_PRESETS.map(presetId).join(', ')}), or a profile file (a path starting with ./, ../ or /)`,
          { path: ['extends', index], hint: 'to name a file in the same directory, write ./NAME' },
        ),
      );
  }
  const [first, ...rest] = issues;
  return first === undefined ? ok(references) : fail(first, ...rest);
}

/**
 * A document without its `extends:` key: what is merged once the references are resolved.
 *
 * @example
 * ```ts
 * withoutExtends({ extends: 'strict-app', name: 'job' }); // { name: 'job' }
 * ```
 */
export function withoutExtends(document: unknown): unknown {
  if (!isRecord(document) || !('extends' in document)) return document;
  const { extends: _, ...rest } = document;
  return rest;
}

/**
 * A preset as a layer of a profile.
 *
 * @example
 * ```ts
 * presetLayer(PROFILE_PRESETS[2]).source; // { kind: 'preset', name: 'strict-app', version: 1 }
 * ```
 */
export function presetLayer(preset: ProfilePreset): ProfileLayer {
  return {
    source: { kind: 'preset', name: preset.name, version: preset.version },
    document: preset.document,
  };
}

/**
 * The layers of documents given in code: each layer's `extends:` presets laid under it (a preset named
 * twice is merged once, at its first place), the `extends:` keys removed. Files cannot be read here: a
 * document given in code that names one is refused (a profile file is read with `readProfileLayers`, which
 * resolves its files and gives layers without `extends:`).
 *
 * @example
 * ```ts
 * presetExtendsResolved([{ source: { kind: 'profile' }, document: { extends: 'strict-app', command: ['/bin/job'] } }]);
 * // { ok: true, value: [<strict-app@1 layer>, { source: { kind: 'profile' }, document: { command: ['/bin/job'] } }] }
 * ```
 */
export function presetExtendsResolved(layers: readonly ProfileLayer[]): Result<readonly ProfileLayer[]> {
  const resolved: ProfileLayer[] = [];
  const presets = new Set<ProfilePreset>();
  for (const layer of layers) {
    const references = extendsReferences(layer.document);
    if (!references.ok) return references;
    for (const [index, reference] of references.value.entries()) {
      if (reference.kind === 'file') {
        return fail(
          new VoltError(
            'INVALID_VALUE',
            `${describeValue(reference.path)} names a profile file, which a document given in code cannot extend; accepted: a built-in preset (${PROFILE_PRESETS.map(presetId).join(', ')})`,
            {
              path: ['extends', index],
              hint: 'read the profile file with readProfileLayers (volt render --profile, apply and run do)',
            },
          ),
        );
      }
      if (presets.has(reference.preset)) continue;
      presets.add(reference.preset);
      resolved.push(presetLayer(reference.preset));
    }
    resolved.push({ source: layer.source, document: withoutExtends(layer.document) });
  }
  return ok(resolved);
}
