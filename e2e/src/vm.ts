import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const LOCKED_MARK = 'VTV-LOCKED';

/** How to boot the VM. */
export interface BootOptions {
  readonly kernel: string;
  readonly initrd: string;
  readonly kernelCommandLine: readonly string[];
  readonly memoryMiB: number;
  readonly cpus: number;
  /** The lock file that serialises system tests on this machine (`flock`). */
  readonly lockFile: string;
  /** Longest wait for the lock. */
  readonly lockTimeoutMs: number;
  /** Longest time the VM may run once it has started. */
  readonly timeoutMs: number;
  /** Every console line goes here as well. */
  readonly logFile: string;
  /** Called once the lock is held and QEMU starts. */
  readonly onStarted: () => void;
  readonly onLine: (line: string) => void;
}

/** How the VM run ended. */
export interface BootOutcome {
  /** QEMU's exit code; 0 after the guest powered off. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `lock` or `vm` when a time-out killed the process, otherwise undefined. */
  readonly timedOut: 'lock' | 'vm' | undefined;
  /** Milliseconds from QEMU's start (lock held) to the end. */
  readonly runMs: number;
}

/**
 * The QEMU command line: software emulation (KVM here is PVM and cannot run a stock kernel), no
 * devices but a serial console on stdio, no network, no reboot (a panic ends QEMU).
 *
 * @example
 * ```ts
 * qemuArguments({ kernel: 'vmlinux', initrd: 'initrd.cpio', kernelCommandLine: ['console=ttyS0'], memoryMiB: 2048, cpus: 2 });
 * // ['-accel', 'tcg,thread=multi', '-cpu', 'max', '-smp', '2', '-m', '2048', ...]
 * ```
 */
export function qemuArguments(
  options: Pick<BootOptions, 'kernel' | 'initrd' | 'kernelCommandLine' | 'memoryMiB' | 'cpus'>,
): readonly string[] {
  return [
    '-accel',
    'tcg,thread=multi',
    '-cpu',
    'max',
    '-smp',
    String(options.cpus),
    '-m',
    String(options.memoryMiB),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-serial',
    'stdio',
    '-nic',
    'none',
    '-no-reboot',
    '-kernel',
    options.kernel,
    '-initrd',
    options.initrd,
    '-append',
    options.kernelCommandLine.join(' '),
  ];
}

/**
 * Boots the VM under `flock --no-fork` (so the process that holds the lock is QEMU itself), streams the
 * console line by line, and kills QEMU by its PID when the lock wait or the run exceeds its time-out.
 * `stop()` on the returned handle kills it too (for Ctrl-C).
 *
 * @example
 * ```ts
 * const { outcome } = bootVm({ ...options, onLine: (line) => console.log(line) });
 * await outcome;
 * ```
 */
export function bootVm(options: BootOptions): {
  readonly outcome: Promise<BootOutcome>;
  readonly stop: () => void;
} {
  const log = createWriteStream(options.logFile);
  // flock execs sh, which says so and execs QEMU: one PID from the lock wait to the end of the VM
  const child = spawn(
    'flock',
    [
      '--no-fork',
      options.lockFile,
      'sh',
      '-c',
      `echo ${LOCKED_MARK} >&2 && exec "$@"`,
      'vm',
      'qemu-system-x86_64',
      ...qemuArguments(options),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let timedOut: 'lock' | 'vm' | undefined;
  let startedAt: number | undefined;
  const kill = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGKILL');
    }
  };
  let timer = setTimeout(() => {
    timedOut = 'lock';
    kill();
  }, options.lockTimeoutMs);
  let pending = '';
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (startedAt === undefined && line.trim() === LOCKED_MARK) {
        startedAt = performance.now();
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = 'vm';
          kill();
        }, options.timeoutMs);
        options.onStarted();
      } else {
        options.onLine(line);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const outcome = new Promise<BootOutcome>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      if (pending !== '') options.onLine(pending);
      log.end();
      resolve({
        exitCode,
        signal,
        timedOut,
        runMs: startedAt === undefined ? 0 : performance.now() - startedAt,
      });
    };
    child.on('error', () => finish(127, null));
    child.on('close', finish);
  });
  return { outcome, stop: kill };
}
