// What the targets that run one process (OCI, Kubernetes) share: the payload wrapped in the Landlock helper
// as on the nspawn route, and the rows of the enforcement report that read the same for both.
import type { SeccompConfig, ValidIsolation } from '@volt/core';
import { type HelperInvocation, landlockWrapCommand, renderHelperPolicy } from '@volt/landlock';
import type { OciSeccomp } from '@volt/seccomp';
import { describeLandlock, LANDLOCK_NONE, type LayerEnforcement } from './plan.js';

/** The payload's argv after Landlock, and the helper's policy bytes when it runs under the helper. */
export interface LandlockedWorkload {
  readonly args: readonly string[];
  /** The helper's policy, as asked (the helper decides on the kernel it runs on); absent without one. */
  readonly policy?: Uint8Array;
  readonly enforcement: LayerEnforcement;
}

/**
 * Wraps the payload in the Landlock helper, exactly as the nspawn route does: the policy as asked, rendered
 * for the helper, which decides what the kernel it runs on enforces; the command behind
 * `helper --policy P --`. The report previews what a kernel of `landlockAbi` enforces.
 * @example
 * ```ts
 * landlockWorkload(config, ['/app'], 7, { helperPath: '/run/volt/volt-landlock', policyPath: '/run/volt/landlock.policy' }).args;
 * // ['/run/volt/volt-landlock', '--policy', '/run/volt/landlock.policy', '--', '/app']
 * ```
 */
export function landlockWorkload(
  config: ValidIsolation,
  args: readonly string[],
  landlockAbi: number,
  paths: HelperInvocation,
): LandlockedWorkload {
  if (config.landlock === null) return { args, enforcement: LANDLOCK_NONE };
  return {
    args: landlockWrapCommand(paths, args),
    policy: renderHelperPolicy(config.landlock),
    enforcement: describeLandlock(config.landlock, landlockAbi),
  };
}

/**
 * The seccomp row of a target that loads the OCI filter itself (an OCI runtime, a Kubernetes node's
 * runtime): every action of the profile is enforced as written, not only EPERM as under nspawn.
 *
 * @example
 * ```ts
 * seccompFilterEnforcement(config.seccomp, renderOciSeccomp(config.seccomp, ['x86_64']), 'linux.seccomp').status; // 'enforced'
 * ```
 */
export function seccompFilterEnforcement(
  seccomp: SeccompConfig,
  filter: OciSeccomp,
  where: string,
): LayerEnforcement {
  const rules = filter.syscalls.reduce((count, rule) => count + rule.names.length, 0);
  if (filter.defaultAction === 'SCMP_ACT_ALLOW' && rules === 0) {
    return { layer: 'seccomp', status: 'not-enforced', detail: `${seccomp.profile}: no filter` };
  }
  const denied = seccomp.action.kind === 'errno' ? `errno ${seccomp.action.errno}` : seccomp.action.kind;
  const list = filter.defaultAction === 'SCMP_ACT_ALLOW' ? `${rules} denied` : `${rules} allowed`;
  return {
    layer: 'seccomp',
    status: 'enforced',
    detail: `profile ${seccomp.profile}: ${where}, ${list} system calls, denied calls get ${denied}`,
  };
}

/**
 * The read-only root row, the same wherever a runtime mounts the root.
 *
 * @example
 * ```ts
 * rootEnforcement(config, 'root.readonly').status; // 'enforced' with readOnlyRoot: true
 * ```
 */
export function rootEnforcement(config: ValidIsolation, where: string): LayerEnforcement {
  return config.readOnlyRoot
    ? { layer: 'root', status: 'enforced', detail: `root directory is read-only (${where})` }
    : { layer: 'root', status: 'not-enforced', detail: 'root directory is writable (readOnlyRoot: false)' };
}
