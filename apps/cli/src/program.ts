import { Command } from 'commander';

/**
 * The `volt` program without its commands: name, description, version, the global `--no-color` and how
 * errors end it. The commands are registered by the modules of `COMMAND_GROUPS`.
 *
 * @example
 * ```ts
 * const program = createProgram('0.1.0');
 * for (const [, register] of COMMAND_GROUPS) register(program);
 * ```
 */
export function createProgram(version: string): Command {
  return new Command('volt')
    .description(
      'Volt isolation: turn one isolation profile into kernel-enforced isolation for systemd-nspawn.',
    )
    .version(version, '-V, --version')
    .option('--no-color', 'no colours, also on a terminal (as NO_COLOR=1 does)')
    .showHelpAfterError('(run volt --help for usage)')
    .exitOverride();
}
