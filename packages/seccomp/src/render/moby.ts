import type { Valid } from '@volt/core';
import type { MobySeccompProfile } from '../model/moby.js';

/**
 * Renders a Docker/moby profile as JSON (2-space indented), e.g. after import, unchanged: the fields
 * are written exactly as {@link parseMobySeccompProfile} read them.
 *
 * @example
 * ```ts
 * JSON.parse(exportMobySeccompProfile(unwrap(parseMobySeccompProfile(json)))); // deep-equals json
 * ```
 */
export function exportMobySeccompProfile(profile: Valid<MobySeccompProfile>): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}
