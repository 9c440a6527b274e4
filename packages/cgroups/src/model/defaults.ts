import { type ResourceLimits, unwrap, type Valid } from '@volt/core';
import { parseResourceLimits } from '@volt/core/profile';

/**
 * The resource limits a container gets when its profile says nothing, as a profile writes them:
 * MemoryHigh 1G, MemoryMax 2G, CPUWeight 100, no CPU pinning, IOWeight 100, TasksMax 4096, and a delegated
 * subtree.
 *
 * @example
 * ```ts
 * DEFAULT_RESOURCES.memory.max; // '2G'
 * ```
 */
export const DEFAULT_RESOURCES = {
  delegate: true,
  memory: { high: '1G', max: '2G' },
  cpu: { weight: 100 },
  io: { weight: 100 },
  tasks: { max: 4096 },
} as const;

/**
 * {@link DEFAULT_RESOURCES}, parsed.
 *
 * @example
 * ```ts
 * systemdPropertyArgs(DEFAULT_RESOURCE_LIMITS);
 * // ['--property=Delegate=yes', '--property=MemoryHigh=1G', '--property=MemoryMax=2G',
 * //  '--property=CPUWeight=100', '--property=IOWeight=100', '--property=TasksMax=4096']
 * ```
 */
// Pure, so that a bundle which does not use it does not parse it when it loads.
export const DEFAULT_RESOURCE_LIMITS: Valid<ResourceLimits> = /* @__PURE__ */ unwrap(
  /* @__PURE__ */ parseResourceLimits(DEFAULT_RESOURCES),
);
