import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCommand } from './exec.js';
import { fetchKernel, resolveKernelPackage, type UnpackedKernel } from './kernel.js';
import { moduleClosure, parseModulesDep, parseModulesSoftdep, selectModules } from './modules.js';
import type { Progress } from './progress.js';
import { type ImageRecipe, imageCacheKey } from './recipe.js';

/** A base image ready to boot: the kernel QEMU loads and the cpio archive of the root file system. */
export interface BaseImage {
  readonly key: string;
  readonly kernel: string;
  readonly bootProtocol: 'pvh' | 'bzImage';
  readonly kernelRelease: string;
  readonly cpio: string;
  /** True when it came from the cache. */
  readonly cached: boolean;
  readonly buildSeconds: number;
}

async function readTree(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(directory, path), await readFile(path, 'utf8'));
  }
  return files;
}

/**
 * Packs `directory` into an uncompressed newc cpio archive owned by root, in name order. The archive can
 * be concatenated with others: the kernel unpacks them one after the other into its rootfs.
 *
 * @example
 * ```ts
 * await packCpio('/tmp/run-layer', '/tmp/run.cpio');
 * ```
 * @throws VoltError `COMMAND_FAILED` when find or cpio fail.
 */
export async function packCpio(directory: string, output: string): Promise<void> {
  await runCommand('sh', [
    '-c',
    'cd "$1" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet > "$2"',
    'pack-cpio',
    directory,
    output,
  ]);
}

/**
 * Returns the cached base image for `recipe`, building it first when the cache has none: debootstrap,
 * Debian's kernel and its netfilter/bridge/veth modules, the overlay files, masked units and a busybox
 * container rootfs, packed as one cpio. Older images in the cache are removed after a build.
 *
 * @example
 * ```ts
 * const image = await ensureBaseImage(VM_IMAGE_RECIPE, { cacheDir: '/var/cache/volt-e2e', overlayDir: 'e2e/image/overlay', progress });
 * ```
 * @throws VoltError `COMMAND_FAILED` when debootstrap, apt-get, dpkg-deb, chroot or cpio fail.
 */
