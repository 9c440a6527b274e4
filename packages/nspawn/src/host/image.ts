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
 * Refuses a container whose image ships a unit drop-in that systemd would apply at or after Volt's
 * workload drop-in (which could set the workload's command again, outside the Landlock helper). Looks
 * only when the plan wraps a workload unit; reads only directory listings, inside the rootfs as the
 * container would resolve them (the rootfs path itself is walked without following a symlink, from the
 * install root). A rootfs that does not exist yet is not checked (`volt start` checks it again).
 *
 * @throws {@link VoltError} CONFLICT naming the image's drop-ins; INVALID_PATH for a symlink or a
 *   non-directory in the rootfs path.
 * @example
 * ```ts
 * checkImageDropIns(openTreeRoot('/'), config);
 * ```
 */
export function checkImageDropIns(root: TreeDirectory, config: ValidIsolation): void {
  if (!config.boot || config.workloadUnit === undefined || !planEnforcesLandlock(config)) return;
  const found = withDirectory(openBeneath(root, config.rootfs), overridingDropIns) ?? [];
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
