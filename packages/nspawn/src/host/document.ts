import { unwrap, type ValidIsolation, VoltError } from '@volt/core';
import { loadProfileDocument } from '@volt/core/profile';
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
 * Reads a profile file (YAML or JSON) as a document, for {@link renderPlanFromDocument}.
 *
 * @throws {@link VoltError} NOT_FOUND when the file cannot be read, PARSE_ERROR when it is not YAML/JSON.
 * @example
 * ```ts
 * const plan = await renderPlanFromDocument(await readProfileDocument('web.yaml'));
 * ```
 */
export async function readProfileDocument(file: string): Promise<unknown> {
  // Loaded here, not with the module: `volt render` without a profile file never reads one.
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new VoltError('NOT_FOUND', `the profile ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return loadProfileDocument(text, file);
}