export async function ensureBaseImage(
  recipe: ImageRecipe,
  options: {
    readonly cacheDir: string;
    readonly overlayDir: string;
    readonly progress: Progress;
    readonly rebuild?: boolean;
  },
): Promise<BaseImage> {
  const { cacheDir, progress } = options;
  progress.stage(`image: resolving ${recipe.kernelMetapackage}`);
  const kernelPackage = await resolveKernelPackage(recipe.kernelMetapackage);
  const overlayFiles = await readTree(options.overlayDir);
  const key = imageCacheKey({
    recipe,
    kernelPackage: `${kernelPackage.name}=${kernelPackage.version}`,
    overlayFiles,
  });
  const imagesDir = join(cacheDir, 'images');
  const imageDir = join(imagesDir, key);
  const manifestPath = join(imageDir, 'manifest.json');
  if (options.rebuild === true) await rm(imageDir, { recursive: true, force: true });
  const manifest = await readFile(manifestPath, 'utf8').catch(() => undefined);
  if (manifest !== undefined) {
    const data = JSON.parse(manifest) as Omit<BaseImage, 'cached' | 'kernel' | 'cpio'>;
    progress.stage(
      `image: cached ${key} (${kernelPackage.name} ${kernelPackage.version}, ${data.bootProtocol})`,
    );
    return {
      ...data,
      key,
      kernel: join(imageDir, 'kernel'),
      cpio: join(imageDir, 'base.cpio'),
      cached: true,
    };
  }
  const began = performance.now();
  progress.stage(`image: building ${key} (not in the cache at ${imagesDir})`);
  progress.stage(
    `image: kernel ${kernelPackage.name} ${kernelPackage.version} (apt-get download + dpkg-deb -x)`,
  );
  const kernel = await fetchKernel(kernelPackage, join(cacheDir, 'kernel'));
  const staging = `${imageDir}.tmp`;
  await rm(staging, { recursive: true, force: true });
  const root = join(staging, 'root');
  await mkdir(root, { recursive: true });
  await debootstrap(recipe, root, progress);
  progress.stage('image: configuring (trim, modules, units, busybox container rootfs)');
  for (const path of recipe.trimmedPaths) {
    await rm(join(root, path), { recursive: true, force: true });
    await mkdir(join(root, path), { recursive: true });
  }
  const moduleCount = await installModules(recipe, kernel, root);
  await cp(options.overlayDir, root, { recursive: true });
  await runCommand('systemctl', ['--root', root, 'mask', ...recipe.maskedUnits]);
  await runCommand('systemctl', ['--root', root, 'enable', 'vtv-e2e.service']);
  await buildBusyboxRootfs(recipe, root);
  progress.stage(`image: packing cpio (${moduleCount} kernel modules)`);
  await packCpio(root, join(staging, 'base.cpio'));
  await copyFile(kernel.bootFile, join(staging, 'kernel'));
  await rm(root, { recursive: true, force: true });
  const buildSeconds = (performance.now() - began) / 1000;
  const image = { key, bootProtocol: kernel.bootProtocol, kernelRelease: kernel.release, buildSeconds };
  await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(image, null, 2)}\n`);
  await rename(staging, imageDir);
  for (const other of await readdir(imagesDir)) {
    if (other !== key) await rm(join(imagesDir, other), { recursive: true, force: true });
  }
  const size = (await stat(join(imageDir, 'base.cpio'))).size;
  progress.stage(
    `image: built ${key} in ${buildSeconds.toFixed(1)}s (base.cpio ${(size / 2 ** 20).toFixed(0)} MiB)`,
  );
  return { ...image, kernel: join(imageDir, 'kernel'), cpio: join(imageDir, 'base.cpio'), cached: false };
}

async function debootstrap(recipe: ImageRecipe, root: string, progress: Progress): Promise<void> {
  const mirror = process.env['VOLT_E2E_MIRROR'];
  progress.stage(
    `image: debootstrap ${recipe.suite} (${recipe.variant}, ${recipe.include.length} extra packages)`,
  );
  let lastLine = '';
  const heartbeat = setInterval(() => progress.stage(`image: debootstrap … ${lastLine}`), 10_000);
  try {
    await runCommand(
      'debootstrap',
      [
        `--variant=${recipe.variant}`,
        `--include=${recipe.include.join(',')}`,
        recipe.suite,
        root,
        ...(mirror === undefined ? [] : [mirror]),
      ],
      {
        onStdout: (text) => {
          lastLine = text.trim().split('\n').at(-1) ?? lastLine;
        },
      },
    );
  } finally {
    clearInterval(heartbeat);
  }
}

/** Copies the kernel's modules into the image, keeps only the recipe's modules and what they need. */
async function installModules(recipe: ImageRecipe, kernel: UnpackedKernel, root: string): Promise<number> {
  const modulesDir = join(root, 'lib/modules', kernel.release);
  await mkdir(join(root, 'lib/modules'), { recursive: true });
  await cp(join(kernel.root, 'lib/modules', kernel.release), modulesDir, { recursive: true });
  await runCommand('chroot', [root, 'depmod', kernel.release]);
  const dependencies = parseModulesDep(await readFile(join(modulesDir, 'modules.dep'), 'utf8'));
  const softDependencies = parseModulesSoftdep(
    await readFile(join(modulesDir, 'modules.softdep'), 'utf8').catch(() => ''),
  );
  const keep = new Set(
    moduleClosure(dependencies, softDependencies, selectModules(dependencies.keys(), recipe.modules)),
  );
  for (const path of dependencies.keys()) {
    if (!keep.has(path)) await rm(join(modulesDir, path));
  }
  await runCommand('find', [join(modulesDir, 'kernel'), '-type', 'd', '-empty', '-delete']);
  await runCommand('chroot', [root, 'depmod', kernel.release]);
  return keep.size;
}

/** A busybox tree that systemd-nspawn accepts as an OS: /usr, an os-release file, the applets as links. */
async function buildBusyboxRootfs(recipe: ImageRecipe, root: string): Promise<void> {
  const tree = join(root, 'var/lib/vtv/busybox');
  for (const directory of ['usr/bin', 'usr/lib', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'var', 'root']) {
    await mkdir(join(tree, directory), { recursive: true });
  }
  await chmod(join(tree, 'tmp'), 0o1777);
  await copyFile(join(root, 'bin/busybox'), join(tree, 'usr/bin/busybox'));
  await chmod(join(tree, 'usr/bin/busybox'), 0o755);
  for (const applet of recipe.containerApplets) await symlink('busybox', join(tree, 'usr/bin', applet));
  await symlink('usr/bin', join(tree, 'bin'));
  await symlink('usr/bin', join(tree, 'sbin'));
  await writeFile(
    join(tree, 'usr/lib/os-release'),
    'ID=busybox\nNAME=busybox\nPRETTY_NAME="busybox (Volt e2e)"\n',
  );
  await symlink('../usr/lib/os-release', join(tree, 'etc/os-release'));
  await writeFile(join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(tree, 'etc/group'), 'root:x:0:\n');
  // nspawn binds the host's files over these; under --read-only it cannot create them
  await writeFile(join(tree, 'etc/resolv.conf'), '');
  await writeFile(join(tree, 'etc/localtime'), '');
}

/**
 * A cpio layer that puts the host's node binary at /opt/vtv-e2e/node, cached by the binary's hash. The
 * host's node is linked against the same glibc and libstdc++ as Debian bookworm's.
 *
 * @example
 * ```ts
 * const layer = await ensureNodeLayer('/var/cache/volt-e2e', process.execPath);
 * ```
 * @throws VoltError `COMMAND_FAILED` when cpio fails.
 */
export async function ensureNodeLayer(cacheDir: string, nodeBinary: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(nodeBinary)) hash.update(chunk as Buffer);
  const layerDir = join(cacheDir, 'node');
  const layer = join(layerDir, `node-${hash.digest('hex').slice(0, 16)}.cpio`);
  if (
    await stat(layer).then(
      () => true,
      () => false,
    )
  )
    return layer;
  const staging = `${layer}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'opt/vtv-e2e'), { recursive: true });
  await copyFile(nodeBinary, join(staging, 'opt/vtv-e2e/node'));
  await chmod(join(staging, 'opt/vtv-e2e/node'), 0o755);
  await packCpio(staging, `${layer}.part`);
  await rm(staging, { recursive: true, force: true });
  await rename(`${layer}.part`, layer);
  for (const other of await readdir(layerDir)) {
    if (join(layerDir, other) !== layer) await rm(join(layerDir, other), { recursive: true, force: true });
  }
  return layer;
}
