// Runs inside the VM under node (copied from the host) as the payload of vtv-e2e.service. It uses node's
// built-in modules only: the rest of the workspace is not in the VM unless the run layer puts it there.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchSpec, CheckSpec, Expectation } from '../checks.js';
import { type CheckResult, CONSOLE_MARKS, type Observation } from '../results.js';
import { runsInForeground } from '../routes.js';

const BUSYBOX_ROOTFS = '/var/lib/vtv/busybox';
const MACHINES = '/var/lib/machines';
const DROP_IN_NAME = '50-volt-e2e.conf';
/** Where a check's payload script goes inside the container: under /usr, which Landlock presets can read. */
const PAYLOAD_PATH = 'usr/lib/vtv/payload.sh';

/** A console line goes to stdout, which the unit connects to /dev/console. */
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function uptimeSeconds(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

function sh(command: string, args: readonly string[]): { code: number; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  const failure = result.error === undefined ? '' : ` [${result.error.message}]`;
  const signal = result.signal === null ? '' : ` [killed by ${result.signal}]`;
  return {
    code: result.status ?? 128,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() + failure + signal,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with true when `promise` settles within `ms`, false otherwise; leaves no timer behind. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface Machine {
  readonly unit: string;
  readonly leader: string;
}

function machineInfo(name: string): Machine | undefined {
  const { code, output } = sh('machinectl', ['show', name, '--property=Unit', '--property=Leader']);
  if (code !== 0) return undefined;
  const unit = /^Unit=(.+)$/m.exec(output)?.[1];
  const leader = /^Leader=(\d+)$/m.exec(output)?.[1];
  return unit === undefined || leader === undefined ? undefined : { unit, leader };
}

function unitCgroup(unit: string): string {
  const { output } = sh('systemctl', ['show', unit, '--property=ControlGroup', '--value']);
  return `/sys/fs/cgroup${output.trim()}`;
}

function leaderCgroup(leader: string): string {
  const line = readTrimmed(`/proc/${leader}/cgroup`)
    .split('\n')
    .find((entry) => entry.startsWith('0::'));
  return `/sys/fs/cgroup${line === undefined ? '/<no cgroup2 entry>' : line.slice(3)}`;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    return `<unreadable: ${(error as Error).message}>`;
  }
}

function judge(
  what: string,
  observed: string,
  expectation: { equals?: string; matches?: string },
): Observation {
  if (expectation.equals !== undefined) {
    return { what, observed, expected: `= ${expectation.equals}`, passed: observed === expectation.equals };
  }
  const pattern = expectation.matches ?? '';
  return { what, observed, expected: `~ /${pattern}/`, passed: new RegExp(pattern, 'm').test(observed) };
}

interface Started {
  readonly output: () => string;
  /** The exit code of `volt apply` (volt-apply route). */
  readonly applyExit?: number;
  /** Resolves with nspawn's exit code (run route) or undefined (template route, stopped by us). */
  readonly exited: Promise<number | undefined>;
  readonly hasExited: () => boolean;
  readonly stop: () => Promise<void>;
}

/** The volt CLI bundle the run layer puts into the VM, run with the node binary that runs this file. */
const VOLT_CLI = '/opt/volt/cli/dist/volt.cjs';
const PROFILES = '/var/lib/vtv/profiles';

function voltArgv(...args: readonly string[]): readonly string[] {
  return [process.execPath, VOLT_CLI, ...args];
}

function writeProfile(check: CheckSpec): string {
  mkdirSync(PROFILES, { recursive: true });
  const file = `${PROFILES}/${check.machine}.json`;
  writeFileSync(file, `${JSON.stringify(check.profile ?? {}, null, 2)}\n`);
  return file;
}

function startRun(check: CheckSpec, rootfs: string): Started {
  const plainArgv = check.route === 'volt-run' ? voltArgv('run', writeProfile(check)) : check.plan.argv;
  const [program, ...args] = plainArgv ?? [
    'systemd-nspawn',
    '--quiet',
    '--console=pipe',
    `--directory=${rootfs}`,
    `--machine=${check.machine}`,
    ...(check.plan.args ?? []),
    '--',
    ...(check.plan.command ?? []),
  ];
  const child: ChildProcess = spawn(program ?? 'systemd-nspawn', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...check.plan.environment },
  });
  let output = '';
  let done = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | undefined>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      resolve(code ?? (signal === null ? 128 : 128 + 9));
    });
    child.on('error', (error) => {
      output += `cannot start ${program ?? 'systemd-nspawn'}: ${error.message}`;
      done = true;
      resolve(127);
    });
  });
  return {
    output: () => output,
    exited,
    hasExited: () => done,
    stop: async () => {
      if (done) return;
      sh('machinectl', ['terminate', check.machine]);
      const stopped = await settlesWithin(exited, 10_000);
      if (!stopped && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/** Where a vm-root container's overlay keeps its writable layer: a tmpfs of its own, gone when unmounted. */
const OVERLAYS = '/var/lib/vtv/overlays';

/**
 * Makes `rootfs` the VM's own root (Debian with systemd) under an overlay whose writes go to a tmpfs, so
 * that a container can boot it and nothing reaches the VM's files. Inside it: the runner's own unit is
 * masked (the container would run the suite again), the machine ID is left for the container's systemd
 * to make, and the profile's workload unit runs the payload, enabled for multi-user.target.
 */
function mountVmRoot(check: CheckSpec, rootfs: string): string | undefined {
  const layer = `${OVERLAYS}/${check.machine}`;
  mkdirSync(layer, { recursive: true });
  mkdirSync(rootfs, { recursive: true });
  const steps: [string, string[]][] = [
    ['mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', layer]],
    ['mkdir', [`${layer}/upper`, `${layer}/work`]],
    [
      'mount',
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=/,upperdir=${layer}/upper,workdir=${layer}/work`, rootfs],
    ],
  ];
  for (const [program, args] of steps) {
    const result = sh(program, args);
    if (result.code !== 0) return `${program} ${args.join(' ')}: ${result.output}`;
  }
  const unit = String(check.profile?.['workloadUnit']);
  rmSync(`${rootfs}/etc/systemd/system/vtv-e2e.service`, { force: true });
  sh('ln', ['-s', '/dev/null', `${rootfs}/etc/systemd/system/vtv-e2e.service`]);
  writeFileSync(`${rootfs}/etc/machine-id`, '');
  writeFileSync(
    `${rootfs}/etc/systemd/system/${unit}`,
    `[Unit]\nDescription=vtv e2e workload\n\n[Service]\nType=oneshot\nExecStart=/bin/sh /${PAYLOAD_PATH}\n\n[Install]\nWantedBy=multi-user.target\n`,
  );
  const wants = (target: string, link: string, to: string): void => {
    mkdirSync(`${rootfs}/etc/systemd/system/${target}.wants`, { recursive: true });
    sh('ln', ['-sf', to, `${rootfs}/etc/systemd/system/${target}.wants/${link}`]);
  };
  wants('multi-user.target', unit, `../${unit}`);
  wants('multi-user.target', 'systemd-networkd.service', '/lib/systemd/system/systemd-networkd.service');
  wants('sockets.target', 'systemd-networkd.socket', '/lib/systemd/system/systemd-networkd.socket');
  return undefined;
}

/** Unmounts a vm-root container's overlay and its tmpfs; the root directory is then empty again. */
function unmountVmRoot(check: CheckSpec, rootfs: string): void {
  sh('umount', [rootfs]);
  sh('umount', [`${OVERLAYS}/${check.machine}`]);
  rmSync(`${OVERLAYS}/${check.machine}`, { recursive: true, force: true });
}

function templatePaths(machine: string): { settings: string; dropIn: string; unit: string } {
  return {
    settings: `/etc/systemd/nspawn/${machine}.nspawn`,
    dropIn: `/etc/systemd/system/systemd-nspawn@${machine}.service.d/${DROP_IN_NAME}`,
    unit: `systemd-nspawn@${machine}.service`,
  };
}

function startTemplate(check: CheckSpec): Started {
  const paths = templatePaths(check.machine);
  let output = '';
  const voltStep = (...args: string[]): { code: number; output: string } => {
    const [program = '', ...rest] = voltArgv(...args);
    const result = sh(program, rest);
    output += `$ volt ${args.join(' ')} (exit ${result.code})\n${result.output}\n`;
    return result;
  };
  if (check.route === 'volt-apply') {
    const apply = voltStep('apply', writeProfile(check));
    if (apply.code !== 0)
      return {
        ...templateHandle(check, { code: apply.code }, () => output, voltStep),
        applyExit: apply.code,
      };
    return {
      ...templateHandle(check, voltStep('start', check.machine), () => output, voltStep),
      applyExit: apply.code,
    };
  }
  if (check.plan.nspawnFile !== undefined) {
    mkdirSync(dirname(paths.settings), { recursive: true });
    writeFileSync(paths.settings, check.plan.nspawnFile);
  }
  if (check.plan.dropIn !== undefined) {
    mkdirSync(dirname(paths.dropIn), { recursive: true });
    writeFileSync(paths.dropIn, check.plan.dropIn);
  }
  sh('systemctl', ['daemon-reload']);
  const start = sh('systemctl', ['start', paths.unit]);
  if (start.code !== 0) output += `systemctl start ${paths.unit}: ${start.output}\n`;
  return templateHandle(check, start, () => output, undefined);
}

/**
 * A started template-route container. `voltStep` is set on the volt-apply route: stopping goes through
 * `volt stop`, and its output is the log of the volt commands.
 */
function templateHandle(
  check: CheckSpec,
  start: { readonly code: number },
  log: () => string,
  voltStep: ((...args: string[]) => { code: number; output: string }) | undefined,
): Started {
  const paths = templatePaths(check.machine);
  let extra = '';
  let stopped = false;
  // with rootfsFile expectations the payload's end matters: wait until the unit is no longer running (a
  // booting container does not end: its payload signals readiness when done)
  const waitsForPayload = check.rootfs !== 'vm-root' && check.expect.some((e) => e.source === 'rootfsFile');
  const exited = (async (): Promise<undefined> => {
    if (!waitsForPayload || start.code !== 0) return undefined;
    for (;;) {
      const state = sh('systemctl', ['is-active', paths.unit]).output;
      if (!['active', 'activating', 'deactivating', 'reloading'].includes(state)) return undefined;
      await sleep(250);
    }
  })();
  return {
    output: () => `${log()}${extra}`,
    exited,
    hasExited: () => stopped || start.code !== 0,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const status = sh('systemctl', ['status', '--no-pager', '--lines=5', paths.unit]);
      if (start.code !== 0) extra += status.output;
      if (voltStep === undefined) sh('systemctl', ['stop', paths.unit]);
      else voltStep('stop', check.machine);
    },
  };
}

/**
 * Plants what the image ships (files and symlinks) in the rootfs, creating parent directories; on a
 * vm-root container this lands in the overlay's tmpfs. A symlink's target is written as it is.
 */
function plantRootfsEntries(check: CheckSpec, rootfs: string): void {
  for (const entry of check.rootfsEntries ?? []) {
    const path = `${rootfs}/${entry.path}`;
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { recursive: true, force: true });
    if (entry.symlink !== undefined) symlinkSync(entry.symlink, path);
    else writeFileSync(path, entry.text ?? '');
  }
}

/** Writes a rendered plan's files; returns what to remove afterwards (files, and directories it made). */
function installFiles(check: CheckSpec): string[] {
  const created: string[] = [];
  for (const file of check.plan.files ?? []) {
    const madeDirectory = mkdirSync(dirname(file.path), { recursive: true });
    if (madeDirectory !== undefined) created.push(madeDirectory);
    writeFileSync(file.path, Buffer.from(file.base64, 'base64'), { mode: file.mode });
    chmodSync(file.path, file.mode);
    created.push(file.path);
  }
  return created;
}

function cleanupTemplate(machine: string): void {
  const paths = templatePaths(machine);
  rmSync(paths.settings, { force: true });
  rmSync(dirname(paths.dropIn), { recursive: true, force: true });
  sh('systemctl', ['reset-failed', paths.unit]);
  sh('systemctl', ['daemon-reload']);
}

async function runCheck(check: CheckSpec): Promise<CheckResult> {
  const began = performance.now();
  const rootfs = `${MACHINES}/${check.machine}`;
  const timeoutMs = (check.timeoutSeconds ?? 60) * 1000;
  const observations: Observation[] = [];
  let error: string | undefined;
  for (const command of check.setup ?? []) {
    const [program = '', ...args] = command;
    const result = sh(program, args);
    if (result.code !== 0) error = `setup ${command.join(' ')} failed: ${result.output}`;
  }
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(MACHINES, { recursive: true });
  if (check.rootfs === 'vm-root') {
    const failed = mountVmRoot(check, rootfs);
    if (failed !== undefined) error = `vm-root overlay: ${failed}`;
  } else {
    sh('cp', ['-a', BUSYBOX_ROOTFS, rootfs]);
  }
  mkdirSync(`${rootfs}/vtv`, { recursive: true });
  plantRootfsEntries(check, rootfs);
  if (check.payload !== undefined) {
    mkdirSync(dirname(`${rootfs}/${PAYLOAD_PATH}`), { recursive: true });
    writeFileSync(`${rootfs}/${PAYLOAD_PATH}`, check.payload, { mode: 0o755 });
  }
  const installed = error === undefined ? installFiles(check) : [];
  const started =
    error === undefined
      ? runsInForeground(check.route)
        ? startRun(check, rootfs)
        : startTemplate(check)
      : undefined;
  try {
    if (started !== undefined) {
      const live = check.expect.filter(
        (e): e is Extract<Expectation, { source: 'cgroup' | 'leaderCgroup' | 'leader' }> =>
          e.source === 'cgroup' || e.source === 'leaderCgroup' || e.source === 'leader',
      );
      const probes = check.expect.filter(
        (e): e is Extract<Expectation, { source: 'host' }> => e.source === 'host',
      );
      if (live.length > 0 || probes.length > 0) {
        const deadline = performance.now() + timeoutMs;
        let machine: Machine | undefined;
        while (performance.now() < deadline && !started.hasExited()) {
          machine = machineInfo(check.machine);
          const ready =
            (check.readyOutput === undefined || new RegExp(check.readyOutput, 'm').test(started.output())) &&
            (check.readyFile === undefined || existsSync(`${rootfs}/${check.readyFile}`));
          if (machine !== undefined && ready) break;
          machine = undefined;
          await sleep(200);
        }
        if (machine === undefined) {
          error = `container ${check.machine} was not registered and ready within ${timeoutMs / 1000}s`;
        } else {
          const directories = {
            cgroup: unitCgroup(machine.unit),
            leaderCgroup: leaderCgroup(machine.leader),
            leader: `/proc/${machine.leader}`,
          };
          for (const expectation of live) {
            const path = `${directories[expectation.source]}/${expectation.file}`;
            const what = path.startsWith('/proc/')
              ? `/proc/LEADER/${expectation.file}`
              : path.slice('/sys/fs/cgroup/'.length);
            observations.push(judge(what, readTrimmed(path), expectation));
          }
          for (const probe of probes) {
            const [program = '', ...args] = probe.command;
            const result = sh(program, args);
            observations.push(
              judge(`host: ${probe.command.join(' ')}`, `${result.output}\n[exit ${result.code}]`, probe),
            );
          }
        }
      }
      writeFileSync(`${rootfs}/vtv/go`, '');
      const finished = await settlesWithin(started.exited, timeoutMs);
      if (runsInForeground(check.route) && !finished)
        error = `container did not finish within ${timeoutMs / 1000}s`;
      await started.stop();
      const exitCode = await started.exited;
      for (const expectation of check.expect) {
        if (expectation.source === 'rootfsFile') {
          observations.push(
            judge(`rootfs:/${expectation.file}`, readTrimmed(`${rootfs}/${expectation.file}`), expectation),
          );
        } else if (expectation.source === 'output') {
          // a read-only console is a pty: lines end in CR LF
          observations.push(judge('output', started.output().replaceAll('\r\n', '\n').trim(), expectation));
        } else if (expectation.source === 'exit') {
          const code = check.route === 'volt-apply' ? started.applyExit : exitCode;
          const what = check.route === 'volt-apply' ? 'volt apply exit code' : 'exit code';
          observations.push(judge(what, String(code), { equals: String(expectation.equals) }));
        }
      }
      if (check.route === 'template' && started.output() !== '') error = started.output().trim();
      // A check that expects `volt apply` to refuse judges that exit code and the output itself.
      const refusalExpected = check.expect.some((e) => e.source === 'exit' && e.equals !== 0);
      if (check.route === 'volt-apply' && !refusalExpected && /\(exit [1-9]/.test(started.output()))
        error = started.output().trim();
    }
  } catch (caught) {
    error = `runner error: ${(caught as Error).stack ?? String(caught)}`;
  } finally {
    await started?.stop();
    for (const path of installed.reverse()) rmSync(path, { recursive: true, force: true });
    if (check.route === 'volt-run' || check.route === 'volt-apply') {
      const [program = '', ...args] = voltArgv('remove', check.machine);
      const removed = sh(program, args);
      const paths = templatePaths(check.machine);
      const left = [paths.settings, `${dirname(paths.dropIn)}/50-volt.conf`].filter((path) =>
        existsSync(path),
      );
      observations.push({
        what: `volt remove ${check.machine}`,
        expected: 'exit 0, no .nspawn file or drop-in left',
        observed: `exit ${removed.code}; left: ${left.join(', ') || 'nothing'}`,
        passed: removed.code === 0 && left.length === 0,
      });
      rmSync(`${PROFILES}/${check.machine}.json`, { force: true });
    }
    if (!runsInForeground(check.route) || check.route === 'volt-run') cleanupTemplate(check.machine);
    // never remove files through a mounted overlay of the VM's root: unmount it first
    if (check.rootfs === 'vm-root') unmountVmRoot(check, rootfs);
    rmSync(rootfs, { recursive: true, force: true });
    for (const command of check.teardown ?? []) {
      const [program = '', ...args] = command;
      sh(program, args);
    }
  }
  const passed = error === undefined && observations.length > 0 && observations.every((o) => o.passed);
  return {
    name: check.name,
    passed,
    observations,
    ...(error === undefined ? {} : { error }),
    seconds: (performance.now() - began) / 1000,
  };
}

/**
 * Milliseconds from spawning `argv` to the line `marker` on its output (the container's first process
 * speaking), then waits for the process to end. NaN when the marker never came.
 */
async function timeToMarker(
  argv: readonly string[],
  environment: Readonly<Record<string, string>>,
  marker: string,
): Promise<number> {
  const [program = '', ...args] = argv;
  const began = performance.now();
  const child = spawn(program, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...environment },
  });
  let seen = Number.NaN;
  let output = '';
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (Number.isNaN(seen) && output.includes(marker)) seen = performance.now() - began;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const ended = new Promise<void>((resolve) => {
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
  if (!(await settlesWithin(ended, 120_000)) && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  if (Number.isNaN(seen))
    say(
      `${CONSOLE_MARKS.stage}bench: no ${marker} from ${argv.slice(0, 3).join(' ')}: ${output.slice(-500)}`,
    );
  return seen;
}

async function runBench(bench: BenchSpec): Promise<void> {
  const check = { ...bench, route: 'volt-run', plan: {}, expect: [] } as unknown as CheckSpec;
  const rootfs = `${MACHINES}/${bench.machine}`;
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(MACHINES, { recursive: true });
  sh('cp', ['-a', BUSYBOX_ROOTFS, rootfs]);
  mkdirSync(dirname(`${rootfs}/${PAYLOAD_PATH}`), { recursive: true });
  writeFileSync(`${rootfs}/${PAYLOAD_PATH}`, bench.payload, { mode: 0o755 });
  const profileFile = writeProfile(check);
  const volt: number[] = [];
  const plain: number[] = [];
  const nodeAlone: number[] = [];
  // the first volt run installs the plan's files, which the plain runs use as well; it is not counted
  await timeToMarker(voltArgv('run', profileFile), {}, bench.marker);
  for (let round = 0; round < bench.rounds; round++) {
    volt.push(await timeToMarker(voltArgv('run', profileFile), {}, bench.marker));
    plain.push(await timeToMarker(bench.plainArgv, bench.plainEnvironment, bench.marker));
    nodeAlone.push(
      await timeToMarker(
        [process.execPath, '-e', `console.log(${JSON.stringify(bench.marker)})`],
        {},
        bench.marker,
      ),
    );
    say(
      `${CONSOLE_MARKS.stage}bench round ${round + 1}/${bench.rounds}: volt run ${volt.at(-1)?.toFixed(0)} ms, systemd-nspawn ${plain.at(-1)?.toFixed(0)} ms`,
    );
  }
  const [program = '', ...args] = voltArgv('remove', bench.machine);
  sh(program, args);
  rmSync(rootfs, { recursive: true, force: true });
  say(`${CONSOLE_MARKS.bench}${JSON.stringify({ name: bench.name, volt, plain, nodeAlone })}`);
}

async function main(): Promise<void> {
  const checksFile = process.argv[2] ?? '/opt/vtv-e2e/checks.json';
  say(`${CONSOLE_MARKS.stage}runner started at uptime ${uptimeSeconds().toFixed(1)}s`);
  const controllers = readTrimmed('/sys/fs/cgroup/cgroup.controllers');
  const nspawn = sh('systemd-nspawn', ['--version']).output.split('\n')[0] ?? '';
  say(
    `${CONSOLE_MARKS.stage}guest: kernel ${sh('uname', ['-r']).output}, ${nspawn}, cgroup2 controllers: ${controllers}`,
  );
  const input = JSON.parse(readFileSync(checksFile, 'utf8')) as readonly CheckSpec[] | { bench: BenchSpec };
  if ('bench' in input) {
    await runBench(input.bench);
    say(`${CONSOLE_MARKS.done}${uptimeSeconds().toFixed(1)}`);
    return;
  }
  const checks = input;
  for (const check of checks) {
    say(`${CONSOLE_MARKS.stage}check: ${check.name}`);
    const result = await runCheck(check);
    say(`${CONSOLE_MARKS.result}${JSON.stringify(result)}`);
  }
  say(`${CONSOLE_MARKS.done}${uptimeSeconds().toFixed(1)}`);
}

await main();
// the unit powers the VM off when this process ends: end now, whatever is still scheduled
process.exit(0);
