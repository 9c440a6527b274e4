import { dirname, join, resolve } from 'node:path';
import { type InputPath, unwrap, type ValidIsolation, VoltError } from '@volt/core';
import { loadProfileDocument, PROFILE_LIMITS } from '@volt/core/profile';
import { leaseContainerAddress } from '@volt/netns';
import { type ComposedIsolation, composeIsolation } from '../model/isolation.js';
import {
  EXTENDS_LIMITS,
  extendsReferences,
  type ProfileLayer,
  presetLayer,
  withoutExtends,
} from '../model/layers.js';
import { presetId } from '../model/presets.js';
import { type IsolationPlan, type PlanTarget, renderPlan } from '../render/plan.js';
import { planTargetFor } from './target.js';

/** The name used when neither the profile nor the caller names the container. */
export const DEMO_CONTAINER_NAME = 'demo';

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
  return unwrap(
    composeIsolation([{ source: { kind: 'default' }, document: { name: DEMO_CONTAINER_NAME } }, ...layers]),
  );
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
  // Loaded here, not with the module: `volt render` without a profile file never reads one.
  const { open } = await import('node:fs/promises');
  const buffer = Buffer.alloc(PROFILE_LIMITS.bytes + 1);
  let length = 0;
  try {
    const handle = await open(file, 'r');
    try {
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new VoltError('NOT_FOUND', `the profile ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (length > PROFILE_LIMITS.bytes) {
    throw new VoltError(
      'PARSE_ERROR',
      `the profile ${file} is larger than ${PROFILE_LIMITS.bytes} bytes; accepted: a profile of at most ${PROFILE_LIMITS.bytes} bytes`,
    );
  }
  return loadProfileDocument(buffer.toString('utf8', 0, length), file);
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
    let document: unknown;
    try {
      document = await readProfileDocument(path);
    } catch (error) {
      throw chain.length === 0 ? error : inChain(error, here, ['extends', index]);
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
