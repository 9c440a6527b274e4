// PID 1 duties of the helper (--init), as in a Boot=no container: the helper is PID 1 of a new PID
// namespace (unshare --pid --fork --mount-proc, as root), the command its child.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { landlockHelperPath } from '../src/index.js';

const IN_PID_NAMESPACE = ['--pid', '--fork', '--mount-proc', landlockHelperPath(), '--init', '--'];

function runInit(script: string) {
  return spawnSync('unshare', [...IN_PID_NAMESPACE, '/bin/sh', '-c', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** The helper's PID on the host: the one child of `unshare --fork`. */
function helperPid(unshare: ChildProcess): number {
  const children = readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim();
  expect(children).toMatch(/^\d+$/);
  return Number(children);
}

describe('the helper as the init of a PID namespace', () => {
  let running: ChildProcess | undefined;
  afterEach(() => {
    if (running?.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
    running = undefined;
  });

  it('is PID 1, and the command is its child', () => {
    const run = runInit('echo "$$ $PPID"; tr "\\0" " " < /proc/1/cmdline');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^2 1\n.*volt-landlock --init -- \/bin\/sh -c/);
  });

  it("exits with the command's exit code, or 128 + the signal that ended it", () => {
    expect(runInit('exit 7').status).toBe(7);
    expect(runInit('exit 0').status).toBe(0);
    expect(runInit('kill -KILL $$').status).toBe(137);
  });

  it('reaps orphans re-parented to it (no zombie is left)', () => {
    // The subshell exits at once; its `sleep` is re-parented to PID 1 and ends 0.2 s later.
    const run = runInit(
      '(sleep 0.2 &); sleep 1; echo "zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ") Z ")"',
    );
    expect(run.stdout.trim()).toBe('zombies=0');
    expect(run.status).toBe(0);
  });

  for (const [title, signal] of [
    ['SIGTERM', 'SIGTERM'],
    ['the poweroff request SIGRTMIN+4 (machinectl poweroff), as SIGTERM', 38],
  ] as const) {
    it(`forwards ${title} to the command, which exits in its own way`, async () => {
      running = spawn(
        'unshare',
        [
          ...IN_PID_NAMESPACE,
          '/bin/sh',
          '-c',
          'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const child = running;
      let output = '';
      const ready = new Promise<void>((resolve) =>
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('ready')) resolve();
        }),
      );
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      await ready;
      process.kill(helperPid(child), signal);
      expect(await exited).toBe(42);
      expect(output).toBe('ready\ngot-term\n');
    });
  }

  it('without a PID namespace, makes itself the subreaper and still passes the exit code on', () => {
    const run = spawnSync(landlockHelperPath(), ['--init', '--', '/bin/sh', '-c', 'exit 3'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(3);
  });
});
