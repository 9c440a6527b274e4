import { unwrap, VoltError } from '@volt/core';
import { loadProfileDocument } from '@volt/core/profile';
import { landlockHelperPath, probeLandlock } from '@volt/landlock';
import { leaseContainerAddress } from '@volt/netns';
import { parseIsolation } from '../model/isolation.js';
import { type IsolationPlan, type PlanTarget, planUsesHelper, renderPlan } from '../render/plan.js';

/** The name used when neither the profile nor the caller names the container. */
export const DEMO_CONTAINER_NAME = 'demo';

/**
 * Facts about this host for {@link renderPlan}: its Landlock ABI (for the plan's report) and the helper
 * binary's path.
 *
 * @example
 * ```ts
 * const target = await hostPlanTarget(); // { landlockAbi: 7, landlockHelper: '/…/volt-landlock' }
 * ```
 */
export async function hostPlanTarget(): Promise<PlanTarget> {
  const landlockHelper = landlockHelperPath();
  return { landlockAbi: (await probeLandlock(landlockHelper)).abi, landlockHelper };
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
  const named =
    typeof document === 'object' && document !== null && !('name' in document)
      ? { ...document, name: DEMO_CONTAINER_NAME }
      : document;
  const config = unwrap(parseIsolation(named));
  // Probe the kernel only when the workload starts under the helper (a booting container without a
  // workload unit does not), so a command loads and runs only what it needs.
  const target = options.target ?? (planUsesHelper(config) ? await hostPlanTarget() : { landlockAbi: 0 });
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
