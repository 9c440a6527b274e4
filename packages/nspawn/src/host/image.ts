import type { ValidIsolation } from '@volt/core';
import { VoltError } from '@volt/core';
import { IMAGE_UNIT_DIRECTORIES, overridesWorkloadDropIn } from '../model/drop-ins.js';
import { planEnforcesLandlock } from '../model/isolation.js';
import { WORKLOAD_DROP_IN_NAME } from '../model/paths.js';
import {
  directoryIdentity,
  listDirectory,
  openBeneath,
  openInRoot,
  type TreeDirectory,
  withDirectory,
} from './tree.js';

/**
 * The drop-ins of an image that systemd would apply at or after Volt's, as paths inside the image. A unit
 * directory reached again under another name (`/lib` is a link to `usr/lib` in a merged-/usr image) is
 * listed once, under its first name.
 */
function overridingDropIns(rootfs: TreeDirectory): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const unitDirectory of IMAGE_UNIT_DIRECTORIES) {
    const dropInDirectories =
      withDirectory(openInRoot(rootfs, unitDirectory), (directory) => {
        const identity = directoryIdentity(directory);
        if (seen.has(identity)) return [];
        seen.add(identity);
        return listDirectory(directory).filter((entry) => entry.endsWith('.d'));
      }) ?? [];
    for (const entry of dropInDirectories) {
      const names =
        withDirectory(openInRoot(rootfs, `${unitDirectory}/${entry}`), (directory) =>
          listDirectory(directory).filter(overridesWorkloadDropIn),
        ) ?? [];
      found.push(...names.map((name) => `${unitDirectory}/${entry}/${name}`));
    }
  }
  return found;
}

/**
 * Checks a container's root directory on the host before Volt installs or starts it: its path is walked
 * from the install root without following a symlink, so that a rootfs reached through a link (to `/etc`,
 * say, past the lexical check of `rootfsProblem`) or anything but a directory is refused; a rootfs that
 * does not exist yet passes (`volt start` checks again). For a booting container whose workload unit
 * Landlock wraps, the image must not ship a unit drop-in that systemd would apply at or after Volt's
 * (it could set the workload's command again, outside the Landlock helper): only directory listings are
 * read, inside the rootfs as the container would resolve them.
 *
 * @throws {@link VoltError} CONFLICT naming the image's drop-ins; INVALID_PATH for a symlink or a
 *   non-directory in the rootfs path.
 * @example
 * ```ts
 * checkRootfs(openTreeRoot('/'), config);
 * ```
 */
export function checkRootfs(root: TreeDirectory, config: ValidIsolation): void {
  const found =
    withDirectory(openBeneath(root, config.rootfs), (rootfs) =>
      config.boot && config.workloadUnit !== undefined && planEnforcesLandlock(config)
        ? overridingDropIns(rootfs)
        : [],
    ) ?? [];
  if (found.length === 0) return;
  throw new VoltError(
    'CONFLICT',
    `the image in ${config.rootfs} ships ${found.join(', ')}, which systemd applies after Volt's ${WORKLOAD_DROP_IN_NAME}: it could run ${config.workloadUnit} outside the Landlock helper; accepted: an image whose unit drop-ins are named before ${WORKLOAD_DROP_IN_NAME}`,
    {
      path: ['rootfs'],
      hint: `rename or remove ${found[0]} in the image (drop-ins sorting before ${WORKLOAD_DROP_IN_NAME} are fine: Volt's resets every Exec*= list after them)`,
    },
  );
}
