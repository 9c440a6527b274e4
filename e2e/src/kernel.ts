import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VoltError } from '@volt/core';
import { runCommand } from './exec.js';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const PT_NOTE = 4;
const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/**
 * The offset of the xz stream that holds the compressed kernel inside a bzImage, or -1.
 *
 * @example
 * ```ts
 * findXzStreamOffset(Buffer.from([0, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])); // 1
 * ```
 */
export function findXzStreamOffset(bzImage: Buffer): number {
  return bzImage.indexOf(XZ_MAGIC);
}

/**
 * True when `elf` is a 64-bit little-endian ELF with a Xen `PHYS32_ENTRY` note: QEMU can then boot it
 * directly through the PVH entry point, skipping the bzImage decompressor.
 *
 * @example
 * ```ts
 * hasPvhEntryNote(await readFile('vmlinux')); // true for Debian's 6.1 kernel (CONFIG_PVH=y)
 * ```
 */
export function hasPvhEntryNote(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return false;
  const programHeaderOffset = Number(elf.readBigUInt64LE(32));
  const programHeaderSize = elf.readUInt16LE(54);
  const programHeaderCount = elf.readUInt16LE(56);
  for (let index = 0; index < programHeaderCount; index++) {
    const header = programHeaderOffset + index * programHeaderSize;
    if (header + 56 > elf.length || elf.readUInt32LE(header) !== PT_NOTE) continue;
    const start = Number(elf.readBigUInt64LE(header + 8));
    const end = Math.min(elf.length, start + Number(elf.readBigUInt64LE(header + 32)));
    for (let note = start; note + 12 <= end; ) {
      const nameSize = elf.readUInt32LE(note);
      const descriptionSize = elf.readUInt32LE(note + 4);
      const type = elf.readUInt32LE(note + 8);
      const name = elf.toString('latin1', note + 12, note + 12 + Math.max(0, nameSize - 1));
      if (name === 'Xen' && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
      note += 12 + Math.ceil(nameSize / 4) * 4 + Math.ceil(descriptionSize / 4) * 4;
    }
  }
  return false;
}

/**
 * The kernel image package Debian's metapackage currently depends on, with its candidate version,
 * e.g. `{ name: 'linux-image-6.1.0-56-amd64', version: '6.1.192-2' }`. Runs `apt-get update` once
 * when the package lists are empty.
 *
 * @example
 * ```ts
 * const kernel = await resolveKernelPackage('linux-image-amd64');
 * ```
 * @throws VoltError `NOT_FOUND` when apt knows no such metapackage.
 */
export async function resolveKernelPackage(
  metapackage: string,
): Promise<{ readonly name: string; readonly version: string }> {
  const lookUp = async (): Promise<string | undefined> => {
    const { stdout } = await runCommand('apt-cache', ['depends', metapackage], { allowFailure: true });
    return /^\s*Depends:\s*(linux-image-\S+)/m.exec(stdout)?.[1];
  };
  let name = await lookUp();
  if (name === undefined) {
    await runCommand('apt-get', ['update', '-q']);
    name = await lookUp();
  }
  if (name === undefined) {
    throw new VoltError('NOT_FOUND', `apt-cache knows no kernel package behind ${metapackage}`, {
      hint: 'check the apt sources; the suite needs Debian bookworm main',
    });
  }
  const { stdout } = await runCommand('apt-cache', ['policy', name]);
  const version = /Candidate:\s*(\S+)/.exec(stdout)?.[1];
  if (version === undefined || version === '(none)') {
    throw new VoltError('NOT_FOUND', `apt-cache has no candidate version of ${name}`);
  }
  return { name, version };
}

/** A kernel image package unpacked in the cache. */
export interface UnpackedKernel {
  /** The kernel release, e.g. `6.1.0-56-amd64` (the directory name under lib/modules). */
  readonly release: string;
  /** The file QEMU boots: the uncompressed vmlinux when it has a PVH entry, the bzImage otherwise. */
  readonly bootFile: string;
  readonly bootProtocol: 'pvh' | 'bzImage';
  /** The unpacked package root (boot/, lib/modules/...). */
  readonly root: string;
}

/**
 * Downloads the kernel package with `apt-get download` into `directory` (once), unpacks it with
 * `dpkg-deb -x` (nothing is installed on the host) and extracts the uncompressed vmlinux from the
 * bzImage when that kernel can boot through PVH.
 *
 * @example
 * ```ts
 * const kernel = await fetchKernel({ name: 'linux-image-6.1.0-56-amd64', version: '6.1.192-2' }, '/var/cache/volt-e2e/kernel');
 * ```
 * @throws VoltError `COMMAND_FAILED` when apt-get or dpkg-deb fail.
 */
export async function fetchKernel(
  kernelPackage: { readonly name: string; readonly version: string },
  directory: string,
): Promise<UnpackedKernel> {
  const root = join(directory, `${kernelPackage.name}_${kernelPackage.version}`);
  const unpackedMark = join(root, '.unpacked');
  const exists = await readFile(unpackedMark, 'utf8').catch(() => undefined);
  if (exists === undefined) {
    const staging = `${root}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await runCommand('apt-get', ['download', `${kernelPackage.name}=${kernelPackage.version}`], {
      cwd: staging,
    });
    const debs = (await readdir(staging)).filter((file) => file.endsWith('.deb'));
    const deb = debs[0];
    if (deb === undefined) throw new VoltError('NOT_FOUND', `apt-get download left no .deb in ${staging}`);
    await runCommand('dpkg-deb', ['-x', join(staging, deb), join(staging, 'root')]);
    await rm(join(staging, deb));
    const release = (await readdir(join(staging, 'root/lib/modules')))[0] ?? '';
    const bzImage = join(staging, 'root/boot', `vmlinuz-${release}`);
    const vmlinux = join(staging, 'vmlinux');
    const protocol = (await extractVmlinux(bzImage, vmlinux)) ? 'pvh' : 'bzImage';
    await rm(join(staging, 'root/lib/modules', release, 'kernel/drivers/gpu'), {
      recursive: true,
      force: true,
    });
    await writeFile(join(staging, '.unpacked'), JSON.stringify({ release, protocol }));
    await rm(root, { recursive: true, force: true });
    await rename(staging, root);
  }
  const mark = JSON.parse(await readFile(unpackedMark, 'utf8')) as {
    release: string;
    protocol: 'pvh' | 'bzImage';
  };
  return {
    release: mark.release,
    bootProtocol: mark.protocol,
    bootFile:
      mark.protocol === 'pvh' ? join(root, 'vmlinux') : join(root, 'root/boot', `vmlinuz-${mark.release}`),
    root: join(root, 'root'),
  };
}

/** Decompresses the xz payload of `bzImage` into `output`; true when the result has a PVH entry note. */
async function extractVmlinux(bzImage: string, output: string): Promise<boolean> {
  const offset = findXzStreamOffset(await readFile(bzImage));
  if (offset < 0) return false;
  const xz = spawn('xz', ['-dc', '--single-stream'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<boolean>((resolve) => {
    xz.on('error', () => resolve(false));
    xz.on('close', (code) => resolve(code === 0));
  });
  // xz stops reading at the end of the stream; the rest of the bzImage is not needed (EPIPE is fine)
  const feeding = pipeline(createReadStream(bzImage, { start: offset }), xz.stdin).catch(() => undefined);
  const [ok] = await Promise.all([exited, pipeline(xz.stdout, createWriteStream(output)), feeding]);
  if (!ok) {
    await rm(output, { force: true });
    return false;
  }
  const pvh = hasPvhEntryNote(await readFile(output));
  if (!pvh) await rm(output, { force: true });
  return pvh;
}
