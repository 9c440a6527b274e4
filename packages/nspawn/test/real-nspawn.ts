import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKLOAD_DROP_IN_NAME } from '../src/model/paths.js';

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
 * Checks Volt's drop-in for a workload unit with `systemd-analyze verify`, the way systemd in a booted
 * container finds it: the image's unit (by default one whose only command is /usr/bin/true) and its own
 * drop-ins in one directory (the image's /etc/systemd/system), Volt's drop-in in a second one, after it in
 * the search path (the container's /run/systemd/system). Returns what systemd said (it exits 0 or 1 either
 * way); it names the first command of every Exec*= list that is not executable here, which makes it an
 * oracle for the commands systemd would run.
 */
export function judgeWorkloadDropInWithSystemdAnalyze(
  unit: string,
  dropIn: string,
  image: {
    readonly unitFile?: string;
    readonly dropIns?: Readonly<Record<string, string>>;
  } = {},
): readonly string[] {
  const base = mkdtempSync(join(tmpdir(), 'vtp-workload-'));
  try {
    const etc = join(base, 'etc');
    const run = join(base, 'run');
    mkdirSync(join(etc, `${unit}.d`), { recursive: true });
    mkdirSync(join(run, `${unit}.d`), { recursive: true });
    writeFileSync(
      join(etc, unit),
      image.unitFile ?? '[Unit]\nDescription=workload\n[Service]\nExecStart=/usr/bin/true\n',
    );
    for (const [name, text] of Object.entries(image.dropIns ?? {}))
      writeFileSync(join(etc, `${unit}.d`, name), text);
    writeFileSync(join(run, `${unit}.d`, WORKLOAD_DROP_IN_NAME), dropIn);
    const verify = spawnSync('systemd-analyze', ['verify', unit], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${etc}:${run}:` },
      timeout: 30_000,
    });
    return `${verify.stdout}${verify.stderr}`.split('\n').filter((line) => line.trim() !== '');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** What a command in a real container printed, and how it ended. */
export interface ContainerRun {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs `command` in a real busybox container (static busybox, /usr, os-release) the safe way: in its own
 * child cgroup of the cgroup2 mount, in a private mount namespace with cgroup2 at /sys/fs/cgroup,
 * `--register=no --keep-unit`, Boot=no. `args` are nspawn options placed before `--`.
 */
export function runInBusyboxContainer(args: readonly string[], command: readonly string[]): ContainerRun {
  const base = mkdtempSync(join(tmpdir(), 'vtp-box-'));
  const root = join(base, 'vtp-box');
  const cgroup = `vtp-box-${process.pid}-${counter++}`;
  try {
    for (const dir of ['bin', 'usr/bin', 'etc', 'proc', 'sys', 'dev', 'run', 'tmp', 'var'])
      mkdirSync(join(root, dir), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    spawnSync('chmod', ['755', join(root, 'bin/busybox')]);
    for (const applet of ['sh', 'cat', 'ls']) spawnSync('ln', ['-s', 'busybox', join(root, 'bin', applet)]);
    writeFileSync(join(root, 'etc/os-release'), 'ID=vtp\nNAME="volt nspawn test"\n');
    writeFileSync(join(root, 'etc/machine-id'), '');
    writeFileSync(join(root, 'etc/resolv.conf'), '');
    const run = spawnSync(
      'sh',
      [
        '-c',
        SAFE_NSPAWN,
        'sh',
        cgroup,
        '-',
        '--quiet',
        '--console=pipe',
        '--machine=vtp-box',
        `--directory=${root}`,
        // the tree has no /etc/localtime for nspawn to bind the host's zone over (fatal with --read-only)
        '--timezone=off',
        ...args,
        '--',
        ...command,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    // nspawn's own notice when this host's /run is not a tmpfs, about a directory of its own: not a finding.
    const output = `${run.stdout}${run.stderr}`.replace(
      /^Attempted to remove disk file system under "\/run\/systemd\/nspawn\/propagate\/vtp-box".*\n/m,
      '',
    );
    return { status: run.status, output };
  } finally {
    removeCgroupTree(`/sys/fs/cgroup/unified/${cgroup}`);
    rmSync(base, { recursive: true, force: true });
    rmSync('/run/systemd/nspawn/propagate/vtp-box', { recursive: true, force: true });
  }
}

/**
 * Runs a rendered plan's direct command line (`argv` without `systemd-nspawn`, and its environment) the
 * safe way, as {@link runInBusyboxContainer} does, with `--register=no --keep-unit` before it: a real
 * container from a real root, registered with no machined (there is none here).
 */
export function runPlanSafely(
  args: readonly string[],
  environment: Readonly<Record<string, string>>,
  machine: string,
): ContainerRun {
  const cgroup = `${machine}-${process.pid}-${counter++}`;
  try {
    const run = spawnSync('sh', ['-c', SAFE_NSPAWN, 'sh', cgroup, '-', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...environment },
      timeout: 60_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    removeCgroupTree(`/sys/fs/cgroup/unified/${cgroup}`);
    rmSync(`/run/systemd/nspawn/propagate/${machine}`, { recursive: true, force: true });
  }
}
