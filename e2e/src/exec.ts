import { spawn } from 'node:child_process';
import { VoltError } from '@volt/core';

/** What a finished command left behind. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for {@link runCommand}. */
export interface RunCommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Return the result instead of throwing when the exit code is not 0. */
  readonly allowFailure?: boolean;
  /** Called with each chunk of stdout as it arrives (debootstrap's progress, for instance). */
  readonly onStdout?: (text: string) => void;
}

/**
 * Runs a command to completion without a shell and collects its output.
 *
 * @example
 * ```ts
 * const { stdout } = await runCommand('apt-cache', ['depends', 'linux-image-amd64']);
 * ```
 * @throws VoltError `COMMAND_FAILED` when the command cannot start or exits non-zero (unless `allowFailure`).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      options.onStdout?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (cause) =>
      reject(
        new VoltError('COMMAND_FAILED', `cannot start ${command}: ${cause.message}`, {
          cause,
          hint: 'run scripts/bootstrap.sh to install the Debian packages the suite needs',
        }),
      ),
    );
    child.on('close', (code, signal) => {
      const result: CommandResult = {
        code: code ?? 128,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (result.code === 0 || options.allowFailure === true) {
        resolve(result);
        return;
      }
      const how = signal === null ? `exit code ${result.code}` : `signal ${signal}`;
      reject(
        new VoltError(
          'COMMAND_FAILED',
          `${command} ${args.join(' ')} failed with ${how}: ${result.stderr.trim().slice(-2000)}`,
        ),
      );
    });
  });
}
