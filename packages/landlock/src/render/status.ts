import type { LandlockStatus } from '../model/compat.js';

/**
 * The status as text for a terminal: one line, plus one indented line per dropped feature.
 *
 * @example
 * ```ts
 * const resolution = resolveLandlockCompatibility(landlockPolicy(), { abi: 7 });
 * resolution.ok && formatLandlockStatus(resolution.value.status);
 * // landlock: partially enforced (ABI 7, soft-requirement), 1 dropped:
 * //   fs:resolve-unix: needs Landlock ABI 9 (Linux 7.1); this kernel has ABI 7
 * ```
 */
export function formatLandlockStatus(status: LandlockStatus): string {
  const head = `landlock: ${status.enforcement} enforced (ABI ${status.abi}, ${status.compatibility})`;
  if (status.dropped.length === 0) return `${head}\n`;
  const lines = status.dropped.map(
    (item) => `  ${JSON.stringify(item.feature).slice(1, -1)}: ${item.reason}\n`,
  );
  return `${head}, ${status.dropped.length} dropped:\n${lines.join('')}`;
}
