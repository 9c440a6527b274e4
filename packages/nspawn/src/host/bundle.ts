import { chmod, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readHostResources } from '@volt/cgroups';
import { unwrap, VoltError } from '@volt/core';
import { landlockHelperPath, probeLandlock } from '@volt/landlock';
import { seccompArchOfNode } from '@volt/seccomp';
import { formatKubernetesManifests, type KubernetesManifests } from '../render/kubernetes.js';
import type { OciBundle, OciTarget } from '../render/oci.js';
import type { PlannedFile } from '../render/plan.js';

/**
 * Facts about this host for an OCI bundle in `bundle` (made absolute): its Landlock ABI, the helper
 * binary, its seccomp architecture, its memory and task limits (for limits given as percentages).
 *
 * @throws {@link VoltError} UNSUPPORTED on an architecture without a seccomp filter; the probe's codes.
 * @example
 * ```ts
 * const target = await hostOciTarget('web-bundle'); // { bundle: '/home/me/web-bundle', landlockAbi: 7, … }
 * ```
 */
export async function hostOciTarget(bundle: string): Promise<OciTarget> {
  const landlockHelper = landlockHelperPath();
  return {
    bundle: resolve(bundle),
    landlockAbi: (await probeLandlock(landlockHelper)).abi,
    landlockHelper,
    architectures: [unwrap(seccompArchOfNode(process.arch))],
    host: await readHostResources(),
  };
}

/**
 * Writes planned files: each into a temporary file next to it, renamed into place once written, so that
 * no file is ever half-written; parent directories are made as needed.
 *
 * @throws {@link VoltError} SYSTEM_ERROR naming the file that could not be written.
 * @example
 * ```ts
 * await writePlannedFiles(renderOciBundle(config, target).files);
 * ```
 */
export async function writePlannedFiles(files: readonly PlannedFile[]): Promise<void> {
  for (const file of files) {
    const temporary = `${file.path}.volt-tmp`;
    try {
      await mkdir(dirname(file.path), { recursive: true, mode: 0o755 });
      const { content } = file;
      if ('copyOf' in content) await copyFile(content.copyOf, temporary);
      else await writeFile(temporary, 'text' in content ? content.text : content.bytes);
      await chmod(temporary, file.mode);
      await rename(temporary, file.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new VoltError('SYSTEM_ERROR', `cannot write ${file.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/**
 * Writes a runnable OCI bundle: `config.json`, the resolv.conf and, with a Landlock policy, the helper and
 * its policy under `volt/`. Run it with `crun run --bundle DIR NAME` or `runc run --bundle DIR NAME`.
 *
 * @throws {@link VoltError} SYSTEM_ERROR as {@link writePlannedFiles}.
 * @example
 * ```ts
 * await writeOciBundle(renderOciBundle(config, await hostOciTarget('web-bundle')));
 * ```
 */
export async function writeOciBundle(bundle: OciBundle): Promise<void> {
  await writePlannedFiles(bundle.files);
}

/**
 * The files of Kubernetes manifests in `directory`: `NAME.yaml`, the seccomp profile at
 * `seccomp/volt-NAME.json` (the layout of the kubelet's seccomp directory, so that `seccomp/` can be copied
 * to `/var/lib/kubelet/` on every node, or handed to `podman kube play --seccomp-profile-root`) and, with a
 * Landlock policy, a copy of the helper to put into the image.
 *
 * @example
 * ```ts
 * (await kubernetesFiles(manifests, '/srv/out', 'web', helper)).map((file) => file.path);
 * // ['/srv/out/web.yaml', '/srv/out/seccomp/volt-web.json', '/srv/out/volt-landlock']
 * ```
 */
export async function kubernetesFiles(
  manifests: KubernetesManifests,
  directory: string,
  name: string,
  landlockHelper: string,
): Promise<readonly PlannedFile[]> {
  const root = resolve(directory);
  const files: PlannedFile[] = [
    {
      path: `${root}/${name}.yaml`,
      mode: 0o644,
      content: { text: await formatKubernetesManifests(manifests) },
      purpose: 'Kubernetes manifests',
    },
  ];
  if (manifests.seccompProfile !== undefined) {
    files.push({
      path: `${root}/seccomp/${manifests.seccompProfile.localhostProfile}`,
      mode: 0o644,
      content: { text: `${JSON.stringify(manifests.seccompProfile.profile, null, 2)}\n` },
      purpose: `seccomp profile for every node, at ${manifests.seccompProfile.nodePath}`,
    });
  }
  if (manifests.objects.some((object) => object.kind === 'ConfigMap')) {
    files.push({
      path: `${root}/volt-landlock`,
      mode: 0o755,
      content: { copyOf: landlockHelper },
      purpose: 'the Landlock helper, for the image',
    });
  }
  return files;
}
