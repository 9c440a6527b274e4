// The OCI linux.seccomp this package writes, run by the real OCI runtimes crun and runc (each compiles it
// with libseccomp) on this kernel: a container whose one process is the static probe reports what its
// system call got. Each runtime runs in a private mount namespace with cgroup2 mounted over /sys/fs/cgroup,
// so it never reads or writes the host's cgroup v1 hierarchies: crun with its cgroup manager disabled,
// runc (which has no such switch) in a child group of the cgroup2 root that it removes when the container
// ends (afterAll removes one left behind).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCKER_DEFAULT_CAPABILITIES,
  expandMobyProfile,
  mobyToOci,
  type OciSeccomp,
  parseMobySeccompProfile,
  renderOciSeccomp,
  type SeccompAction,
  type SeccompProfileName,
  seccompConfigFromProfile,
  syscallNumber,
} from '../src/index.js';
import { buildNativeTools, type NativeTools } from './native.js';

/** An OCI runtime, and how it runs a bundle without the host's cgroup v1 hierarchies. */
interface Runtime {
  readonly name: 'crun' | 'runc';
  readonly binary: string;
  readonly globalOptions: readonly string[];
  /** linux.cgroupsPath of a container: under the cgroup2 root, which the host mounts at CGROUP2_ON_HOST. */
  readonly cgroupsPath?: (id: string) => string;
}

const CGROUP2_ON_HOST = '/sys/fs/cgroup/unified';
const RUNC_CGROUP_PREFIX = 'vtc-oci-runc-';
const RUNTIMES: readonly Runtime[] = [
  { name: 'crun', binary: '/usr/bin/crun', globalOptions: ['--cgroup-manager=disabled'] },
  {
    name: 'runc',
    binary: '/usr/sbin/runc',
    globalOptions: [],
    cgroupsPath: (id) => `/${RUNC_CGROUP_PREFIX}${id}`,
  },
];
const arch = process.arch === 'x64' ? 'x86_64' : 'aarch64';
const skipReasonFor = (runtime: Runtime): string | undefined =>
  process.getuid?.() !== 0
    ? 'needs root (namespaces, mounts)'
    : !existsSync(runtime.binary)
      ? `${runtime.name} is not installed (scripts/bootstrap.sh installs it)`
      : undefined;
const anyRuntime = RUNTIMES.some((runtime) => skipReasonFor(runtime) === undefined);

let tools: NativeTools;
let scratch: string;

beforeAll(() => {
  if (!anyRuntime) return;
  tools = buildNativeTools();
  scratch = mkdtempSync(join(tmpdir(), 'vts-oci-'));
  const rootfs = join(scratch, 'bundle/rootfs');
  for (const dir of ['dev', 'proc', 'mnt']) mkdirSync(join(rootfs, dir), { recursive: true });
  copyFileSync(tools.probe, join(rootfs, 'probe'));
  for (const runtime of RUNTIMES) mkdirSync(join(scratch, 'state', runtime.name), { recursive: true });
});
afterAll(() => {
  try {
    tools?.cleanup();
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    // runc removes its group when the container ends; one left by a failed run is empty, so rmdir works.
    if (existsSync(CGROUP2_ON_HOST)) {
      for (const entry of readdirSync(CGROUP2_ON_HOST)) {
        if (entry.startsWith(`${RUNC_CGROUP_PREFIX}${process.pid}-`)) rmdirSync(join(CGROUP2_ON_HOST, entry));
      }
    }
  }
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let containers = 0;

/** Runs `/probe ARGS` in a container with CAP_SYS_ADMIN only, under `seccomp` (none when undefined). */
function runProbe(runtime: Runtime, args: readonly string[], seccomp: OciSeccomp | undefined): Run {
  const id = `${process.pid}-${containers++}`;
  const capabilities = ['CAP_SYS_ADMIN'];
  const config = {
    ociVersion: '1.0.2',
    process: {
      user: { uid: 0, gid: 0 },
      args: ['/probe', ...args],
      cwd: '/',
      env: ['PATH=/'],
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      noNewPrivileges: true,
    },
    root: { path: 'rootfs' },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }],
      ...(runtime.cgroupsPath === undefined ? {} : { cgroupsPath: runtime.cgroupsPath(id) }),
      ...(seccomp === undefined ? {} : { seccomp }),
    },
  };
  writeFileSync(join(scratch, 'bundle/config.json'), JSON.stringify(config));
  const command = [
    runtime.binary,
    ...runtime.globalOptions,
    `--root=${join(scratch, 'state', runtime.name)}`,
    'run',
    '--bundle',
    join(scratch, 'bundle'),
    `vts-oci-${id}`,
  ].join(' ');
  const run = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', `mount -t cgroup2 none /sys/fs/cgroup && exec ${command}`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const profile = (name: SeccompProfileName, action: SeccompAction): OciSeccomp =>
  renderOciSeccomp(unwrap(seccompConfigFromProfile({ profile: name, action })), [arch]);
