import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { LandlockCompatibility, LandlockPolicy, Valid } from '@volt/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LANDLOCK_SYSCALLS,
  landlockHelperPath,
  landlockPolicy,
  landlockPreset,
  landlockWrapCommand,
  prepareLandlock,
  readExec,
  readWrite,
  withRules,
} from '../src/index.js';
import { kernelTierReason, makeTempDir, removeTempDir } from './support.js';

const BUSYBOX = '/bin/busybox';
const reason =
  kernelTierReason() ??
  (spawnSync('systemd-nspawn', ['--version']).status !== 0 ? 'systemd-nspawn is not installed' : undefined) ??
  (existsSync(BUSYBOX) ? undefined : 'busybox-static is not installed') ??
  (existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? undefined : 'no cgroup2 at /sys/fs/cgroup/unified');
if (reason !== undefined) console.warn(`landlock nspawn tests skipped: ${reason}`);

/**
 * A busybox-static rootfs with /usr and an os-release file: enough for systemd-nspawn to run a command.
 * `/bin` is a symlink into /usr, as on every merged-/usr system; `/app -> /` is the hostile image of
 * issue 16's finding 12. With `resolvConf`, the image has an (empty) /etc/resolv.conf.
 */
function makeRootfs(root: string, options: { readonly resolvConf?: boolean } = {}): void {
  for (const dir of ['usr/bin', 'etc', 'data', 'srv', 'tmp', 'volt', 'proc', 'sys', 'dev', 'run']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  copyFileSync(BUSYBOX, join(root, 'usr/bin/busybox'));
  symlinkSync('usr/bin', join(root, 'bin'));
  symlinkSync('/', join(root, 'app'));
  for (const applet of ['sh', 'echo', 'cat', 'test', 'sleep']) {
    symlinkSync('busybox', join(root, 'usr/bin', applet));
  }
  writeFileSync(join(root, 'etc/os-release'), 'ID=vtl\nNAME="Volt Landlock test"\n');
  if (options.resolvConf === true) writeFileSync(join(root, 'etc/resolv.conf'), '');
  writeFileSync(join(root, 'volt/volt-landlock'), '');
  writeFileSync(join(root, 'volt/policy'), '');
}

function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  }
  rmdirSync(path);
}

/**
 * Runs systemd-nspawn the safe way: in its own child cgroup of /sys/fs/cgroup/unified, in a private mount
 * namespace with cgroup2 mounted at /sys/fs/cgroup, without registering or creating a unit.
 */
function runNspawn(cgroup: string, nspawnArgs: readonly string[]) {
  const quoted = nspawnArgs.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const inner = `mount -t cgroup2 none /sys/fs/cgroup && SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 exec systemd-nspawn --register=no --keep-unit -q ${quoted}`;
  const script = `mkdir -p ${cgroup} && echo $$ > ${cgroup}/cgroup.procs && exec unshare -m --propagation private sh -c "$1"`;
  return spawnSync('sh', ['-c', script, 'sh', inner], { encoding: 'utf8', timeout: 60_000 });
}

