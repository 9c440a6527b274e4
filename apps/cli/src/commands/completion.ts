import type { Command } from 'commander';
import { createProgram } from '../program.js';
import { oneOf } from './render-targets.js';

/**
 * Registers `volt completion bash|zsh|fish`: the shell's completion script, generated from the command
 * definitions of every command.
 *
 * @example
 * ```ts
 * registerCompletionCommands(new Command('volt')); // then: source <(volt completion bash)
 * ```
 */
export function registerCompletionCommands(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script: source <(volt completion bash), or zsh, or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      '\nLoad it:\n  bash  source <(volt completion bash)\n  zsh   source <(volt completion zsh)   (after compinit)\n  fish  volt completion fish | source\n',
    )
    .action(async (shell: string) => {
      // Every command, not only this one (main.ts registers the group of the command named).
      const { COMMAND_GROUPS } = await import('./groups.js');
      const { COMPLETION_SHELLS, completionScript, completionTree } = await import('../deps/completion.js');
      const full = createProgram(program.version() ?? '');
      for (const [, register] of COMMAND_GROUPS) register(full);
      process.stdout.write(
        completionScript(completionTree(full), oneOf(shell, COMPLETION_SHELLS, '<shell>')),
      );
    });
}
