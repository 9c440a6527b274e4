import { execFile } from 'node:child_process';
import { VoltError } from '@volt/core';
import type { HostContext } from '../model/options.js';

/** What a finished command printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one program with arguments (no shell), optionally feeding `input` on stdin.
 *
 * @throws {@link VoltError} `COMMAND_FAILED` with the program's stderr when it exits non-zero,
 *   `NOT_FOUND` when the program is not installed.
 * @example
 * ```ts
 * const { stdout } = await runCommand(['ip', '-json', 'link', 'show']);
 * ```
 */
export function runCommand(argv: readonly string[], input?: string): Promise<CommandOutput> {
  const [program, ...args] = argv;
  if (program === undefined) throw new VoltError('USAGE', 'runCommand needs a program to run');
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(
            new VoltError('NOT_FOUND', `${program} is not installed`, {
              hint: 'install iproute2 and nftables (Debian: apt-get install iproute2 nftables)',
              cause: error,
            }),
          );
          return;
        }
        reject(
          new VoltError('COMMAND_FAILED', `${argv.join(' ')} failed: ${stderr.trim() || error.message}`, {
            cause: error,
          }),
        );
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * Prefixes a host-side command so it runs in the {@link HostContext}.
 *
 * @example
 * ```ts
 * inHost({ namespace: 'vtn-host' }, ['nft', 'list', 'tables']);
 * // ['ip', 'netns', 'exec', 'vtn-host', 'nft', 'list', 'tables']
 * ```
 */
export function inHost(context: HostContext, argv: readonly string[]): readonly string[] {
  if (context.namespace === undefined) return argv;
  if (argv[0] === 'ip') return ['ip', '-n', context.namespace, ...argv.slice(1)];
  return ['ip', 'netns', 'exec', context.namespace, ...argv];
}

/**
 * True when a failed command said that the object it was asked about does not exist.
 *
 * @example
 * ```ts
 * isMissing(new VoltError('COMMAND_FAILED', 'Cannot find device "vtnbr0"')); // true
 * ```
 */
export function isMissing(error: unknown): boolean {
  return (
    VoltError.isInstance(error) &&
    error.code === 'COMMAND_FAILED' &&
    /does not exist|Cannot find|No such file or directory|not found/i.test(error.message)
  );
}
