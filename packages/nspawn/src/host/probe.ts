import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { release } from 'node:os';
import { dirname } from 'node:path';
import { type Cgroup2Hierarchy, probeCgroup2 } from '@volt/cgroups';
import { probeLandlock } from '@volt/landlock';
import { probeSeccomp, type SeccompKernel } from '@volt/seccomp';
import { MACHINES_DIR } from '../model/defaults.js';
import { type IdmappedMounts, idmappedMounts, toolVersion } from '../model/host-facts.js';

/** What this host offers each isolation layer, as `volt probe` reports it. */
export interface HostProbe {
  /** The kernel release (`uname -r`). */
  readonly kernel: string;
  /** The Landlock ABI and errata the kernel reports (ABI 0: no Landlock), or why it could not be asked. */
  readonly landlock: { readonly abi: number; readonly errata: number } | { readonly error: string };
  readonly seccomp: SeccompKernel;
  /** The cgroup2 hierarchy of this process, or why there is none. */
  readonly cgroup: Cgroup2Hierarchy | { readonly error: string };
  readonly userNamespaces: {
    /** `/proc/sys/user/max_user_namespaces` (0: none can be made); null where the file is missing. */
    readonly max: number | null;
    /** Whether the machines directory can be ID-mapped (`PrivateUsersOwnership=auto`). */
    readonly idmappedMounts: IdmappedMounts;
  };
  readonly systemd: {
    /** `systemctl --version`, null when systemd is not installed. */
    readonly version: string | null;
    /** Whether systemd is the init system (PID 1): what machinectl, systemctl and `volt run` need. */
    readonly pid1: boolean;
    /** The name of PID 1 (`/proc/1/comm`). */
    readonly pid1Name: string;
  };
  readonly nspawn: { readonly version: string | null };
  readonly nftables: { readonly version: string | null };
}

/**
 * Whether systemd is this host's init system: the check systemd itself makes (`sd_booted()`), the
 * directory `/run/systemd/system` that only a booted systemd creates.
 *
 * @example
 * ```ts
 * systemdIsPid1(); // false in a container or on a host with another init
 * ```
 */
export function systemdIsPid1(): boolean {
  return existsSync('/run/systemd/system');
}

/** A tool's `--version`, or null when it cannot be run. */
function versionOf(tool: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 }, (error, stdout) =>
      resolve(error === null ? (toolVersion(stdout) ?? null) : null),
    );
  });
}

/** The nearest directory on the way to `path` that exists (`/` at the end). */
function existingAncestor(path: string): string {
  let directory = path;
  while (!existsSync(directory) && directory !== '/') directory = dirname(directory);
  return directory;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Probes this host for every isolation layer at once: the kernel's Landlock ABI and errata (through the
 * helper), seccomp and its actions, the cgroup2 hierarchy and its controllers, user namespaces and whether
 * the machines directory can be ID-mapped, the versions of systemd, systemd-nspawn and nftables, and
 * whether systemd is PID 1. A layer that cannot be probed says why; nothing is changed on the host.
 *
 * @example
 * ```ts
 * const host = await probeHost();
 * 'abi' in host.landlock && host.landlock.abi; // 7 on Linux 6.18
 * ```
 */
export async function probeHost(): Promise<HostProbe> {
  const kernel = release();
  const machines = existingAncestor(MACHINES_DIR);
  const [landlock, seccomp, cgroup, maxText, fileSystem, pid1Name, systemd, nspawn, nftables] =
    await Promise.all([
      probeLandlock().then(
        ({ abi, errata }) => ({ abi, errata }),
        (error: unknown) => ({ error: describe(error) }),
      ),
      probeSeccomp(),
      probeCgroup2().catch((error: unknown) => ({ error: describe(error) })),
      readFile('/proc/sys/user/max_user_namespaces', 'utf8').catch(() => null),
      statfs(machines).then(
        ({ type }) => type,
        () => undefined,
      ),
      readFile('/proc/1/comm', 'utf8').then(
        (text) => text.trim(),
        () => 'unknown',
      ),
      versionOf('systemctl'),
      versionOf('systemd-nspawn'),
      versionOf('nft'),
    ]);
  return {
    kernel,
    landlock,
    seccomp,
    cgroup,
    userNamespaces: {
      max: maxText === null ? null : Number(maxText.trim()),
      idmappedMounts: idmappedMounts(kernel, fileSystem, machines),
    },
    systemd: { version: systemd, pid1: systemdIsPid1(), pid1Name },
    nspawn: { version: nspawn },
    nftables: { version: nftables },
  };
}
