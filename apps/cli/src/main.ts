#!/usr/bin/env node
// The `volt` executable, bundled into dist/volt.cjs (scripts/bundle.mjs). Each command module registers
// its sub-commands and imports its packages only inside the action (dist/deps/NAME.cjs, through Node's
// require), so that `volt X` loads only what X needs.
import { CommanderError } from 'commander';
import { COMMAND_GROUPS } from './commands/groups.js';
import { exitCodeFor, printError } from './output.js';
import { createProgram } from './program.js';

/** The CLI's version from its package.json, put in by the bundler (scripts/bundle.mjs): no file read at start. */
declare const VOLT_VERSION: string;

const program = createProgram(VOLT_VERSION);

// `volt X ...` needs only X defined; anything else (help, a typo to suggest a fix for) gets every command.
const named = COMMAND_GROUPS.find(([names]) => names.includes(process.argv[2] ?? ''));
for (const [, register] of named === undefined ? COMMAND_GROUPS : [named]) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    printError(error);
    process.exitCode = exitCodeFor(error);
  }
});
