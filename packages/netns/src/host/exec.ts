import { execFile } from 'node:child_process';
import { VoltError } from '@volt/core';
import type { HostContext } from '../model/options.js';
import { startSpan } from './trace.js';

/** What a finished command printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run a command: what it reads on stdin and the name of its trace span (default: the program). */
export interface CommandOptions {
  readonly input?: string;
  readonly span?: string;
}

/** Runs a program to its end; resolves with its exit code whatever it is, rejects when it cannot start. */
function execute(
  argv: readonly string[],
  options: CommandOptions,
): Promise<CommandOutput & { readonly exitCode: number }> {
  const [program, ...args] = argv;
  if (program === undefined) throw new VoltError('USAGE', 'runCommand needs a program to run');
  const end = startSpan(options.span ?? program, argv.join(' '));
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        end();
        if (error === null) {
          resolve({ stdout, stderr, exitCode: 0 });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (typeof code === 'number') {
          resolve({ stdout, stderr, exitCode: code });
          return;
        }
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
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Runs one program with arguments (no shell), optionally feeding `options.input` on stdin, as a trace
 * span named `options.span`.
 *
 * @throws {@link VoltError} `COMMAND_FAILED` with the program's stderr when it exits non-zero,
 *   `NOT_FOUND` when the program is not installed.
 * @example
 * ```ts
 * const { stdout } = await runCommand(['ip', '-json', 'link', 'show'], { span: 'ip link show' });
 * ```
 */
export async function runCommand(
  argv: readonly string[],
  options: CommandOptions = {},
): Promise<CommandOutput> {
  const { exitCode, stdout, stderr } = await execute(argv, options);
  if (exitCode === 0) return { stdout, stderr };
  throw new VoltError('COMMAND_FAILED', `${argv.join(' ')} failed: ${stderr.trim() || `exit ${exitCode}`}`);
}

/** One command of an `ip -batch` that failed: its line (from 1), the command, and what ip said. */
export interface IpBatchFailure {
  readonly line: number;
  readonly command: string;
  readonly message: string;
}

/** What ip prints after each failed command of a batch read from stdin. */
const FAILED_LINE = /^Command failed -:(\d+)$/;

/**
 * Splits the stderr of `ip -batch -` into its failed commands: ip prints each command's error, then
 * `Command failed -:LINE`. What follows the last such line is `rest`: empty, unless ip stopped in the
 * middle of a command (an argument it refused exits at once), when nothing after that line ran.
 *
 * @example
 * ```ts
 * parseIpBatchErrors('Cannot find device "vs-a"\nCommand failed -:1\n');
 * // { failures: [{ line: 1, message: 'Cannot find device "vs-a"' }], rest: '' }
 * ```
 */
export function parseIpBatchErrors(stderr: string): {
  failures: { line: number; message: string }[];
  rest: string;
} {
  const failures: { line: number; message: string }[] = [];
  let message: string[] = [];
  for (const text of stderr.split('\n')) {
    const failed = FAILED_LINE.exec(text);
    if (failed === null) {
      if (text.trim() !== '') message.push(text.trim());
      continue;
    }
    failures.push({ line: Number(failed[1]), message: message.join('; ') });
    message = [];
  }
  return { failures, rest: message.join('; ') };
}

/** How to run an ip batch. */
export interface IpBatchOptions {
  /** Run every line even after one fails (`-force`); else the batch stops at the first failure. */
  readonly keepGoing: boolean;
  /** The trace span's name. */
  readonly span: string;
}

/**
 * Runs ip commands (one per line, without the leading `ip`) as one `ip -batch -` process, in the named
 * network namespace or, without one, in this process's. Resolves with the commands that failed, in
 * order; the caller decides which failures it accepts (see {@link checkIpBatch}).
 *
 * @throws {@link VoltError} `COMMAND_FAILED` when ip failed in a way that is not a failed command (it
 *   stopped in the middle of one, or could not enter the namespace); `NOT_FOUND` without ip.
 * @example
 * ```ts
 * const failures = await runIpBatch('web-1', ['link set lo up'], { keepGoing: false, span: 'ip: lo' });
 * ```
 */
export async function runIpBatch(
  namespace: string | undefined,
  commands: readonly string[],
  options: IpBatchOptions,
): Promise<readonly IpBatchFailure[]> {
  const argv = [
    'ip',
    ...(namespace === undefined ? [] : ['-n', namespace]),
    ...(options.keepGoing ? ['-force'] : []),
    '-batch',
    '-',
  ];
  const { exitCode, stderr } = await execute(argv, {
    input: `${commands.join('\n')}\n`,
    span: options.span,
  });
  if (exitCode === 0) return [];
  const { failures, rest } = parseIpBatchErrors(stderr);
  if (failures.length === 0 || rest !== '') {
    throw new VoltError(
      'COMMAND_FAILED',
      `${argv.join(' ')} failed: ${stderr.trim() || `exit ${exitCode}`}`,
      {
        hint: `the commands were:\n${commands.join('\n')}`,
      },
    );
  }
  return failures.map((failure) => ({ ...failure, command: commands[failure.line - 1] ?? '' }));
}

/**
 * Throws for the failures of a batch that `accepted` does not accept, naming each command and what ip
 * said about it.
 *
 * @throws {@link VoltError} `COMMAND_FAILED`.
 * @example
 * ```ts
 * checkIpBatch(failures, (failure) => isMissingMessage(failure.message));
 * ```
 */
export function checkIpBatch(
  failures: readonly IpBatchFailure[],
  accepted: (failure: IpBatchFailure) => boolean,
): void {
  const refused = failures.filter((failure) => !accepted(failure));
  if (refused.length === 0) return;
  throw new VoltError(
    'COMMAND_FAILED',
    `ip -batch failed: ${refused.map((failure) => `ip ${failure.command}: ${failure.message}`).join('; ')}`,
  );
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

/** What ip and nft say about an object that does not exist. */
const MISSING = /does not exist|Cannot find|No such file or directory|not found/i;

/**
 * True when a message of ip or nft says that the object it was asked about does not exist.
 *
 * @example
 * ```ts
 * isMissingMessage('Cannot find device "vs-web-1"'); // true
 * ```
 */
export function isMissingMessage(message: string): boolean {
  return MISSING.test(message);
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
  return VoltError.isInstance(error) && error.code === 'COMMAND_FAILED' && isMissingMessage(error.message);
}
