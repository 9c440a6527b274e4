import { dirname, join, resolve } from 'node:path';
import { type InputPath, unwrap, type ValidIsolation, VoltError } from '@volt/core';
import {
  loadProfileDocument,
  loadProfileSource,
  PROFILE_LIMITS,
  profileJsonSchema,
  type SourcePosition,
} from '@volt/core/profile';
import { leaseContainerAddress } from '@volt/netns';
import { type ComposedIsolation, composeIsolation } from '../model/isolation.js';
import {
  EXTENDS_LIMITS,
  extendsReferences,
  type ProfileLayer,
  presetLayer,
  withoutExtends,
} from '../model/layers.js';
import type { ProfileOrigin } from '../model/manifest.js';
import { presetId } from '../model/presets.js';
import { locateProblems, type ProfileProblem } from '../model/problems.js';
import { type IsolationPlan, type PlanTarget, renderPlan } from '../render/plan.js';
import { planTargetFor } from './target.js';

/** The name used when neither the profile nor the caller names the container. */
export const DEMO_CONTAINER_NAME = 'demo';

/** The default name, a layer under every other: a profile that names no container is {@link DEMO_CONTAINER_NAME}. */
const DEMO_NAME_LAYER: ProfileLayer = {
  source: { kind: 'default' },
  document: { name: DEMO_CONTAINER_NAME },
};

/**
 * Composes an untrusted profile (its layers, as {@link readProfileLayers} gives them, or one document in
 * a layer of its own) into a container's isolation and the report of the merge, named
 * {@link DEMO_CONTAINER_NAME} when no layer names it (a default of its own, in the report).
 *
 * @throws {@link VoltError} the first problem of the profile (every code of the profile schema).
 * @example
 * ```ts
 * isolationFromLayers([{ source: { kind: 'profile' }, document: { extends: 'strict-app', command: ['/bin/job'] } }])
 *   .isolation.name; // 'demo'
 * ```
 */
export function isolationFromLayers(layers: readonly ProfileLayer[]): ComposedIsolation {
  return unwrap(composeIsolation([DEMO_NAME_LAYER, ...layers]));
}

/**
 * Validates an untrusted profile document into a container's isolation, named {@link DEMO_CONTAINER_NAME}
 * when the document names none.
 *
 * @throws {@link VoltError} the first problem in the document (every code of the profile schema).
 * @example
 * ```ts
 * isolationFromDocument({ boot: false, command: ['/bin/app'] }).name; // 'demo'
 * ```
 */
export function isolationFromDocument(document: unknown): ValidIsolation {
  return isolationFromLayers([{ source: { kind: 'profile' }, document }]).isolation;
}

/**
 * Validates an untrusted profile (its layers, as {@link readProfileLayers} gives them), fills the
 * defaults and renders the plan for this host. With `leaseAddress`, a private container gets (or keeps)
 * its address on the bridge: that writes the lease.
 *
 * @throws {@link VoltError} the first problem in the profile (every code of the profile schema), or a
 *   rendering error.
 * @example
 * ```ts
 * const plan = await renderPlanFromLayers(await readProfileLayers('web.yaml'), { leaseAddress: true });
 * ```
 */
export async function renderPlanFromLayers(
  layers: readonly ProfileLayer[],
  options: { readonly target?: PlanTarget; readonly leaseAddress?: boolean } = {},
): Promise<IsolationPlan> {
  const config = isolationFromLayers(layers).isolation;
  const target = options.target ?? (await planTargetFor(config));
  if (
    options.leaseAddress === true &&
    config.network.mode === 'private' &&
    target.containerLease === undefined
  ) {
    const containerLease = await leaseContainerAddress(config.name, config.network);
    return renderPlan(config, { ...target, containerLease });
  }
  return renderPlan(config, target);
}

/**
 * {@link renderPlanFromLayers} for one profile document (from JSON or YAML, or built in code), which may
 * extend built-in presets.
 *
 * @throws {@link VoltError} the first problem in the document (every code of the profile schema), or a
 *   rendering error.
 * @example
 * ```ts
 * const plan = await renderPlanFromDocument({ name: 'web', network: { mode: 'none' } });
 * ```
 */
export async function renderPlanFromDocument(
  document: unknown,
  options: { readonly target?: PlanTarget; readonly leaseAddress?: boolean } = {},
): Promise<IsolationPlan> {
  return renderPlanFromLayers([{ source: { kind: 'profile' }, document }], options);
}

/**
 * Reads a profile file's text: at most `PROFILE_LIMITS.bytes` (1 MiB) are read, so that neither a huge
 * file nor an endless one (`/dev/zero`) is taken in whole. The path is the caller's own (a FIFO such as
 * `<(generate-profile)` works).
 */
