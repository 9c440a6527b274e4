import {
  fail,
  type LandlockCompatibility,
  type LandlockPolicy,
  ok,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { type LandlockAbi, landlockAbiFeatures, landlockAbiOf } from './abi.js';

/** How much of a policy the kernel enforces. */
export type LandlockEnforcement = 'fully' | 'partially' | 'not';

/** A part of the policy that is not enforced, and why. */
export interface LandlockDropped {
  /** `fs:refer`, `net:bind-tcp`, `scope:signal`, `log-flag:…`, `thread-sync`, `path:/x`, `port:80`. */
  readonly feature: string;
  readonly reason: string;
}

/** The outcome of applying a policy: always returned, never a silent success. */
export interface LandlockStatus {
  readonly enforcement: LandlockEnforcement;
  /** The kernel's Landlock ABI (0: not available). */
  readonly abi: number;
  /** The kernel's Landlock errata bit mask (fixed bugs), 0 when unknown. */
  readonly errata: number;
  readonly compatibility: LandlockCompatibility;
  readonly dropped: readonly LandlockDropped[];
}

/**
 * A policy cut down to what one kernel supports, with the status that explains the cut: what
 * {@link resolveLandlockCompatibility} returns, and what the helper's policy is rendered from.
 */
export interface LandlockResolution {
  /** Only features the kernel supports; what remains is enforced exactly. */
  readonly policy: Valid<LandlockPolicy>;
  /** The lowest ABI that enforces `policy` (0 when nothing is left to enforce). */
  readonly requiredAbi: LandlockAbi;
  readonly status: LandlockStatus;
}

/** What the running kernel offers, as found by the probe. */
export interface LandlockKernel {
  readonly abi: number;
  readonly errata?: number;
}

function missing(feature: Parameters<typeof landlockAbiOf>[0], abi: number): string {
  const needed = landlockAbiOf(feature);
  const kernel = landlockAbiFeatures(needed).kernel;
  return abi === 0
    ? `Landlock is not available on this kernel (it needs ABI ${needed}, Linux ${kernel})`
    : `needs Landlock ABI ${needed} (Linux ${kernel}); this kernel has ABI ${abi}`;
}

/** Cuts each rule's rights to the handled ones; a rule left without rights goes, and is reported. */
function keepHandled<R extends { readonly access: readonly A[] }, A>(
  rules: readonly R[],
  handled: readonly A[],
  feature: (rule: R) => string,
  dropped: LandlockDropped[],
): R[] {
  return rules.flatMap((rule) => {
    const access = rule.access.filter((right) => handled.includes(right));
    if (access.length === rule.access.length) return [rule];
    if (access.length > 0) return [{ ...rule, access }];
    dropped.push({ feature: feature(rule), reason: 'every right of the rule was dropped' });
    return [];
  });
}

/**
 * Cuts a validated policy down to what a kernel supports and decides, by the policy's compatibility mode,
 * whether that is acceptable:
 *
 * - `best-effort`: drop every unsupported feature; always succeeds, even when nothing is left.
 * - `soft-requirement`: drop unsupported features, but fail when nothing at all is left to enforce.
 * - `hard-requirement`: fail when anything asked for is unsupported.
 *
 * Dropping a handled right means the workload is no longer restricted for it. A rule whose rights were
 * all dropped goes too. The status lists every dropped feature with its reason.
 *
 * @throws never; failures come back as a Result with code `UNSUPPORTED`.
 * @example
 * ```ts
 * const policy = withRestrictFlags(landlockPolicy({ compatibility: 'best-effort' }), { threadSync: true });
 * const result = resolveLandlockCompatibility(policy, { abi: 7 });
 * result.ok && result.value.status.dropped.map((item) => item.feature); // ['fs:resolve-unix', 'thread-sync']
 * resolveLandlockCompatibility(withCompatibility(policy, 'hard-requirement'), { abi: 7 }).ok; // false, code UNSUPPORTED
 * ```
 */
export function resolveLandlockCompatibility(
  policy: Valid<LandlockPolicy>,
  kernel: LandlockKernel,
): Result<LandlockResolution> {
  const abi = Math.max(0, Math.trunc(kernel.abi));
  const features = landlockAbiFeatures(abi);
  const dropped: LandlockDropped[] = [];

  const handledFs = policy.handledFs.filter((right) => {
    if (features.fs.includes(right)) return true;
    const note =
      right === 'refer'
        ? '; note: without it the kernel still denies every rename and link across directories (EXDEV)'
        : '';
    dropped.push({ feature: `fs:${right}`, reason: `${missing({ fs: right }, abi)}${note}` });
    return false;
  });
  const handledNet = policy.handledNet.filter((right) => {
    if (features.net.includes(right)) return true;
    dropped.push({ feature: `net:${right}`, reason: missing({ net: right }, abi) });
    return false;
  });
  const scopes = policy.scopes.filter((scope) => {
    if (features.scopes.includes(scope)) return true;
    dropped.push({ feature: `scope:${scope}`, reason: missing({ scope }, abi) });
    return false;
  });
  const enforcesSomething = handledFs.length + handledNet.length + scopes.length > 0;
  const logFlags = policy.logFlags.filter((flag) => {
    if (features.logFlags.includes(flag) && enforcesSomething) return true;
    const reason = enforcesSomething ? missing({ logFlag: flag }, abi) : 'nothing is left to enforce';
    dropped.push({ feature: `log-flag:${flag}`, reason });
    return false;
  });
  let threadSync = policy.threadSync;
  if (threadSync && !(features.threadSync && enforcesSomething)) {
    const reason = enforcesSomething ? missing({ threadSync: true }, abi) : 'nothing is left to enforce';
    dropped.push({ feature: 'thread-sync', reason });
    threadSync = false;
  }
  const paths = keepHandled(policy.paths, handledFs, (rule) => `path:${rule.path}`, dropped);
  const ports = keepHandled(policy.ports, handledNet, (rule) => `port:${rule.port}`, dropped);

  const enforcement: LandlockEnforcement = !enforcesSomething
    ? 'not'
    : handledFs.length < policy.handledFs.length ||
        handledNet.length < policy.handledNet.length ||
        scopes.length < policy.scopes.length ||
        threadSync !== policy.threadSync
      ? 'partially'
      : 'fully';
  const requested = policy.handledFs.length + policy.handledNet.length + policy.scopes.length > 0;

  if (policy.compatibility === 'hard-requirement' && dropped.length > 0) {
    return fail(
      new VoltError(
        'UNSUPPORTED',
        `this kernel cannot enforce the whole policy (hard requirement): ${dropped.map((item) => `${item.feature}: ${item.reason}`).join('; ')}`,
        { hint: 'run on a newer kernel, remove these features, or use best-effort / soft-requirement' },
      ),
    );
  }
  if (policy.compatibility === 'soft-requirement' && requested && !enforcesSomething) {
    return fail(
      new VoltError(
        'UNSUPPORTED',
        `this kernel can enforce nothing of the policy (soft requirement): ${dropped.map((item) => `${item.feature}: ${item.reason}`).join('; ')}`,
        { hint: 'run on a kernel with Landlock enabled, or use best-effort to run unconfined' },
      ),
    );
  }

  // A valid policy with handled rights, scopes and flags taken away, and the rules cut to match, is valid.
  const cut: LandlockPolicy = {
    ...policy,
    handledFs,
    handledNet,
    scopes,
    logFlags,
    threadSync,
    paths,
    ports,
  };
  const resolved = cut as Valid<LandlockPolicy>;
  return ok({
    policy: resolved,
    requiredAbi: requiredLandlockAbi(resolved),
    status: { enforcement, abi, errata: kernel.errata ?? 0, compatibility: policy.compatibility, dropped },
  });
}

/**
 * The lowest ABI version that can enforce every feature of a policy (0 when it enforces nothing).
 *
 * @example
 * ```ts
 * requiredLandlockAbi(landlockPreset('server', { abi: 3 })); // 3
 * ```
 */
export function requiredLandlockAbi(policy: LandlockPolicy): LandlockAbi {
  const abis: LandlockAbi[] = [
    ...policy.handledFs.map((fs) => landlockAbiOf({ fs })),
    ...policy.handledNet.map((net) => landlockAbiOf({ net })),
    ...policy.scopes.map((scope) => landlockAbiOf({ scope })),
    ...policy.logFlags.map((logFlag) => landlockAbiOf({ logFlag })),
    ...(policy.threadSync ? [landlockAbiOf({ threadSync: true })] : []),
  ];
  return Math.max(0, ...abis) as LandlockAbi;
}
