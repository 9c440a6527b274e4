// The shared table of downgrade cases (spec/downgrade-cases.json), read for the unit tests (against
// resolveLandlockCompatibility) and the kernel tests (against the helper).
import { readFileSync } from 'node:fs';
import type {
  LandlockCompatibility,
  LandlockFsRight,
  LandlockLogFlag,
  LandlockNetRight,
  LandlockPolicy,
  LandlockScope,
  Valid,
} from '@volt/core';
import type { LandlockDropped, LandlockEnforcement } from '../src/model/compat.js';
import { parseLandlockPolicy } from '../src/model/policy.js';

/** What a kernel keeps of a policy: handled rights, scopes, flags, and the rules with their rights. */
export interface KeptPolicy {
  readonly handledFs: readonly LandlockFsRight[];
  readonly handledNet: readonly LandlockNetRight[];
  readonly scopes: readonly LandlockScope[];
  readonly logFlags: readonly LandlockLogFlag[];
  readonly threadSync: boolean;
  readonly paths: readonly { readonly path: string; readonly access: readonly LandlockFsRight[] }[];
  readonly ports: readonly { readonly port: number; readonly access: readonly LandlockNetRight[] }[];
}

/** The outcome a case expects: the failure's message, or what is kept and dropped. */
export type DowngradeOutcome =
  | { readonly failure: string }
  | {
      readonly enforcement: LandlockEnforcement;
      readonly kept: KeptPolicy;
      readonly dropped: readonly LandlockDropped[];
    };

/** One case: a policy as asked, a kernel ABI, the outcome. */
export interface DowngradeCase {
  readonly name: string;
  readonly policy: Valid<LandlockPolicy>;
  readonly abi: number;
  readonly expect: DowngradeOutcome;
}

interface CaseFile {
  readonly policies: Readonly<Record<string, object>>;
  readonly cases: readonly {
    readonly name: string;
    readonly policy: string;
    readonly compatibility: LandlockCompatibility;
    readonly abi: number;
    readonly expect: DowngradeOutcome;
  }[];
}

/** Every case of the table, its policy parsed by the one validator. */
export function downgradeCases(): DowngradeCase[] {
  const file = JSON.parse(
    readFileSync(new URL('../spec/downgrade-cases.json', import.meta.url), 'utf8'),
  ) as CaseFile;
  return file.cases.map((entry) => {
    const parsed = parseLandlockPolicy({
      ...file.policies[entry.policy],
      compatibility: entry.compatibility,
    });
    if (!parsed.ok) throw parsed.error;
    if (parsed.value === null) throw new Error(`${entry.name}: the policy is none`);
    return { name: entry.name, policy: parsed.value, abi: entry.abi, expect: entry.expect };
  });
}
