import { type ResourceLimits, unwrap } from '@volt/core';
import { validateResourceLimits } from './validate.js';

const GIB = 1024 ** 3;

/**
 * The default limits of the original design: MemoryMax 2G, MemoryHigh 1G, CPUWeight 100, no CPU
 * pinning, IOWeight 100, TasksMax 4096, and a delegated subtree. A validated (frozen) value, shared by every
 * container that keeps it: validating it again costs nothing.
 *
 * @example
 * ```ts
 * systemdPropertyArgs(DEFAULT_RESOURCE_LIMITS);
 * // ['--property=Delegate=yes', '--property=MemoryHigh=1G', '--property=MemoryMax=2G',
 * //  '--property=CPUWeight=100', '--property=IOWeight=100', '--property=TasksMax=4096']
 * ```
 */
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = unwrap(
  validateResourceLimits({
    delegate: true,
    memory: { high: { kind: 'bytes', bytes: GIB }, max: { kind: 'bytes', bytes: 2 * GIB } },
    cpu: { weight: 100 },
    io: { weight: 100, devices: [] },
    tasks: { max: { kind: 'count', count: 4096 } },
  }),
);
