import type { ValidIsolation } from '@volt/core';
import { landlockHelperPath, probeLandlock } from '@volt/landlock';
import { type PlanTarget, planUsesHelper } from '../render/plan.js';

/**
 * Facts about this host for {@link renderPlan}: its Landlock ABI and the helper binary's path.
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
 * The target for one configuration on this host: the helper's path and the kernel's ABI are needed only
 * when the workload starts under the helper (every Boot=no container, and a booting one whose workload unit
 * Landlock wraps), so a command runs only what it needs.
 *
 * @example
 * ```ts
 * const plan = renderPlan(config, await planTargetFor(config));
 * ```
 */
export async function planTargetFor(config: ValidIsolation): Promise<PlanTarget> {
  return planUsesHelper(config) ? hostPlanTarget() : { landlockAbi: 0 };
}
