import type { ChildProcess, StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { type LandlockPolicy, unwrap, type Valid, VoltError } from '@volt/core';
import {
  type LandlockKernel,
  type LandlockResolution,
  type LandlockStatus,
  resolveLandlockCompatibility,
} from '../model/compat.js';
import { type LandlockFileRightsMode, renderHelperPolicy } from '../render/helper-policy.js';
import { childProcess, landlockHelperPath, probeLandlock } from './helper.js';
import { parseHelperReport } from './helper-report.js';

/** Options for {@link prepareLandlock}. */
export interface PrepareLandlockOptions {
  /** The kernel to resolve for. Default: the running kernel, probed with the helper. */
  readonly kernel?: LandlockKernel;
  /** What the helper does with directory-only rights on a file; see {@link renderHelperPolicy}. */
  readonly fileRights?: LandlockFileRightsMode;
  readonly helperPath?: string;
}

/** A policy resolved for a kernel (what that kernel will enforce), and rendered for the helper. */
export interface PreparedLandlock extends LandlockResolution {
  /** The helper's policy file contents: the policy as asked, decided again where the helper runs. */
  readonly bytes: Uint8Array;
}

/**
 * Resolves a policy for the running kernel (or `options.kernel`) by its compatibility mode, and renders
 * the helper's policy bytes. The resolution says what that kernel will enforce, and a compatibility mode it
 * cannot satisfy fails here, before anything runs; the bytes carry the policy as asked, and the helper
 * decides again on the kernel it runs on (a file written on one host may be started on another).
 *
 * @throws {@link VoltError} `UNSUPPORTED` when the compatibility mode refuses what the kernel lacks;
 * `NOT_FOUND` or `SYSTEM_ERROR` when the kernel must be probed and the helper cannot run.
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * const prepared = await prepareLandlock(landlockPreset('server'));
 * await writeFile('/run/volt/landlock.policy', prepared.bytes);
 * prepared.status.enforcement; // 'fully' on Linux 6.10 and later
 * ```
 */
export async function prepareLandlock(
  policy: Valid<LandlockPolicy>,
  options: PrepareLandlockOptions = {},
): Promise<PreparedLandlock> {
  const kernel = options.kernel ?? (await probeLandlock(options.helperPath));
  const resolution = unwrap(resolveLandlockCompatibility(policy, kernel));
  const bytes = renderHelperPolicy(
    policy,
    options.fileRights === undefined ? {} : { fileRights: options.fileRights },
  );
  return { ...resolution, bytes };
}

/** Options for {@link spawnLandlocked}. */
export interface SpawnLandlockedOptions extends PrepareLandlockOptions {
  /** A policy from {@link parseLandlockPolicy} or the builder functions. */
  readonly policy: Valid<LandlockPolicy>;
  /** A classic-BPF seccomp program (struct sock_filter array, native endian), installed right before exec. */
  readonly seccompFilter?: Uint8Array;
  /** stdin, stdout and stderr of the command. Default: `inherit`. */
  readonly stdio?: 'inherit' | 'pipe' | 'ignore';
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Called with the final status after the policy is in force and before the command starts, so that
   * whatever it prints (e.g. the status on stderr) comes before anything the command prints. This costs
   * one round trip between the helper and this process before the command starts; without `onStatus`
   * the helper does not wait.
   */
  readonly onStatus?: (status: LandlockStatus) => void;
}

/** A landlocked child process and the status of its enforcement. */
export interface LandlockedChild {
  readonly child: ChildProcess;
  /**
   * Settles when the helper hands over to the command: the final status (what the kernel enforces and
   * what was dropped, including optional paths that were missing), or the helper's VoltError (also for a
   * command that cannot be executed, exit code 126 or 127). With `onStatus`, it settles before the command
   * starts, and a command that cannot be executed is reported afterwards, like a shell does: on stderr.
   */
  readonly status: Promise<LandlockStatus>;
}

/** The status the helper decided and reported, or its error. */
function statusFromReport(resolution: LandlockResolution, reportBytes: Uint8Array): LandlockStatus {
  const report = unwrap(parseHelperReport(reportBytes));
  if (report.error !== undefined) throw report.error;
  if (!report.ready && !report.executing) {
    throw new VoltError('SYSTEM_ERROR', 'the Landlock helper ended before it could run the command', {
      hint: 'it was killed or crashed; run it by hand with --status-fd to see how far it got',
    });
  }
  const unenforced =
    report.unenforced === undefined ? [] : [{ feature: 'landlock', reason: report.unenforced }];
  return {
    enforcement:
      report.unenforced === undefined ? (report.enforcement ?? resolution.status.enforcement) : 'not',
    abi: report.abi,
    errata: report.errata,
    compatibility: resolution.status.compatibility,
    dropped: [...report.dropped, ...unenforced, ...report.skipped],
  };
}

/**
 * Reads the helper's status records. With `--status-ack` the helper says `ready` and waits: the status
 * goes to `onStatus` first, then one byte back on the same socket lets the helper go on. Otherwise the
 * stream ends when the helper executes the command (or fails), and the records up to there are the status.
 */
function awaitStatus(
  socket: Readable & Writable,
  prepared: LandlockResolution,
  onStatus: ((status: LandlockStatus) => void) | undefined,
): Promise<LandlockStatus> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (bytes: Uint8Array) => {
      settled = true;
      try {
        const status = statusFromReport(prepared, bytes);
        onStatus?.(status);
        resolve(status);
      } catch (error) {
        reject(error);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      const complete = bytes.subarray(0, bytes.lastIndexOf(0) + 1);
      const report = parseHelperReport(complete);
      if (report.ok && report.value.ready) {
        settle(complete);
        socket.end(Buffer.from([1]));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!settled) settle(Buffer.concat(chunks));
    });
  });
}

