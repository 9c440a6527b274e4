import type { LandlockResolution } from '../model/compat.js';
import {
  LANDLOCK_FILE_RIGHTS,
  LANDLOCK_FS_BITS,
  LANDLOCK_LOG_FLAG_BITS,
  LANDLOCK_NET_BITS,
  LANDLOCK_SCOPE_BITS,
  LANDLOCK_THREAD_SYNC_BIT,
  rightsMask,
} from '../model/rights.js';

/** The first token of every policy the helper reads; the format version follows it. */
const HELPER_POLICY_MAGIC = 'volt-landlock-policy';
/** The version of the helper's policy format; the helper refuses any other. */
const HELPER_POLICY_VERSION = 1;

/** What the helper does with a rule that grants directory-only rights on a file. */
export type LandlockFileRightsMode = 'error' | 'mask';

/** Options for {@link renderHelperPolicy}. */
export interface HelperPolicyOptions {
  /**
   * `error` (default): a rule that grants a directory-only right (e.g. `make-dir`) on a path that is not a
   * directory stops the helper with an error, as the kernel would (EINVAL). `mask`: those rights are
   * removed from that rule, and the status says so.
   */
  readonly fileRights?: LandlockFileRightsMode;
}

/**
 * The bytes of the helper's policy file (`volt-landlock --policy FILE`, or `--policy-fd`) for a policy
 * resolved for a kernel: NUL-terminated tokens (a path may contain any byte but NUL, so nothing needs
 * quoting), numbers in decimal, in this fixed order:
 *
 * ```
 * volt-landlock-policy 1 | abi N | fs MASK | net MASK | scoped MASK | restrict-flags MASK
 * | file-rights error|mask | file-rights-mask MASK | unavailable fail|run
 * then any number of: path MASK 0|1(optional) PATH | port MASK PORT
 * then: end
 * ```
 *
 * `abi` is the lowest ABI that enforces the policy: the helper refuses to run on an older kernel rather
 * than enforce less. `unavailable run` (best-effort only) lets the workload run unconfined when the kernel
 * has no Landlock at all, and the helper reports that. The resolution comes from
 * {@link resolveLandlockCompatibility}; nothing is checked again here.
 *
 * @example
 * ```ts
 * import { unwrap } from '@volt/core';
 * const resolution = unwrap(resolveLandlockCompatibility(landlockPreset('server'), { abi: 7 }));
 * const bytes = renderHelperPolicy(resolution);
 * new TextDecoder().decode(bytes).split('\0').slice(0, 4); // ['volt-landlock-policy', '1', 'abi', '5']
 * ```
 */
export function renderHelperPolicy(
  resolution: LandlockResolution,
  options: HelperPolicyOptions = {},
): Uint8Array {
  const { policy } = resolution;
  const restrictFlags =
    rightsMask(LANDLOCK_LOG_FLAG_BITS, policy.logFlags) | (policy.threadSync ? LANDLOCK_THREAD_SYNC_BIT : 0);
  const tokens: string[] = [
    HELPER_POLICY_MAGIC,
    String(HELPER_POLICY_VERSION),
    'abi',
    String(resolution.requiredAbi),
    'fs',
    String(rightsMask(LANDLOCK_FS_BITS, policy.handledFs)),
    'net',
    String(rightsMask(LANDLOCK_NET_BITS, policy.handledNet)),
    'scoped',
    String(rightsMask(LANDLOCK_SCOPE_BITS, policy.scopes)),
    'restrict-flags',
    String(restrictFlags),
    'file-rights',
    options.fileRights ?? 'error',
    'file-rights-mask',
    String(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_FILE_RIGHTS)),
    'unavailable',
    policy.compatibility === 'best-effort' ? 'run' : 'fail',
  ];
  for (const rule of policy.paths) {
    tokens.push(
      'path',
      String(rightsMask(LANDLOCK_FS_BITS, rule.access)),
      rule.optional ? '1' : '0',
      rule.path,
    );
  }
  for (const rule of policy.ports) {
    tokens.push('port', String(rightsMask(LANDLOCK_NET_BITS, rule.access)), String(rule.port));
  }
  tokens.push('end');
  return new TextEncoder().encode(`${tokens.join('\0')}\0`);
}