async function readProfileText(file: string): Promise<{ readonly text: string; readonly regular: boolean }> {
  // Loaded here, not with the module: `volt render` without a profile file never reads one.
  const { open } = await import('node:fs/promises');
  const buffer = Buffer.alloc(PROFILE_LIMITS.bytes + 1);
  let length = 0;
  let regular = false;
  try {
    const handle = await open(file, 'r');
    try {
      regular = (await handle.stat()).isFile();
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VoltError('NOT_FOUND', `the profile ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
      hint:
        code === 'ENOENT'
          ? `check the path: a relative one starts at the current directory, ${process.cwd()}`
          : 'check that the file is readable by this user',
    });
  }
  if (length > PROFILE_LIMITS.bytes) {
    throw new VoltError(
      'PARSE_ERROR',
      `the profile ${file} is larger than ${PROFILE_LIMITS.bytes} bytes; accepted: a profile of at most ${PROFILE_LIMITS.bytes} bytes`,
    );
  }
  return { text: buffer.toString('utf8', 0, length), regular };
}

/**
 * Reads one profile file (YAML or JSON) as a document, its `extends:` left as written: at most
 * `PROFILE_LIMITS.bytes` (1 MiB) are read, so that neither a huge file nor an endless one (`/dev/zero`)
 * is taken in whole. The path is the caller's own (a FIFO such as `<(generate-profile)` works).
 *
 * @throws {@link VoltError} NOT_FOUND when the file cannot be read, PARSE_ERROR when it is larger than the
 *   limit or not YAML/JSON.
 * @example
 * ```ts
 * const document = await readProfileDocument('web.yaml'); // { name: 'web', ... }
 * ```
 */
export async function readProfileDocument(file: string): Promise<unknown> {
  return loadProfileDocument((await readProfileText(file)).text, file);
}

/** A profile file read as a document, its layers, and where it came from. */
export interface ProfileFile {
  /** The file's own document, its `extends:` as written. */
  readonly document: unknown;
  /** The layers of the profile, lowest first, as {@link readProfileLayers} gives them. */
  readonly layers: readonly ProfileLayer[];
  /**
   * The file's real path and the SHA-256 of the text read, for `applyPlan`'s record (what `volt list`
   * compares); null for what is not a regular file (a FIFO such as `<(generate-profile)`), which cannot be
   * read again.
   */
  readonly origin: ProfileOrigin | null;
}

/**
 * Reads a profile file as {@link readProfileDocument} does, the files and presets it extends as
 * {@link readProfileLayers} does, and where it came from.
 *
 * @throws {@link VoltError} as {@link readProfileDocument} and {@link readProfileLayers}.
 * @example
 * ```ts
 * const { layers, origin } = await readProfileFile('web.yaml');
 * await applyPlan(await renderPlanFromLayers(layers), origin === null ? {} : { profile: origin });
 * ```
 */
export async function readProfileFile(file: string): Promise<ProfileFile> {
  const { text, regular } = await readProfileText(file);
  const document = await loadProfileDocument(text, file);
  const layers = await profileLayersFrom(file, document);
  if (!regular) return { document, layers, origin: null };
  const { realpath } = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  return {
    document,
    layers,
    origin: {
      path: await realpath(file),
      sha256: createHash('sha256').update(text).digest('hex'),
    },
  };
}

/** A chain of files, each extending the next, as error messages name it: `a.yaml → b.yaml → c.yaml`. */
function describeChain(chain: readonly string[]): string {
  return chain.join(' → ');
}

/** `error`, about a file of `chain` (the last one) or its `extends:` entry `index`, naming the chain. */
function inChain(error: unknown, chain: readonly string[], path: InputPath): unknown {
  if (!VoltError.isInstance(error)) return error;
  return new VoltError(error.code, `${describeChain(chain)}: ${error.message}`, {
    path,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    cause: error,
  });
}

/**
 * Reads a profile file and everything it extends, as the layers of one profile, lowest first, each
 * without its `extends:`: for `extends: [A, B]`, A's layers, then B's, then the file. A preset is a layer
 * of its own; a file is read with {@link readProfileDocument} (1 MiB at most), its path resolved against
 * the directory of the file that names it. A file or preset reached twice (a diamond) is merged once, at
 * its first place. Refused, with one error naming the chain of files: a cycle, a chain deeper than
 * `EXTENDS_LIMITS.depth` files or more than `EXTENDS_LIMITS.files` files read in all, an unknown preset, a
 * file that cannot be read or parsed.
 *
 * @throws {@link VoltError} INVALID_PROFILE (cycle, too deep, too many files), UNKNOWN_PRESET, NOT_FOUND,
 *   PARSE_ERROR, or the form of `extends:` (INVALID_VALUE…), each naming the chain.
 * @example
 * ```ts
 * const layers = await readProfileLayers('examples/web-staging.yaml');
 * layers.map((layer) => layer.source);
 * // [{ kind: 'file', path: 'examples/web.yaml' }, { kind: 'file', path: 'examples/web-staging.yaml' }]
 * ```
 */
export async function readProfileLayers(file: string): Promise<readonly ProfileLayer[]> {
  return profileLayersFrom(file, await readProfileDocument(file));
}

/**
 * {@link readProfileLayers} of a file already read as `rootDocument` (read once: it may be a FIFO); the
 * files it extends are read here. Within the package only (`volt list` reads the recorded profile itself).
 *
 * @example
 * ```ts
 * const layers = await profileLayersFrom('web.yaml', { name: 'web', extends: 'server' });
 * layers.map((layer) => layer.source.kind); // ['preset', 'file']
 * ```
 */
export async function profileLayersFrom(
  file: string,
  rootDocument: unknown,
): Promise<readonly ProfileLayer[]> {
  const layers: ProfileLayer[] = [];
  const merged = new Set<string>();
  let filesRead = 0;
  // `chain`: the files that extend `path`, the first the profile named; `index`: the entry naming `path`.
  const visit = async (path: string, chain: readonly string[], index: number): Promise<void> => {
    const here = [...chain, path];
    const refuse = (message: string) =>
      inChain(new VoltError('INVALID_PROFILE', message), here, ['extends', index]);
    if (chain.some((ancestor) => resolve(ancestor) === resolve(path))) {
      throw refuse(
        'a profile cannot extend itself, directly or through other files; accepted: a chain without cycles',
      );
    }
    if (here.length > EXTENDS_LIMITS.depth) {
      throw refuse(
        `the chain is longer than ${EXTENDS_LIMITS.depth} files; accepted: at most ${EXTENDS_LIMITS.depth}`,
      );
    }
    filesRead += 1;
    if (filesRead > EXTENDS_LIMITS.files) {
      throw refuse(
        `the profile reads more than ${EXTENDS_LIMITS.files} files; accepted: at most ${EXTENDS_LIMITS.files}`,
      );
    }
    let document: unknown = rootDocument;
    if (chain.length > 0) {
      try {
        document = await readProfileDocument(path);
      } catch (error) {
        throw inChain(error, here, ['extends', index]);
      }
    }
    const references = extendsReferences(document);
    if (!references.ok) throw inChain(references.error, here, references.error.path);
    for (const [entry, reference] of references.value.entries()) {
      const key =
        reference.kind === 'preset'
          ? `preset ${presetId(reference.preset)}`
          : resolve(join(dirname(path), reference.path));
      if (merged.has(key)) continue;
      if (reference.kind === 'preset') {
        merged.add(key);
        layers.push(presetLayer(reference.preset));
      } else {
        await visit(join(dirname(path), reference.path), here, entry);
      }
    }
    merged.add(resolve(path));
    layers.push({ source: { kind: 'file', path }, document: withoutExtends(document) });
  };
  await visit(file, [], 0);
  return layers;
}

/** Every problem of one profile file, each where it was written; none when the profile is valid. */
export interface ProfileFileReport {
  readonly file: string;
  readonly problems: readonly ProfileProblem[];
}

/**
 * Validates a profile file as `volt apply` and `volt render` would take it (named
 * {@link DEMO_CONTAINER_NAME} when it names no container), and reports every problem at once
 * (its `extends:` read, then {@link composeIsolation}), each at its line and column in the file (in the order of the file): a value
 * where it was written, a missing key at the map that would hold it, an unknown key where it is. A file
 * that is not YAML or JSON, or larger than the limit, has one problem, where the parser stopped.
 *
 * @throws {@link VoltError} NOT_FOUND when the file cannot be read (the profile is then neither valid nor
 *   invalid).
 * @example
 * ```ts
 * const report = await validateProfileFile('web.yaml');
 * for (const p of report.problems) console.log(`${report.file}:${p.line}:${p.column}: ${p.code} ${p.message}`);
 * ```
 */
export async function validateProfileFile(file: string): Promise<ProfileFileReport> {
  const unreadable = (error: VoltError, position?: SourcePosition): ProfileFileReport => ({
    file,
    problems: [
      {
        ...(position ?? { line: 1, column: 1 }),
        code: error.code,
        path: '',
        message: error.message,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      },
    ],
  });
  let text: string;
  try {
    ({ text } = await readProfileText(file));
  } catch (error) {
    // Too large is a problem of the profile; a file that cannot be read is thrown.
    if (VoltError.isInstance(error) && error.category === 'config') return unreadable(error);
    throw error;
  }
  const loaded = await loadProfileSource(text, file);
  if (!loaded.ok) return unreadable(loaded.error, loaded.position);
  let issues: readonly VoltError[];
  try {
    const layers = await profileLayersFrom(file, loaded.value.document);
    const composed = composeIsolation([DEMO_NAME_LAYER, ...layers]);
    issues = composed.ok ? [] : composed.issues;
  } catch (error) {
    // A file it extends that cannot be read or parsed, a cycle, an unknown preset: at its `extends:` entry.
    if (!VoltError.isInstance(error)) throw error;
    issues = [error];
  }
  const problems = locateProblems(loaded.value, issues, profileJsonSchema());
  return { file, problems: problems.toSorted((a, b) => a.line - b.line || a.column - b.column) };
}