/**
 * Runs `command` under a Landlock policy: resolves the policy for the kernel (see {@link prepareLandlock}),
 * starts the static helper with the policy on a pipe, and lets it open the paths, restrict itself, install
 * the optional seccomp filter last, and exec the command (looked up in `PATH` without a slash).
 *
 * @throws {@link VoltError} before anything runs: `UNSUPPORTED` for a compatibility mode the kernel cannot
 * satisfy. Later failures (a missing path: `INVALID_PATH`) reject `status`, and the
 * helper exits with 125 (126/127 when the command cannot be executed).
 * @example
 * ```ts
 * const { child, status } = await spawnLandlocked('/bin/ls', ['/etc'], { policy: landlockPreset('server') });
 * child.once('close', (code) => console.error(`ls exited with ${code}`));
 * console.error((await status).enforcement); // 'fully' on Linux 6.10 and later
 * ```
 */
export async function spawnLandlocked(
  command: string,
  args: readonly string[],
  options: SpawnLandlockedOptions,
): Promise<LandlockedChild> {
  const helperPath = options.helperPath ?? landlockHelperPath();
  const prepared = await prepareLandlock(options.policy, { ...options, helperPath });
  const io = options.stdio ?? 'inherit';
  const stdio: StdioOptions = [
    io,
    io,
    io,
    'pipe',
    'pipe',
    options.seccompFilter === undefined ? 'ignore' : 'pipe',
  ];
  const helperArgs = [
    '--policy-fd',
    '3',
    '--status-fd',
    '4',
    ...(options.onStatus === undefined ? [] : ['--status-ack']),
    ...(options.seccompFilter === undefined ? [] : ['--seccomp-fd', '5']),
    '--',
    command,
    ...args,
  ];
  const child = childProcess().spawn(helperPath, helperArgs, {
    stdio,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const pipes = child.stdio as unknown as readonly (Readable & Writable)[];
  (pipes[3] as Writable).on('error', () => {}).end(prepared.bytes);
  if (options.seccompFilter !== undefined)
    (pipes[5] as Writable).on('error', () => {}).end(options.seccompFilter);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(
        new VoltError('SYSTEM_ERROR', `cannot start the Landlock helper ${helperPath}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
  });
  const reported = awaitStatus(pipes[4] as Readable & Writable, prepared, options.onStatus);
  const status = spawned.then(() => reported);
  // Callers that only watch the child must not crash the process with an unhandled rejection.
  status.catch(() => {});
  return { child, status };
}

/** The outcome of {@link runLandlocked}. */
export interface LandlockedRun {
  readonly status: LandlockStatus;
  /** The command's exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options for {@link runLandlocked}. */
export interface RunLandlockedOptions extends SpawnLandlockedOptions {
  /** Signals this process passes on to the command while it runs. Default: SIGTERM, SIGHUP. */
  readonly forwardSignals?: readonly NodeJS.Signals[];
}

/**
 * {@link spawnLandlocked} and wait for the command to end.
 *
 * @throws {@link VoltError} as {@link spawnLandlocked}; also when the helper failed before running the
 * command (after it has exited).
 * @example
 * ```ts
 * const run = await runLandlocked('touch', ['/etc/x'], { policy: landlockPreset('server') });
 * run.exitCode; // 1: touch was denied
 * ```
 */
export async function runLandlocked(
  command: string,
  args: readonly string[],
  options: RunLandlockedOptions,
): Promise<LandlockedRun> {
  const { child, status } = await spawnLandlocked(command, args, options);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = options.forwardSignals ?? ['SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  try {
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('close', (code, signal) => resolve([code, signal])),
    );
    const [settled, [exitCode, signal]] = await Promise.all([Promise.allSettled([status]), exited]);
    const [result] = settled;
    if (result.status === 'rejected') throw result.reason;
    return { status: result.value, exitCode, signal };
  } finally {
    for (const signal of signals) process.removeListener(signal, forward);
  }
}

/**
 * The exit status a shell would report for a run: the exit code, or 128 + the signal number.
 *
 * @example
 * ```ts
 * shellExitCode({ exitCode: null, signal: 'SIGKILL' }); // 137
 * ```
 */
export function shellExitCode(run: Pick<LandlockedRun, 'exitCode' | 'signal'>): number {
  if (run.exitCode !== null) return run.exitCode;
  return 128 + (run.signal === null ? 0 : (constants.signals[run.signal] ?? 0));
}
