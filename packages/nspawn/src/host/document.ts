import { unwrap, type ValidIsolation, VoltError } from '@volt/core';
import {
  loadProfileDocument,
  loadProfileSource,
  PROFILE_LIMITS,
  profileJsonSchema,
  type SourcePosition,
} from '@volt/core/profile';
import { leaseContainerAddress } from '@volt/netns';
import { parseIsolation, validateIsolation } from '../model/isolation.js';
import type { ProfileOrigin } from '../model/manifest.js';
import { locateProblems, type ProfileProblem } from '../model/problems.js';
import { type IsolationPlan, type PlanTarget, renderPlan } from '../render/plan.js';
import { planTargetFor } from './target.js';

/** The name used when neither the profile nor the caller names the container. */
export const DEMO_CONTAINER_NAME = 'demo';

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
  return unwrap(parseIsolation(named(document)));
}

/** A document named {@link DEMO_CONTAINER_NAME} when it names no container. */
function named(document: unknown): unknown {
  return typeof document === 'object' && document !== null && !('name' in document)
    ? { ...document, name: DEMO_CONTAINER_NAME }
    : document;
}

/**
 * Validates an untrusted profile document, fills the defaults and renders the plan for this host. With
 * `leaseAddress`, a private container gets (or keeps) its address on the bridge: that writes the lease.
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
  const config = isolationFromDocument(document);
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
 * Reads a profile file (YAML or JSON) as a document, for {@link renderPlanFromDocument}: at most
 * `PROFILE_LIMITS.bytes` (1 MiB) are read, so that neither a huge file nor an endless one (`/dev/zero`)
 * is taken in whole. The path is the caller's own (a FIFO such as `<(generate-profile)` works).
 *
 * @throws {@link VoltError} NOT_FOUND when the file cannot be read, PARSE_ERROR when it is larger than the
 *   limit or not YAML/JSON.
 * @example
 * ```ts
 * const plan = await renderPlanFromDocument(await readProfileDocument('web.yaml'));
 * ```
 */
export async function readProfileDocument(file: string): Promise<unknown> {
  return (await readProfileFile(file)).document;
}

/** A profile file read as a document, and where it came from. */
export interface ProfileFile {
  readonly document: unknown;
  /**
   * The file's real path and the SHA-256 of the text read, for `applyPlan`'s record (what `volt list`
   * compares); null for what is not a regular file (a FIFO such as `<(generate-profile)`), which cannot be
   * read again.
   */
  readonly origin: ProfileOrigin | null;
}

/**
 * Reads a profile file as {@link readProfileDocument} does, and where it came from.
 *
 * @throws {@link VoltError} as {@link readProfileDocument}.
 * @example
 * ```ts
 * const { document, origin } = await readProfileFile('web.yaml');
 * await applyPlan(await renderPlanFromDocument(document), origin === null ? {} : { profile: origin });
 * ```
 */
export async function readProfileFile(file: string): Promise<ProfileFile> {
  const { text, regular } = await readProfileText(file);
  const document = await loadProfileDocument(text, file);
  if (!regular) return { document, origin: null };
  const { realpath } = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  return {
    document,
    origin: {
      path: await realpath(file),
      sha256: createHash('sha256').update(text).digest('hex'),
    },
  };
}

/** Every problem of one profile file, each where it was written; none when the profile is valid. */
export interface ProfileFileReport {
  readonly file: string;
  readonly problems: readonly ProfileProblem[];
}

/**
 * Validates a profile file as `volt apply` and `volt render` would take it (named
 * {@link DEMO_CONTAINER_NAME} when it names no container), and reports every problem at once
 * ({@link validateIsolation}), each at its line and column in the file (in the order of the file): a value
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
  const issues = validateIsolation(named(loaded.value.document));
  const problems = locateProblems(loaded.value, issues, profileJsonSchema());
  return { file, problems: problems.toSorted((a, b) => a.line - b.line || a.column - b.column) };
}
