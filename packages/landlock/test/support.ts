import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Valid } from '@volt/core';
import {
  type LandlockPolicy,
  type LandlockStatus,
  pathRules,
  readExec,
  readOnly,
  type SpawnLandlockedOptions,
  spawnLandlocked,
} from '../src/index.js';

/** The test build of the helper: it also takes --emulate-abi N and --no-openat2 (never shipped). */
export const TESTING_HELPER: string = fileURLToPath(
  new URL('../dist/testing/volt-landlock', import.meta.url),
);

/** True when the kernel tier can run: root (for mknod and nspawn) and the helper reports Landlock. */
export function kernelTierReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = spawnSync(new URL('../dist/volt-landlock', import.meta.url).pathname, ['--probe'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return `helper not built: ${probe.stderr}`;
  if (!/^abi [7-9]/.test(probe.stdout)) return `Landlock ABI >= 7 needed, kernel says ${probe.stdout}`;
  return undefined;
}

/** The Node.js binary running the tests: sandboxed scripts run with it, wherever it is installed. */
export const NODE: string = process.execPath;

/**
 * The system directories that are directories here: on a merged-/usr system /bin, /sbin, /lib and /lib64 are
 * symlinks into /usr, which the helper never follows (a rule through them would be skipped and reported).
 */
const SYSTEM_DIRECTORIES: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  dirname(dirname(NODE)),
]
  .filter((path) => lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true)
  .filter((path, index, all) => all.indexOf(path) === index);

/** What a system command needs to start: its programs, libraries, Node.js, /etc, /proc and /dev. */
export const SYSTEM_RULES: readonly LandlockPolicy['paths'][number][] = [
  ...readExec(...SYSTEM_DIRECTORIES),
  ...readOnly('/etc', '/proc'),
  ...pathRules(['/dev'], ['write-file', 'read-file', 'read-dir', 'ioctl-dev']),
];

/** A fresh temporary directory with this package's prefix. */
export function makeTempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `vtl-${tag}-`));
}

/** Removes a temporary directory tree. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The result of one sandboxed command. */
export interface SandboxRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: LandlockStatus;
}

/** Runs a command under a policy and collects its output and the enforcement status. */
export async function runSandboxed(
  command: string,
  args: readonly string[],
  policy: Valid<LandlockPolicy>,
  options: Omit<SpawnLandlockedOptions, 'policy'> = {},
): Promise<SandboxRun> {
  const { child, status } = await spawnLandlocked(command, args, { stdio: 'pipe', ...options, policy });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', (value) => resolve(value)));
  return { code, stdout, stderr, status: await status };
}
