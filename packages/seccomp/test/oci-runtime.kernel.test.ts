// The OCI linux.seccomp this package writes, run by a real OCI runtime (crun, which compiles it with
// libseccomp) on this kernel: a container whose one process is the static probe reports what its system
// call got. crun runs in a private mount namespace with cgroup2 mounted over /sys/fs/cgroup and with its
// cgroup manager disabled, so it neither reads nor writes the host's cgroup v1 hierarchies.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeccompConfig } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCKER_DEFAULT_CAPABILITIES,
  expandMobyProfile,
  mobyToOci,
  type OciSeccomp,
  parseMobySeccompProfile,
  renderOciSeccomp,
  syscallNumber,
} from '../src/index.js';
import { buildNativeTools, type NativeTools } from './native.js';

const CRUN = '/usr/bin/crun';
const arch = process.arch === 'x64' ? 'x86_64' : 'aarch64';
const skipReason =
  process.getuid?.() !== 0
    ? 'needs root (namespaces, mounts)'
    : !existsSync(CRUN)
      ? 'crun is not installed (scripts/bootstrap.sh installs it)'
      : undefined;

let tools: NativeTools;
let scratch: string;

beforeAll(() => {
  if (skipReason !== undefined) return;
  tools = buildNativeTools();
  scratch = mkdtempSync(join(tmpdir(), 'vts-oci-'));
  const rootfs = join(scratch, 'bundle/rootfs');
  for (const dir of ['dev', 'proc', 'mnt']) mkdirSync(join(rootfs, dir), { recursive: true });
  copyFileSync(tools.probe, join(rootfs, 'probe'));
  mkdirSync(join(scratch, 'state'));
});
afterAll(() => {
  try {
    tools?.cleanup();
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let containers = 0;

/** Runs `/probe ARGS` in a container with CAP_SYS_ADMIN only, under `seccomp` (none when undefined). */
function runProbe(args: readonly string[], seccomp: OciSeccomp | undefined): Run {
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
      ...(seccomp === undefined ? {} : { seccomp }),
    },
  };
  writeFileSync(join(scratch, 'bundle/config.json'), JSON.stringify(config));
  const id = `vts-oci-${process.pid}-${containers++}`;
  const crun = `${CRUN} --cgroup-manager=disabled --root=${join(scratch, 'state')} run --bundle ${join(scratch, 'bundle')} ${id}`;
  const run = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', `mount -t cgroup2 none /sys/fs/cgroup && exec ${crun}`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const oci = (config: SeccompConfig): OciSeccomp => renderOciSeccomp(config, [arch]);
const profile = (name: SeccompConfig['profile'], action: SeccompConfig['action']): SeccompConfig => ({
  profile: name,
  allow: [],
  deny: [],
  action,
});
const EPERM = { kind: 'errno', errno: 1 } as const;

describe.skipIf(skipReason !== undefined)(`OCI seccomp run by crun (${skipReason ?? 'root, crun'})`, () => {
  const munlockall = String(syscallNumber(arch, 'munlockall'));

  it('without a filter the probe mounts and calls munlockall (the container itself is sound)', () => {
    expect(runProbe(['mount', '/mnt'], undefined)).toMatchObject({ status: 0, stdout: 'ok\n' });
    expect(runProbe(['syscall', munlockall], undefined)).toMatchObject({ status: 0, stdout: 'ret=0\n' });
  });

  it('strict denies mount with the configured errno, which crun accepted and libseccomp compiled', () => {
    const run = runProbe(['mount', '/mnt'], oci(profile('strict', { kind: 'errno', errno: 18 })));
    expect(run).toMatchObject({ status: 0, stdout: 'errno=18\n', stderr: '' });
  });

  it('default denies what it takes from nspawn (munlockall) with EPERM; unconfined lets it through', () => {
    expect(runProbe(['syscall', munlockall], oci(profile('default', EPERM)))).toMatchObject({
      status: 0,
      stdout: 'errno=1\n',
    });
    expect(runProbe(['syscall', munlockall], oci(profile('unconfined', EPERM)))).toMatchObject({
      status: 0,
      stdout: 'ret=0\n',
    });
  });

  it('kill-process kills the process with SIGSYS (crun exits 128 + 31)', () => {
    const run = runProbe(['mount', '/mnt'], oci(profile('strict', { kind: 'kill-process' })));
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
    expect(runProbe(['syscall', String(syscallNumber(arch, 'getppid'))], docker)).toMatchObject({
      status: 0,
      stdout: 'ret=0\n',
    });
    expect(runProbe(['mount', '/mnt'], docker)).toMatchObject({ status: 0, stdout: 'errno=1\n' });
  });
});
