/**
 * File systems whose mounts can be ID-mapped, with the first Linux release that can (by `statfs` type):
 * what `--private-users-ownership=auto` needs to map a private container's users onto its root without
 * changing the files. Elsewhere systemd-nspawn falls back to chowning the whole tree once.
 *
 * @example
 * ```ts
 * IDMAPPED_FILE_SYSTEMS.find((fs) => fs.name === 'btrfs')?.since; // [5, 15]
 * ```
 */
export const IDMAPPED_FILE_SYSTEMS: readonly {
  readonly name: string;
  /** The `f_type` magic number `statfs(2)` reports. */
  readonly type: number;
  readonly since: readonly [number, number];
}[] = [
  { name: 'ext4', type: 0xef53, since: [5, 12] },
  { name: 'xfs', type: 0x58465342, since: [5, 12] },
  { name: 'vfat', type: 0x4d44, since: [5, 12] },
  { name: 'btrfs', type: 0x9123683e, since: [5, 15] },
  { name: 'overlay', type: 0x794c7630, since: [5, 19] },
  { name: 'tmpfs', type: 0x01021994, since: [6, 3] },
];

/** The first Linux release with ID-mapped mounts (`mount_setattr(2)` with `MOUNT_ATTR_IDMAP`). */
const IDMAPPED_MOUNTS_SINCE: readonly [number, number] = [5, 12];

/**
 * The major and minor version of a Linux release string (`6.18.44-fc`), or undefined.
 *
 * @example
 * ```ts
 * kernelVersion('6.1.0-56-amd64'); // [6, 1]
 * ```
 */
export function kernelVersion(release: string): readonly [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(release);
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

function atLeast(version: readonly [number, number], since: readonly [number, number]): boolean {
  return version[0] > since[0] || (version[0] === since[0] && version[1] >= since[1]);
}

/** Whether a private container's root can be ID-mapped here, and why. */
export interface IdmappedMounts {
  readonly supported: 'yes' | 'no' | 'unknown';
  readonly detail: string;
}

/**
 * Whether the directory of a private container's root (`/var/lib/machines`, by `statfs` type) can be
 * ID-mapped by this kernel: what `PrivateUsersOwnership=auto` uses, falling back to a one-time recursive
 * chown of the tree where it cannot.
 *
 * @example
 * ```ts
 * idmappedMounts('6.1.0', 0xef53, '/var/lib/machines').supported; // 'yes'
 * idmappedMounts('5.10.0', 0xef53, '/var/lib/machines').supported; // 'no'
 * ```
 */
export function idmappedMounts(
  release: string,
  fileSystemType: number | undefined,
  directory: string,
): IdmappedMounts {
  const version = kernelVersion(release);
  if (version === undefined)
    return { supported: 'unknown', detail: `kernel release ${release} not understood` };
  if (!atLeast(version, IDMAPPED_MOUNTS_SINCE)) {
    return {
      supported: 'no',
      detail: `Linux ${version.join('.')} has none (since ${IDMAPPED_MOUNTS_SINCE.join('.')}); nspawn chowns a private container's tree instead`,
    };
  }
  if (fileSystemType === undefined) {
    return { supported: 'unknown', detail: `the file system of ${directory} cannot be read` };
  }
  const fileSystem = IDMAPPED_FILE_SYSTEMS.find((candidate) => candidate.type === fileSystemType);
  if (fileSystem === undefined) {
    return {
      supported: 'unknown',
      detail: `${directory} is on a file system (type 0x${fileSystemType.toString(16)}) Volt has no record of; nspawn maps it if it can, or chowns the tree`,
    };
  }
  return atLeast(version, fileSystem.since)
    ? {
        supported: 'yes',
        detail: `${directory} is on ${fileSystem.name} (idmapped since Linux ${fileSystem.since.join('.')})`,
      }
    : {
        supported: 'no',
        detail: `${directory} is on ${fileSystem.name}, idmapped only since Linux ${fileSystem.since.join('.')}; nspawn chowns a private container's tree instead`,
      };
}

/**
 * The version a `--version` output states: systemd's number and package (`systemd 252 (252.39-1~deb12u2)`)
 * or the first version-like word (nftables' `v1.0.6`); undefined when there is none.
 *
 * @example
 * ```ts
 * toolVersion('systemd 252 (252.39-1~deb12u2)\n+PAM +AUDIT'); // '252 (252.39-1~deb12u2)'
 * toolVersion('nftables v1.0.6 (Lester Gooch #5)\n'); // '1.0.6'
 * ```
 */
export function toolVersion(output: string): string | undefined {
  const first = output.split('\n')[0] ?? '';
  const systemd = /^systemd (\d+(?: \([^)]*\))?)/.exec(first);
  if (systemd !== null) return systemd[1];
  return /\bv?(\d+(?:\.\d+)+)\b/.exec(first)?.[1];
}
