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

const CGROUP_ROOT = '/sys/fs/cgroup/unified';

/** The machine name of every probe container. */
export const MACHINE_NAME = 'vts-seccomp';

/** A busybox container tree with the static probe at /probe, in a private temp dir (prefix `vts-`). */
export interface ProbeContainer {
  readonly root: string;
  /**
   * Runs `script` (busybox sh) in the container the safe way. `settings` is a trusted settings file
   * (in /etc/systemd/nspawn); `untrustedSettings` is a file next to the tree (untrusted).
   */
  run(options: {
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly settings?: string;
    readonly untrustedSettings?: string;
    readonly script: string;
  }): { readonly status: number | null; readonly stdout: string; readonly stderr: string };
  cleanup(): void;
}

function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true }))
    if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  rmdirSync(path);
}

/**
 * Builds a minimal container tree (busybox-static, /usr, os-release) holding the probe binary.
 *
 * nspawn runs as described in the team facts: in its own child cgroup of /sys/fs/cgroup/unified,
 * inside `unshare -m --propagation private` with cgroup2 mounted at /sys/fs/cgroup, with
 * `SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --register=no --keep-unit`. A settings file is put
 * in place by bind-mounting a temp dir over /etc/systemd/nspawn inside that mount namespace only.
 *
 * @example
 * ```ts
 * const box = createProbeContainer(probe); try { box.run({ args: [], env: {}, script: '/probe syscall 110' }); } finally { box.cleanup(); }
 * ```
 */
export function createProbeContainer(probe: string): ProbeContainer {
  const base = mkdtempSync(join(tmpdir(), 'vts-nspawn-'));
  // The tree's name is also the machine name, so that nspawn finds an untrusted `NAME.nspawn` next to it.
  const root = join(base, MACHINE_NAME);
  for (const dir of ['bin', 'usr/bin', 'etc', 'proc', 'sys', 'dev', 'run', 'tmp', 'var'])
    mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  copyFileSync(probe, join(root, 'probe'));
  spawnSync('chmod', ['755', join(root, 'bin/busybox'), join(root, 'probe')]);
  writeFileSync(join(root, 'etc/os-release'), 'ID=vts\nNAME="volt seccomp test"\n');
  writeFileSync(join(root, 'etc/machine-id'), '');
  const settingsDir = join(base, 'settings');
  mkdirSync(settingsDir);
  // The bind mount needs /etc/systemd/nspawn to exist on the host; create it only if missing, and remove it
  // again in cleanup().
  const createdSettingsMountPoint = !existsSync('/etc/systemd/nspawn');
  if (createdSettingsMountPoint) mkdirSync('/etc/systemd/nspawn', { recursive: true });
  let counter = 0;
  return {
    root,
    run({ args, env, settings, untrustedSettings, script }) {
      const name = MACHINE_NAME;
      const cgroup = join(CGROUP_ROOT, `vts-seccomp-${process.pid}-${counter++}`);
      mkdirSync(cgroup);
      try {
        rmSync(join(settingsDir, `${name}.nspawn`), { force: true });
        if (settings !== undefined) writeFileSync(join(settingsDir, `${name}.nspawn`), settings);
        rmSync(join(base, `${name}.nspawn`), { force: true });
        if (untrustedSettings !== undefined) writeFileSync(join(base, `${name}.nspawn`), untrustedSettings);
        const inner = [
          'set -e',
          'mount -t cgroup2 none /sys/fs/cgroup',
          ...(settings !== undefined ? [`mount --bind "${settingsDir}" /etc/systemd/nspawn`] : []),
          'exec env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 "$@"',
        ].join('\n');
        const nspawn = [
          'systemd-nspawn',
          '--register=no',
          '--keep-unit',
          '--quiet',
          '--console=pipe',
          `--machine=${name}`,
          `--directory=${root}`,
          ...args,
          '/bin/busybox',
          'sh',
          '-c',
          script,
        ];
        const outer = `echo $$ > "${cgroup}/cgroup.procs" && exec unshare -m --propagation private sh -c '${inner.replaceAll("'", "'\\''")}' inner "$@"`;
        const result = spawnSync('sh', ['-c', outer, 'outer', ...nspawn], {
          encoding: 'utf8',
          env: { ...process.env, ...env },
          timeout: 60_000,
        });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr };
      } finally {
        removeCgroup(cgroup);
      }
    },
    cleanup() {
      rmSync(base, { recursive: true, force: true });
      if (createdSettingsMountPoint) rmdirSync('/etc/systemd/nspawn');
      // A probe container has no processes left once run() returned; its cgroups are removed there.
      // nspawn may leave its (empty) propagation directory behind when /run is not a tmpfs
      rmSync(join('/run/systemd/nspawn/propagate', MACHINE_NAME), { recursive: true, force: true });
    },
  };
}