describe('the helper inside a container started by the real systemd-nspawn', () => {
  let dir = '';
  const cgroup = `/sys/fs/cgroup/unified/vtl-nspawn-${process.pid}`;
  afterEach(() => {
    removeCgroup(cgroup);
    removeTempDir(dir);
  });

  /** Runs `script` under the policy in a busybox container; the helper and the policy are bound at /volt. */
  async function landlocked(policy: Valid<LandlockPolicy>, allowLandlock: boolean, script: string) {
    dir = makeTempDir('nspawn');
    const root = join(dir, 'root');
    makeRootfs(root);
    const prepared = await prepareLandlock(policy);
    writeFileSync(join(dir, 'policy'), prepared.bytes);
    const wrapped = landlockWrapCommand({ helperPath: '/volt/volt-landlock', policyPath: '/volt/policy' }, [
      '/bin/sh',
      '-c',
      script,
    ]);
    const run = runNspawn(cgroup, [
      '--console=pipe',
      '-D',
      root,
      `--bind-ro=${landlockHelperPath()}:/volt/volt-landlock`,
      `--bind-ro=${join(dir, 'policy')}:/volt/policy`,
      ...(allowLandlock ? [`--system-call-filter=${LANDLOCK_SYSCALLS.join(' ')}`] : []),
      '--',
      ...wrapped,
    ]);
    return { run, root, prepared };
  }

  function container(compatibility: LandlockCompatibility, allowLandlock: boolean) {
    // Container paths: the workload sees /usr and /data; the rootfs prefix appears nowhere in the policy.
    const policy = withRules(
      landlockPolicy({ abi: 7, compatibility, handle: { net: false, scopes: false } }),
      readExec('/usr'),
      readWrite('/data'),
    );
    return landlocked(
      policy,
      allowLandlock,
      'echo inside > /data/inside; echo outside > /srv/outside; echo finished',
    );
  }

  it('denies a write outside the policy and allows one inside it', async () => {
    const { run, root, prepared } = await container('hard-requirement', true);
    expect(prepared.status.enforcement).toBe('fully');
    expect(run.stdout).toContain('finished');
    expect(run.stderr).toMatch(/can't create \/srv\/outside: Permission denied/);
    expect(existsSync(join(root, 'data/inside'))).toBe(true);
    expect(existsSync(join(root, 'srv/outside'))).toBe(false);
    expect(run.status).toBe(0);
  });

  it("fails clearly when nspawn's own filter blocks Landlock (systemd < 257) and the policy is required", async () => {
    const { run, root } = await container('soft-requirement', false);
    expect(run.status).toBe(125);
    expect(run.stderr).toMatch(
      /^volt-landlock: this kernel can enforce nothing of the policy \(soft requirement\): .* \(Landlock is not available: a seccomp filter blocks the Landlock system calls \(EPERM\)\)$/m,
    );
    expect(existsSync(join(root, 'data/inside'))).toBe(false);
  });

  it('best-effort without Landlock runs the workload unconfined and says so on stderr', async () => {
    const { run, root } = await container('best-effort', false);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /^volt-landlock: Landlock: not enforced: Landlock is not available: a seccomp filter blocks the Landlock system calls \(EPERM\) \(best-effort: the command runs unconfined\)/m,
    );
    expect(existsSync(join(root, 'srv/outside'))).toBe(true);
  });

  it("an image shipping `/app -> /` does not get the server preset's rights on /", async () => {
    // the server preset as a profile gets it: best-effort, every rule optional, /app read-write
    const { run, root } = await landlocked(
      landlockPreset('server'),
      true,
      'echo x > /srv/through-app; echo x > /app/srv/through-app; echo x > /tmp/inside && echo finished',
    );
    expect(run.stdout).toContain('finished');
    expect(run.stderr).toMatch(/^volt-landlock: {3}path:\/app: \/app is a symlink; rule skipped$/m);
    expect(run.stderr).toMatch(/^volt-landlock: {3}path:\/bin: \/bin is a symlink; rule skipped$/m);
    expect(run.stderr).toMatch(/can't create \/srv\/through-app: Permission denied/);
    expect(run.stderr).toMatch(/can't create \/app\/srv\/through-app: Permission denied/);
    expect(existsSync(join(root, 'srv/through-app'))).toBe(false);
    expect(run.status).toBe(0);
  });
});

describe('the helper as the first process of a Boot=no container (real systemd-nspawn)', () => {
  let dir = '';
  const cgroup = `/sys/fs/cgroup/unified/vtl-nspawn-init-${process.pid}`;
  afterEach(() => {
    removeCgroup(cgroup);
    removeTempDir(dir);
  });

  /** Runs the helper as PID 1 with a read-only root, Volt's resolv.conf and the helper bound under /run/volt. */
  function bootNo(options: { readonly resolvConf: boolean }, script: string) {
    dir = makeTempDir('nspawn-init');
    const root = join(dir, 'root');
    makeRootfs(root, options);
    const runtime = join(dir, 'runtime');
    mkdirSync(runtime);
    copyFileSync(landlockHelperPath(), join(runtime, 'volt-landlock'));
    writeFileSync(join(runtime, 'resolv.conf'), 'nameserver 10.213.7.53\n');
    return runNspawn(cgroup, [
      '--console=pipe',
      '--read-only',
      '-D',
      root,
      `--bind-ro=${runtime}:/run/volt`,
      '--',
      ...landlockWrapCommand(
        { helperPath: '/run/volt/volt-landlock', resolvConf: '/run/volt/resolv.conf', init: true },
        ['/bin/sh', '-c', script],
      ),
    ]);
  }

  it('is PID 1, passes the exit code on, and binds resolv.conf on a read-only root that has one', () => {
    const run = bootNo({ resolvConf: true }, 'cat /etc/resolv.conf; echo "pid=$$"; exit 9');
    expect(run.stdout).toMatch(/^nameserver 10\.213\.7\.53$/m);
    expect(run.stdout).toMatch(/^pid=2$/m);
    expect(run.stderr).toMatch(
      /^volt-landlock: DNS: \/run\/volt\/resolv\.conf bound over \/etc\/resolv\.conf$/m,
    );
    expect(run.status).toBe(9);
  });

  it('starts a read-only root without /etc/resolv.conf (nothing to bind over), and says so', () => {
    const run = bootNo({ resolvConf: false }, 'test -e /etc/resolv.conf || echo no-resolv-conf');
    expect(run.stdout).toMatch(/^no-resolv-conf$/m);
    expect(run.stderr).toMatch(
      /^volt-landlock: DNS: not configured: the read-only image has no \/etc\/resolv\.conf \(servers in \/run\/volt\/resolv\.conf\)$/m,
    );
    expect(run.status).toBe(0);
  });
});
