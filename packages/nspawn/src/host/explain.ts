import { release } from 'node:os';
import { VoltError } from '@volt/core';
import { SECCOMP_ARCHES } from '@volt/seccomp';
import type { ProfileLayer } from '../model/layers.js';
import { renderKubernetes } from '../render/kubernetes.js';
import { renderOciBundle } from '../render/oci.js';
import { renderPlan } from '../render/plan.js';
import type { RenderTarget, TargetEnforcement } from '../render/targets.js';
import { hostOciTarget } from './bundle.js';
import { isolationFromLayers } from './document.js';
import { hostPlanTarget } from './target.js';

/** What to report a profile's enforcement for. */
export interface EnforcementOptions {
  /** The Landlock ABI of the kernels to report for; by default this host's. */
  readonly landlockAbi?: number;
  /** `kubernetes`: the image named in the manifests (the report names it; default `IMAGE`). */
  readonly image?: string;
}

/** What one target enforces of a profile, and the kernel facts the report was made for. */
export interface ProfileEnforcement {
  /** The container's name (the profile's, or `demo`). */
  readonly name: string;
  /** The Landlock ABI the report is for (this host's unless given). */
  readonly landlockAbi: number;
  /** This host's kernel release. */
  readonly kernel: string;
  /** The target's report, layer by layer, or why it cannot run the profile at all. */
  readonly report: TargetEnforcement;
}

/**
 * What a target enforces of an untrusted profile (its layers, as `readProfileLayers` gives them), layer by layer, on this host (its Landlock ABI,
 * its architecture, its memory) or for the kernels of `options.landlockAbi`: the report each renderer
 * makes (`renderPlan`, `renderOciBundle`, `renderKubernetes`), so that a layer a renderer reports on shows
 * up here by itself. A target that cannot run the profile (UNSUPPORTED) gives its reason instead.
 *
 * @throws {@link VoltError} the profile's first problem; the probe's codes.
 * @example
 * ```ts
 * const profile = { source: { kind: 'profile' }, document: { name: 'web', boot: false, command: ['/bin/app'] } } as const;
 * const { report } = await enforcementOnHost([profile], 'oci');
 * ```
 */
export async function enforcementOnHost(
  layers: readonly ProfileLayer[],
  target: RenderTarget,
  options: EnforcementOptions = {},
): Promise<ProfileEnforcement> {
  const config = isolationFromLayers(layers).isolation;
  const host = await hostPlanTarget();
  const landlockAbi = options.landlockAbi ?? host.landlockAbi;
  const enforcement = async () => {
    switch (target) {
      case 'nspawn':
        return renderPlan(config, { ...host, landlockAbi }).enforcement;
      case 'oci':
        return renderOciBundle(config, { ...(await hostOciTarget('.')), landlockAbi }).enforcement;
      case 'kubernetes':
        return renderKubernetes(config, {
          landlockAbi,
          image: options.image ?? 'IMAGE',
          kind: 'pod',
          // a cluster may mix architectures: the profile lists every one Volt knows
          architectures: SECCOMP_ARCHES,
        }).enforcement;
    }
  };
  let report: TargetEnforcement;
  try {
    report = { target, enforcement: await enforcement() };
  } catch (error) {
    if (!VoltError.isInstance(error) || error.code !== 'UNSUPPORTED') throw error;
    report = { target, refused: error.message };
  }
  return { name: config.name, landlockAbi, kernel: release(), report };
}
