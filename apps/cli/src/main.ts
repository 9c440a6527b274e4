#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { exitCodeFor, printError } from './output.js';

// Each command module registers its sub-commands and imports its packages only inside the action, so
// that `volt X` loads only what X needs.
import { registerCgroupCommands } from './commands/cgroup.js';
import { registerNetCommands } from './commands/net.js';
import { registerSandboxCommands } from './commands/sandbox.js';

const program = new Command('volt')
  .description(
    'Volt isolation: turn one isolation profile into kernel-enforced isolation for systemd-nspawn.',
  )
  .version(process.env['VOLT_VERSION'] ?? '0.1.0', '-V, --version')
  .showHelpAfterError('(run volt --help for usage)')
  .exitOverride();

registerCgroupCommands(program);
registerNetCommands(program);
registerSandboxCommands(program);

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
