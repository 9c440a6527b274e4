// The OCI bundles renderOciBundle writes, run by the real runtimes crun and runc on this kernel: a busybox
// container whose payload reports what it sees (argv, environment, user, capabilities, the read-only root,
// the resolv.conf bind, a mount that seccomp or a missing capability denies, writes that Landlock allows
// or denies, its network links). Each run happens in a private mount namespace with cgroup2 mounted over
// /sys/fs/cgroup and in a network namespace of the test's own with a veth pair, so nothing reads or
// writes the host's cgroup v1 hierarchies or its network: crun with its cgroup manager disabled, runc in
// a child group of the cgroup2 root that it removes when the container ends (afterAll removes one left
// behind). This host's cgroup2 has only the hugetlb controller, so the limits (linux.resources) are left to
// the VM suite (e2e checks 27-29), which reads them back from the container's cgroup.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostOciTarget,
  NSPAWN_CAPABILITIES,
  type OciRuntimeConfig,
  type OciTarget,
  parseIsolation,
  pickUserRange,
  renderOciBundle,
  writeOciBundle,
} from '../src/index.js';

interface Runtime {
  readonly name: 'crun' | 'runc';
  readonly binary: string;
  readonly globalOptions: readonly string[];
  /** linux.cgroupsPath of a container: under the cgroup2 root, which the host mounts at CGROUP2_ON_HOST. */
  readonly cgroupsPath?: (id: string) => string;
}

const CGROUP2_ON_HOST = '/sys/fs/cgroup/unified';
const RUNC_CGROUP_PREFIX = `vtn-oci-runc-${process.pid}-`;
const RUNTIMES: readonly Runtime[] = [
  { name: 'crun', binary: '/usr/bin/crun', globalOptions: ['--cgroup-manager=disabled'] },
  {
    name: 'runc',
    binary: '/usr/sbin/runc',
    globalOptions: [],
    cgroupsPath: (id) => `/${RUNC_CGROUP_PREFIX}${id}`,
  },
];
/** A veth link in the test's network namespace: a host-mode container sees it, the others do not. */
const HOST_LINK = 'vtn-host0';
/** A named network namespace of the test's own, for a private container to join. */
const PRIVATE_NETNS = `vtn-oci-${process.pid}`;
const PRIVATE_LINK = 'vtn-priv0';

/** Capability numbers (linux/capability.h) of the names the tests use. */
const CAPABILITY_BITS: Readonly<Record<string, number>> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_OWNER: 15,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
};

/** The `CapEff:` line of /proc/self/status for a set of capabilities. */
function capEff(names: readonly string[]): RegExp {
  const mask = names.reduce((bits, name) => bits | (1n << BigInt(CAPABILITY_BITS[name] ?? 63)), 0n);
  return new RegExp(`^CapEff:\\s+${mask.toString(16).padStart(16, '0')}$`, 'm');
}

const PAYLOAD = `echo "args=$*"
echo "env-app=$APP_MODE container=$VOLT_CONTAINER runtime=$VOLT_RUNTIME"
echo "path=$PATH"
echo "id=$(id -u):$(id -g)"
read inside outside size < /proc/self/uid_map; echo "uid_map=$inside $outside $size"
grep CapEff /proc/self/status
touch /probe 2>&1; echo "root-write=$?"
while read line; do echo "resolv: $line"; done < /etc/resolv.conf
(echo x > /tmp/landlock-allowed) 2>&1; echo "tmp-write=$?"
(echo x > /dev/shm/landlock-denied) 2>&1; echo "shm-write=$?"
mkdir -p /tmp/m; mount -t tmpfs none /tmp/m 2>&1; echo "mount=$?"
ip -o link | while read number name rest; do name=\${name%:}; echo "link=\${name%@*}"; done
`;

