import { VoltError } from '@volt/core';
import type { Command } from 'commander';
import { painter, printData, printError } from '../output.js';

/** What `volt validate` says of one file: its problems, or why it could not be read. */
type FileOutcome =
  | Awaited<ReturnType<typeof import('../deps/validate.js').validateProfileFile>>
  | { readonly file: string; readonly error: { readonly code: string; readonly message: string } };

/**
 * The exit code of `volt validate`: 1 when a file could not be read (an operational failure: the profile is
 * neither valid nor invalid), otherwise 2 when any profile has a problem, 0 when every one is valid.
 *
 * @example
 * ```ts
 * validateExitCode([{ file: 'a.yaml', problems: [] }]); // 0
 * ```
 */
export function validateExitCode(outcomes: readonly FileOutcome[]): 0 | 1 | 2 {
  if (outcomes.some((outcome) => 'error' in outcome)) return 1;
  return outcomes.some((outcome) => 'problems' in outcome && outcome.problems.length > 0) ? 2 : 0;
}

const VALIDATE_HELP = `
Each problem is one line, FILE:LINE:COLUMN: CODE at PATH: what was wrong; accepted: …, then its hint.

Exit codes:
  0  every profile is valid
  1  a file could not be read (nothing was said about it)
  2  a profile has a problem
`;

/**
 * Registers `volt validate FILE…`: every problem of each profile at once, each at its line and column.
 *
 * @example
 * ```ts
 * registerValidateCommands(new Command('volt')); // then: volt validate web.yaml
 * ```
 */
export function registerValidateCommands(program: Command): void {
  program
    .command('validate')
    .description('check profiles: every problem at once, each at its line and column, with what is accepted')
    .argument('<file...>', 'profile files (YAML or JSON)')
    .option('--json', 'print the problems as JSON')
    .addHelpText('after', VALIDATE_HELP)
    .action(async (files: string[], options: { readonly json?: boolean }) => {
      const { validateProfileFile } = await import('../deps/validate.js');
      const outcomes: FileOutcome[] = [];
      for (const file of files) {
        try {
          outcomes.push(await validateProfileFile(file));
        } catch (error) {
          // A file that cannot be read is said on stderr, and the other files are still checked.
          if (!VoltError.isInstance(error)) throw error;
          printError(error);
          outcomes.push({ file, error: { code: error.code, message: error.message } });
        }
      }
      const paint = painter(process.stdout);
      printData(outcomes, options.json === true, () =>
        outcomes
          .flatMap((outcome) => {
            if ('error' in outcome) return [`${outcome.file}: ${paint('red', 'not checked')}`];
            const lines = outcome.problems.flatMap((problem) => [
              `${paint('bold', `${outcome.file}:${problem.line}:${problem.column}:`)} ${paint('red', problem.code)}${problem.path === '' ? '' : ` at ${problem.path}`}: ${problem.message}`,
              ...(problem.hint === undefined ? [] : [`  ${paint('dim', `hint: ${problem.hint}`)}`]),
            ]);
            const count = outcome.problems.length;
            const summary =
              count === 0
                ? `${outcome.file}: ${paint('green', 'valid')}`
                : `${outcome.file}: ${paint('red', `${count} problem${count === 1 ? '' : 's'}`)}`;
            return [...lines, summary];
          })
          .map((line) => `${line}\n`)
          .join(''),
      );
      process.exitCode = validateExitCode(outcomes);
    });
}
