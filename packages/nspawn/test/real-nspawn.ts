import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs the real systemd-nspawn the safe way (see shared facts): in its own child cgroup of the cgroup2
 * mount, in a private mount namespace with cgroup2 mounted at /sys/fs/cgroup, with
 * SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 and `--register=no --keep-unit`. The root directory is empty, so nspawn
 * evaluates every option and the settings file, then refuses to start: anything else it prints is a finding.
 */
const SAFE_NSPAWN = `
cgroup=$1; settings=$2; shift 2
mkdir "/sys/fs/cgroup/unified/$cgroup" || exit 90
echo $$ > "/sys/fs/cgroup/unified/$cgroup/cgroup.procs" || exit 91
exec unshare -m --propagation private sh -c '
  settings=$1; shift
  mount -t cgroup2 none /sys/fs/cgroup || exit 92
  if [ "$settings" != "-" ]; then mount --bind "$settings" /etc/systemd/nspawn || exit 93; fi
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 exec systemd-nspawn --register=no --keep-unit "$@"' sh "$settings" "$@"
`;

/** The arguments of the stock systemd-nspawn@.service, less what the safe recipe replaces. */
export const STOCK_UNIT_ARGUMENTS: readonly string[] = [
  '--quiet',
  '--boot',
  '--link-journal=try-guest',
  '--network-veth',
  '-U',
  '--settings=override',
];

const EXPECTED_REFUSAL = /doesn't look like (it has an OS tree|an OS root directory)/;

/** What nspawn said about one configuration. */
export interface NspawnVerdict {
  /** Lines that are not the expected refusal to start on an empty directory. */
  readonly findings: readonly string[];
  /** Whether nspawn got as far as the refusal (every option and the settings file were evaluated). */
  readonly reachedRefusal: boolean;
  readonly output: string;
}

let counter = 0;

/** Removes a cgroup and the sub-groups nspawn made in it (payload, supervisor), deepest first. */
function removeCgroupTree(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroupTree(join(path, entry.name));
  }
  rmdirSync(path);
}

/** A scratch area for one nspawn run: an empty root and a settings directory. Removed by `dispose`. */
export function nspawnScratch(): { readonly root: string; readonly settingsDir: string; dispose(): void } {
  const base = mkdtempSync(join(tmpdir(), 'vtp-'));
  const root = join(base, 'root');
  const settingsDir = join(base, 'settings');
  mkdirSync(root);
  mkdirSync(settingsDir);
  return { root, settingsDir, dispose: () => rmSync(base, { recursive: true, force: true }) };
}

/**
 * Runs systemd-nspawn with `args` (after `--register=no --keep-unit`) and, when given, a trusted settings
 * file bound over /etc/systemd/nspawn inside the private mount namespace.
 */
export function judgeWithNspawn(
  args: readonly string[],
  options: {
    readonly settings?: { readonly dir: string; readonly machine: string; readonly text: string };
    readonly environment?: Readonly<Record<string, string>>;
  } = {},
): NspawnVerdict {
  const cgroup = `vtp-${process.pid}-${counter++}`;
  let settingsDir = '-';
  const createdEtcDir = options.settings !== undefined && !existsSync('/etc/systemd/nspawn');
  try {
    if (options.settings !== undefined) {
      settingsDir = options.settings.dir;
      writeFileSync(join(settingsDir, `${options.settings.machine}.nspawn`), options.settings.text);
      if (createdEtcDir) mkdirSync('/etc/systemd/nspawn', { recursive: true });
    }
    const run = spawnSync('sh', ['-c', SAFE_NSPAWN, 'sh', cgroup, settingsDir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...options.environment },
      timeout: 30_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    return {
      findings: lines.filter((line) => !EXPECTED_REFUSAL.test(line)),
      reachedRefusal: lines.some((line) => EXPECTED_REFUSAL.test(line)),
      output,
    };
  } finally {
    removeCgroupTree(`/sys/fs/cgroup/unified/${cgroup}`);
    if (createdEtcDir) rmdirSync('/etc/systemd/nspawn');
  }
}

/**
 * Checks a service drop-in with `systemd-analyze verify`; returns the complaints about the drop-in
 * (systemd prints them on stderr and still exits 0).
 */
export function judgeDropInWithSystemdAnalyze(machine: string, dropIn: string): readonly string[] {
  const base = mkdtempSync(join(tmpdir(), 'vtp-unit-'));
  try {
    const dir = join(base, `systemd-nspawn@${machine}.service.d`);
    mkdirSync(dir);
    const file = join(dir, '50-volt.conf');
    writeFileSync(file, dropIn);
    const run = spawnSync('systemd-analyze', ['verify', `systemd-nspawn@${machine}.service`], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${base}:` },
      timeout: 30_000,
    });
    return `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((line) => line.includes(file) || line.includes(`systemd-nspawn@${machine}.service:`));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * Checks the drop-in Volt writes into a rootfs for a workload unit with `systemd-analyze verify`, against a
 * minimal unit of that name; returns what systemd said (it exits 0 or 1 either way).
 */
export function judgeWorkloadDropInWithSystemdAnalyze(unit: string, dropIn: string): readonly string[] {
  const base = mkdtempSync(join(tmpdir(), 'vtp-workload-'));
  try {
    writeFileSync(join(base, unit), '[Unit]\nDescription=workload\n[Service]\nExecStart=/usr/bin/true\n');
    mkdirSync(join(base, `${unit}.d`));
    writeFileSync(join(base, `${unit}.d`, '50-volt-landlock.conf'), dropIn);
    const run = spawnSync('systemd-analyze', ['verify', unit], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${base}:` },
      timeout: 30_000,
    });
    return `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