let scratch: string;
let rootfs: string;
let target: (bundle: string, runtime: Runtime) => OciTarget;
let runs = 0;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'vtn-oci-'));
  // The runtimes open the bundle's bind sources as the container's mapped root: the path must be searchable.
  chmodSync(scratch, 0o755);
  rootfs = join(scratch, 'rootfs');
  for (const dir of ['bin', 'etc', 'dev', 'proc', 'sys', 'tmp', 'run', 'usr/lib/vtn'])
    mkdirSync(join(rootfs, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'echo', 'cat', 'id', 'grep', 'touch', 'mkdir', 'mount', 'ip']) {
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  writeFileSync(join(rootfs, 'etc/resolv.conf'), '');
  // Under /usr, which the Landlock server preset lets the payload read.
  writeFileSync(join(rootfs, 'usr/lib/vtn/payload.sh'), PAYLOAD);
  const host = await hostOciTarget(join(scratch, 'bundle'));
  target = (bundle, runtime) => ({
    ...host,
    bundle,
    ...(runtime.cgroupsPath === undefined ? {} : { cgroupsPath: runtime.cgroupsPath(String(runs)) }),
  });
  const made = spawnSync('sh', [
    '-c',
    `ip netns add ${PRIVATE_NETNS} && ip -n ${PRIVATE_NETNS} link add ${PRIVATE_LINK} type veth peer name ${PRIVATE_LINK}p`,
  ]);
  if (made.status !== 0) throw new Error(`cannot make the test's network namespace: ${made.stderr}`);
});

afterAll(() => {
  spawnSync('ip', ['netns', 'delete', PRIVATE_NETNS]);
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  // runc removes its group when the container ends; one left by a failed run is empty, so rmdir works.
  for (const entry of readdirSync(CGROUP2_ON_HOST)) {
    if (entry.startsWith(RUNC_CGROUP_PREFIX)) rmdirSync(join(CGROUP2_ON_HOST, entry));
  }
});

