import type { LandlockPolicy, Valid } from '@volt/core';
import { requestedLandlockFeatures } from '../model/compat.js';
import { LANDLOCK_FILE_RIGHTS, LANDLOCK_FS_BITS, LANDLOCK_NET_BITS, rightsMask } from '../model/rights.js';

/** The first token of every policy the helper reads; the format version follows it. */
const HELPER_POLICY_MAGIC = 'volt-landlock-policy';
/**
 * The version of the helper's policy format; the helper refuses any other. Version 2 carries the policy
 * as asked (version 1 carried it resolved for one kernel).
 */
const HELPER_POLICY_VERSION = 2;

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
 * The bytes of the helper's policy file (`volt-landlock --policy FILE`, or `--policy-fd`): the policy **as
 * asked**, so that the helper decides on the kernel where it runs what that kernel lacks, by the policy's
 * compatibility mode (the decisions of {@link resolveLandlockCompatibility}, checked against the same
 * table of cases). NUL-terminated tokens (a path may contain any byte but NUL, so nothing needs quoting),
 * numbers in decimal, in this fixed order:
 *
 * ```
 * volt-landlock-policy 2 | compatibility MODE | file-rights error|mask | file-rights-mask MASK
 * then, for every right, scope and flag asked for (requestedLandlockFeatures):
 *   feature fs|net|scope|log-flag|thread-sync BIT ABI LINUX NAME NOTE
 * then any number of: path MASK 0|1(optional) PATH, then: port MASK PORT
 * then: end
 * ```
 *
 * Each feature carries the ABI that introduced it (and the Linux release, and the note its drop reason
 * adds), so the helper needs no ABI table of its own. Nothing is checked again here.
 *
 * @example
 * ```ts
 * const bytes = renderHelperPolicy(landlockPreset('server'));
 * new TextDecoder().decode(bytes).split('\0').slice(0, 4); // ['volt-landlock-policy', '2', 'compatibility', 'best-effort']
 * ```
 */
export function renderHelperPolicy(
  policy: Valid<LandlockPolicy>,
  options: HelperPolicyOptions = {},
): Uint8Array {
  const tokens: string[] = [
    HELPER_POLICY_MAGIC,
    String(HELPER_POLICY_VERSION),
    'compatibility',
    policy.compatibility,
    'file-rights',
    options.fileRights ?? 'error',
    'file-rights-mask',
    String(rightsMask(LANDLOCK_FS_BITS, LANDLOCK_FILE_RIGHTS)),
  ];
  for (const feature of requestedLandlockFeatures(policy)) {
    tokens.push(
      'feature',
      feature.kind,
      String(feature.bit),
      String(feature.abi),
      feature.kernel,
      feature.name,
      feature.note,
    );
  }
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
