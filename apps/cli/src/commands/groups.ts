import type { Command } from 'commander';
import { registerCgroupCommands } from './cgroup.js';
import { registerCompletionCommands } from './completion.js';
import { registerContainerCommands } from './container.js';
import { registerExplainCommands } from './explain.js';
import { registerListCommands } from './list.js';
import { registerNetCommands } from './net.js';
import { registerProbeCommands } from './probe.js';
import { registerRenderCommands } from './render.js';
import { registerRootfsCommands } from './rootfs.js';
import { registerSandboxCommands } from './sandbox.js';
import { registerSeccompCommands } from './seccomp.js';
import { registerValidateCommands } from './validate.js';

/**
 * The top-level commands each module registers, with its register function: `volt X` registers only the
 * module that names X (groups.test.ts checks that the names are exactly what each module registers).
 *
 * @example
 * ```ts
 * COMMAND_GROUPS.find(([names]) => names.includes('render'))?.[1](new Command('volt'));
 * ```
 */
export const COMMAND_GROUPS: readonly (readonly [readonly string[], (program: Command) => void])[] = [
  [['render'], registerRenderCommands],
  [['apply', 'remove', 'start', 'stop', 'status', 'run'], registerContainerCommands],
  [['validate'], registerValidateCommands],
  [['explain'], registerExplainCommands],
  [['probe'], registerProbeCommands],
  [['list'], registerListCommands],
  [['rootfs'], registerRootfsCommands],
  [['completion'], registerCompletionCommands],
  [['cgroup'], registerCgroupCommands],
  [['net'], registerNetCommands],
  [['sandbox'], registerSandboxCommands],
  [['seccomp'], registerSeccompCommands],
];