interface Run {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Renders `document` (a profile for the busybox rootfs) into a fresh bundle, lets `edit` change the
 * runtime config, writes the bundle and runs it with `runtime`.
 */
async function runBundle(
  runtime: Runtime,
  document: Record<string, unknown>,
  edit: (config: OciRuntimeConfig) => OciRuntimeConfig = (config) => config,
  id = `vtn-oci-${process.pid}-${runs}`,
): Promise<Run> {
  const bundleDir = join(scratch, `bundle-${runs}`);
  const config = unwrap(
    parseIsolation({
      name: id,
      rootfs,
      boot: false,
      command: ['/bin/sh', '/usr/lib/vtn/payload.sh', 'alpha', 'beta'],
      environment: { APP_MODE: 'production' },
      ...document,
    }),
  );
  const bundle = renderOciBundle(config, target(bundleDir, runtime));
  runs += 1;
  // This host's cgroup2 has no memory, cpu, io or pids controller for runc to write: limits are the VM's.
  const edited = edit(
    runtime.name === 'runc'
      ? { ...bundle.config, linux: { ...bundle.config.linux, resources: {} } }
      : bundle.config,
  );
  await writeOciBundle({
    ...bundle,
    files: bundle.files.map((file) =>
      file.path.endsWith('/config.json') ? { ...file, content: { text: JSON.stringify(edited) } } : file,
    ),
  });
  const command = [
    runtime.binary,
    ...runtime.globalOptions,
    `--root=${join(scratch, 'state', runtime.name)}`,
    'run',
    '--bundle',
    bundleDir,
    id,
  ].join(' ');
  const run = spawnSync(
    'unshare',
    [
      '-m',
      '-n',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount -t cgroup2 none /sys/fs/cgroup && ip link add ${HOST_LINK} type veth peer name ${HOST_LINK}p && exec ${command}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const withoutCapability =
  (capability: string) =>
  (config: OciRuntimeConfig): OciRuntimeConfig => {
    const kept = config.process.capabilities.bounding.filter((name) => name !== capability);
    return {
      ...config,
      process: { ...config.process, capabilities: { bounding: kept, effective: kept, permitted: kept } },
    };
  };

describe.each(RUNTIMES)('an OCI bundle run by $name', (runtime) => {
  it('runs the payload as the profile says: argv, environment, read-only root, DNS bind, strict seccomp, Landlock, no network', async () => {
    const name = `vtn-oci-${process.pid}-${runs}`;
    const run = await runBundle(runtime, {
      readOnlyRoot: true,
      landlock: 'server',
      seccomp: { profile: 'strict', action: { errno: 'EXDEV' } },
      network: { mode: 'none', dns: ['192.0.2.53'], searchDomains: ['example.test'] },
    });
    expect(run.output).toContain('args=alpha beta\n');
    expect(run.output).toContain(`env-app=production container=${name} runtime=oci\n`);
    expect(run.output).toContain('path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    expect(run.output).toContain('id=0:0\n');
    expect(run.output).toMatch(/touch: \/probe: Read-only file system\nroot-write=1\n/);
    expect(run.output).toContain('resolv: nameserver 192.0.2.53\n');
    expect(run.output).toContain('resolv: search example.test\n');
    // Landlock's server preset: /tmp is writable, /dev is not (and /proc is not readable either)
    expect(run.output).toContain('tmp-write=0\n');
    expect(run.output).toMatch(/\/dev\/shm\/landlock-denied: Permission denied\nshm-write=[1-9]/);
    expect(run.output).toMatch(/can't open \/proc\/self\/uid_map: Permission denied/);
    // the filter's errno, EXDEV: the denial is seccomp's, not a missing capability's (EPERM)
    expect(run.output).toMatch(/Invalid cross-device link\nmount=[1-9]/);
    expect(run.output.match(/^link=.*$/gm)).toEqual(['link=lo']);
    expect(run.status).toBe(0);
  });

  it('without Landlock, seccomp or a network of its own the payload writes /dev/shm, mounts and sees the host links (the baselines)', async () => {
    const run = await runBundle(runtime, {
      landlock: 'none',
      seccomp: 'unconfined',
      network: { mode: 'host' },
    });
    expect(run.output).toContain('shm-write=0\n');
    expect(run.output).toContain('mount=0\n');
    expect(run.output.match(/^link=.*$/gm)?.sort()).toEqual([
      'link=lo',
      `link=${HOST_LINK}`,
      `link=${HOST_LINK}p`,
    ]);
    // nspawn's capabilities, without CAP_NET_ADMIN in the host's network (as nspawn)
    expect(run.output).toMatch(capEff(NSPAWN_CAPABILITIES));
    expect(run.status).toBe(0);
  });

  it('a bundle without CAP_SYS_ADMIN cannot mount, under the same unconfined seccomp', async () => {
    const run = await runBundle(
      runtime,
      { landlock: 'none', seccomp: 'unconfined', network: { mode: 'host' } },
      withoutCapability('CAP_SYS_ADMIN'),
    );
    // busybox's words for EPERM
    expect(run.output).toMatch(/permission denied \(are you root\?\)\nmount=[1-9]/);
    expect(run.output).toMatch(capEff(NSPAWN_CAPABILITIES.filter((name) => name !== 'CAP_SYS_ADMIN')));
    expect(run.status).toBe(0);
  });

  it('a private container joins the network namespace named for it (/run/netns/NAME, as @volt/netns makes it), as root of its own user namespace', async () => {
    const run = await runBundle(
      runtime,
      { landlock: 'none', network: { mode: 'private' } },
      undefined,
      PRIVATE_NETNS,
    );
    expect(run.output.match(/^link=.*$/gm)?.sort()).toEqual([
      'link=lo',
      `link=${PRIVATE_LINK}`,
      `link=${PRIVATE_LINK}p`,
    ]);
    expect(run.output).toContain('id=0:0\n');
    expect(run.output).toContain(`uid_map=0 ${pickUserRange(PRIVATE_NETNS).hostId} 65536\n`);
    // nspawn adds CAP_NET_ADMIN for a network of the container's own
    expect(run.output).toMatch(capEff([...NSPAWN_CAPABILITIES, 'CAP_NET_ADMIN']));
    expect(run.status).toBe(0);
  });
});

it('leaves no container state behind', () => {
  for (const runtime of RUNTIMES) {
    const state = join(scratch, 'state', runtime.name);
    expect(existsSync(state) ? readdirSync(state) : []).toEqual([]);
  }
});
