import { unwrap, type ValidIsolation, VoltError } from '@volt/core';
import { loadProfileDocument, PROFILE_LIMITS } from '@volt/core/profile';
import { leaseContainerAddress } from '@volt/netns';
import { parseIsolation } from '../model/isolation.js';
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
  const named =
    typeof document === 'object' && document !== null && !('name' in document)
      ? { ...document, name: DEMO_CONTAINER_NAME }
      : document;
  return unwrap(parseIsolation(named));
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
