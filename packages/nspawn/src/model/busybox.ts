/**
 * The tree of a minimal busybox container root, as data: what systemd-nspawn needs to run it (`/usr` and an
 * os-release file, mount points for `/proc`, `/sys`, `/dev`, `/run`, `/tmp`) and what a read-only root
 * needs in place already (`/etc/resolv.conf` and `/etc/localtime`, which nspawn binds over and cannot create
 * in a read-only root). The applets are links to `/bin/busybox`, made from `busybox --list-full`.
 *
 * @example
 * ```ts
 * BUSYBOX_ROOTFS.directories.find((entry) => entry.path === 'tmp')?.mode; // 0o1777
 * ```
 */
export const BUSYBOX_ROOTFS: {
  readonly directories: readonly { readonly path: string; readonly mode: number }[];
  readonly files: readonly { readonly path: string; readonly mode: number; readonly text: string }[];
  /** Where the busybox binary goes, relative to the root. */
  readonly busybox: string;
} = {
  directories: [
    ...[
      'bin',
      'sbin',
      'usr',
      'usr/bin',
      'usr/sbin',
      'usr/lib',
      'etc',
      'proc',
      'sys',
      'dev',
      'run',
      'var',
    ].map((path) => ({ path, mode: 0o755 })),
    { path: 'root', mode: 0o700 },
    { path: 'tmp', mode: 0o1777 },
    { path: 'var/tmp', mode: 0o1777 },
  ],
  files: [
    {
      path: 'etc/os-release',
      mode: 0o644,
      text: 'ID=busybox\nNAME="BusyBox"\nPRETTY_NAME="BusyBox (volt rootfs busybox)"\n',
    },
    {
      path: 'etc/passwd',
      mode: 0o644,
      text: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    },
    { path: 'etc/group', mode: 0o644, text: 'root:x:0:\nnogroup:x:65534:\n' },
    { path: 'etc/resolv.conf', mode: 0o644, text: '' },
    { path: 'etc/localtime', mode: 0o644, text: '' },
    { path: 'etc/machine-id', mode: 0o444, text: '' },
  ],
  busybox: 'bin/busybox',
};

/**
 * Whether an ELF executable is statically linked: it has no `PT_INTERP` program header (no dynamic loader
 * to run it), so it runs in a root without a C library. Undefined for what is not a 64-bit ELF file.
 *
 * @example
 * ```ts
 * elfIsStatic(readFileSync('/bin/busybox')); // true for Debian's busybox-static
 * ```
 */
export function elfIsStatic(bytes: Uint8Array): boolean | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // "\x7fELF", class 2 (64-bit), data 1 (little-endian)
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46 || data[4] !== 2 || data[5] !== 1)
    return undefined;
  const programHeaders = Number(data.readBigUInt64LE(32));
  const entrySize = data.readUInt16LE(54);
  const count = data.readUInt16LE(56);
  if (programHeaders + entrySize * count > data.length || entrySize < 4) return undefined;
  for (let index = 0; index < count; index++) {
    if (data.readUInt32LE(programHeaders + index * entrySize) === 3) return false; // PT_INTERP
  }
  return true;
}

/**
 * The applet links of `busybox --list-full` (`bin/sh`, `usr/bin/env`, …) that go into the root: relative
 * paths in its directories, busybox itself left out.
 *
 * @example
 * ```ts
 * busyboxApplets('bin/sh\nusr/bin/env\nbin/busybox\n../evil\n'); // ['bin/sh', 'usr/bin/env']
 * ```
 */
export function busyboxApplets(list: string): readonly string[] {
  const directories = new Set(BUSYBOX_ROOTFS.directories.map((entry) => entry.path));
  return list
    .split('\n')
    .map((line) => line.trim())
    .filter((path) => {
      const slash = path.lastIndexOf('/');
      const name = path.slice(slash + 1);
      return (
        slash > 0 &&
        directories.has(path.slice(0, slash)) &&
        /^[A-Za-z0-9._[-]+$/.test(name) &&
        path !== BUSYBOX_ROOTFS.busybox
      );
    });
}
