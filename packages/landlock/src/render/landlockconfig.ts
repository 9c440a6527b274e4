import type { LandlockPolicy, Valid } from '@volt/core';
import { requiredLandlockAbi } from '../model/compat.js';
import type { LandlockConfigDocument } from '../model/landlockconfig.js';

/** landlockconfig spells rights with underscores: `read_file`. */
const toConfigName = (name: string): string => name.replaceAll('-', '_');

/** The rules in runs of neighbours that grant the same rights (a valid policy lists rights in bit order). */
function runsOfSameAccess<R extends { readonly access: readonly string[] }>(rules: readonly R[]): R[][] {
  const runs: R[][] = [];
  for (const rule of rules) {
    const run = runs.at(-1);
    if (run?.[0]?.access.join() === rule.access.join()) run?.push(rule);
    else runs.push([rule]);
  }
  return runs;
}

/**
 * Writes a policy as a landlockconfig-style JSON document. Rules with the same rights that follow each
 * other share one `pathBeneath` / `netPort` entry, so that reading the document back gives the same policy
 * in the same order. `abi` is the lowest ABI that enforces everything. With `{ volt: false }` the `volt`
 * object is left out, for strict landlockconfig readers; the compatibility mode, logging flags, thread sync
 * and optional paths are then lost.
 *
 * @example
 * ```ts
 * landlockPolicyToConfig(withRules(landlockPolicy({ abi: 4 }), bindTcp(80))).netPort; // [{ allowedAccess: ['bind_tcp'], port: [80] }]
 * landlockPolicyToConfig(landlockPreset('server', { abi: 3 }), { volt: false }).volt; // undefined
 * ```
 */
export function landlockPolicyToConfig(
  policy: Valid<LandlockPolicy>,
  options: { readonly volt?: boolean } = {},
): LandlockConfigDocument {
  const ruleset = {
    ...(policy.handledFs.length > 0 ? { handledAccessFs: policy.handledFs.map(toConfigName) } : {}),
    ...(policy.handledNet.length > 0 ? { handledAccessNet: policy.handledNet.map(toConfigName) } : {}),
    ...(policy.scopes.length > 0 ? { scoped: policy.scopes.map(toConfigName) } : {}),
  };
  const pathBeneath = runsOfSameAccess(policy.paths).map((group) => ({
    allowedAccess: (group[0]?.access ?? []).map(toConfigName),
    parent: group.map((rule) => rule.path),
  }));
  const netPort = runsOfSameAccess(policy.ports).map((group) => ({
    allowedAccess: (group[0]?.access ?? []).map(toConfigName),
    port: group.map((rule) => rule.port),
  }));
  const optional = policy.paths.filter((rule) => rule.optional).map((rule) => rule.path);
  return {
    abi: Math.max(1, requiredLandlockAbi(policy)),
    ...(Object.keys(ruleset).length > 0 ? { ruleset: [ruleset] } : {}),
    ...(pathBeneath.length > 0 ? { pathBeneath } : {}),
    ...(netPort.length > 0 ? { netPort } : {}),
    ...(options.volt === false
      ? {}
      : {
          volt: {
            compatibility: policy.compatibility,
            logFlags: policy.logFlags,
            threadSync: policy.threadSync,
            optional,
          },
        }),
  };
}

/**
 * A policy as landlockconfig JSON text ({@link landlockPolicyToConfig}), indented by two spaces, with a
 * final newline: the file Volt installs next to a container to say what was asked for.
 *
 * @example
 * ```ts
 * formatLandlockConfig(landlockPreset('server')).startsWith('{\n  "abi": '); // true
 * ```
 */
export function formatLandlockConfig(
  policy: Valid<LandlockPolicy>,
  options: { readonly volt?: boolean } = {},
): string {
  return `${JSON.stringify(landlockPolicyToConfig(policy, options), null, 2)}\n`;
}
