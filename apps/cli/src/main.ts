#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
// Each command module registers its sub-commands and imports its packages only inside the action, so
// that `volt X` loads only what X needs.
import { registerCgroupCommands } from './commands/cgroup.js';
import { registerContainerCommands } from './commands/container.js';
import { registerNetCommands } from './commands/net.js';
import { registerRenderCommands } from './commands/render.js';
import { registerSandboxCommands } from './commands/sandbox.js';
import { registerSeccompCommands } from './commands/seccomp.js';
import { exitCodeFor, printError } from './output.js';

/** The CLI's version from its package.json, put in by the bundler (scripts/bundle.mjs): no file read at start. */
declare const VOLT_VERSION: string;

const program = new Command('volt')
  .description(
    'Volt isolation: turn one isolation profile into kernel-enforced isolation for systemd-nspawn.',
  )
  .version(VOLT_VERSION, '-V, --version')
  .showHelpAfterError('(run volt --help for usage)')
  .exitOverride();

registerRenderCommands(program);
registerContainerCommands(program);
registerCgroupCommands(program);
registerNetCommands(program);
registerSandboxCommands(program);
registerSeccompCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    printError(error);
    process.exitCode = exitCodeFor(error);
  }
}
