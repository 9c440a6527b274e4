import { readFile } from 'node:fs/promises';
import { type LandlockPolicy, unwrap, type Valid, VoltError } from '@volt/core';
import { parseProfileText } from '@volt/core/profile';
import { landlockPolicyFromConfig } from '../model/landlockconfig.js';
import { landlockPolicyFromProfile } from '../model/policy.js';

/**
 * Reads a policy file: a landlockconfig-style JSON document (it has `ruleset`, `pathBeneath` or
 * `netPort`), or a Volt profile (JSON or YAML) whose `landlock` part is used.
 *
 * @throws {@link VoltError} `NOT_FOUND` when the file cannot be read, `PARSE_ERROR` or a validation code
 * for its contents, `INVALID_PROFILE` when a Volt profile turns Landlock off (`landlock: none`).
 * @example
 * ```ts
 * const policy = await readLandlockPolicyFile('policy.json');
 * ```
 */
export async function readLandlockPolicyFile(file: string): Promise<Valid<LandlockPolicy>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new VoltError('NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (
    typeof json === 'object' &&
    json !== null &&
    ['ruleset', 'pathBeneath', 'netPort'].some((key) => key in json)
  ) {
    return unwrap(landlockPolicyFromConfig(json));
  }
  const profile = await parseProfileText(text, file);
  if (profile.landlock === null || profile.landlock === undefined) {
    throw new VoltError(
      'INVALID_PROFILE',
      `${file} has no Landlock policy; accepted: a landlock section or a landlockconfig document`,
    );
  }
  return unwrap(landlockPolicyFromProfile(profile.landlock));
}