const EPERM = { kind: 'errno', errno: 1 } as const;

describe.each(RUNTIMES)('OCI seccomp run by $name', (runtime) => {
  const skipReason = skipReasonFor(runtime);
  const runProbeIn = (args: readonly string[], seccomp: OciSeccomp | undefined) =>
    runProbe(runtime, args, seccomp);
  describe(`(${skipReason ?? `root, ${runtime.name}`})`, () => {
    const munlockall = String(syscallNumber(arch, 'munlockall'));

    it('without a filter the probe mounts and calls munlockall (the container itself is sound)', () => {
      expect(runProbeIn(['mount', '/mnt'], undefined)).toMatchObject({ status: 0, stdout: 'ok\n' });
      expect(runProbeIn(['syscall', munlockall], undefined)).toMatchObject({ status: 0, stdout: 'ret=0\n' });
    });

    it('strict denies mount with the configured errno, which the runtime accepted and libseccomp compiled', () => {
      const run = runProbeIn(['mount', '/mnt'], profile('strict', { kind: 'errno', errno: 18 }));
      expect(run).toMatchObject({ status: 0, stdout: 'errno=18\n', stderr: '' });
    });

    it('default denies what it takes from nspawn (munlockall) with EPERM; unconfined lets it through', () => {
      expect(runProbeIn(['syscall', munlockall], profile('default', EPERM))).toMatchObject({
        status: 0,
        stdout: 'errno=1\n',
      });
      expect(runProbeIn(['syscall', munlockall], profile('unconfined', EPERM))).toMatchObject({
        status: 0,
        stdout: 'ret=0\n',
      });
    });

    it('kill-process kills the process with SIGSYS (the runtime exits 128 + 31)', () => {
      const run = runProbeIn(['mount', '/mnt'], profile('strict', { kind: 'kill-process' }));
      expect(run.stdout).toBe('');
      expect(run.status).toBe(128 + 31);
    });

    it("Docker's default profile, imported and exported, denies mount without CAP_SYS_ADMIN's rule set and runs the probe", () => {
      const fixture = JSON.parse(
        readFileSync(new URL('./fixtures/moby-seccomp-default.json', import.meta.url), 'utf8'),
      ) as unknown;
      const parsed = parseMobySeccompProfile(fixture);
      if (!parsed.ok) throw parsed.error;
      const docker = mobyToOci(
        expandMobyProfile(parsed.value, { arch, capabilities: DOCKER_DEFAULT_CAPABILITIES }),
      );
      expect(runProbeIn(['syscall', String(syscallNumber(arch, 'getppid'))], docker)).toMatchObject({
        status: 0,
        stdout: 'ret=0\n',
      });
      expect(runProbeIn(['mount', '/mnt'], docker)).toMatchObject({ status: 0, stdout: 'errno=1\n' });
    });
  });
});
