import { ISOLATION_LAYERS, type LayerEnforcement } from './plan.js';

/** The targets a profile is rendered for. */
export const RENDER_TARGETS = ['nspawn', 'oci', 'kubernetes'] as const;
/** One of {@link RENDER_TARGETS}. */
export type RenderTarget = (typeof RENDER_TARGETS)[number];

/** What one target enforces of a profile, or why it cannot run the profile at all. */
export type TargetEnforcement =
  | { readonly target: RenderTarget; readonly enforcement: readonly LayerEnforcement[] }
  | { readonly target: RenderTarget; readonly refused: string };

/**
 * What several targets enforce of the same profile, layer by layer, side by side: for each layer one line
 * per target with its status and why.
 *
 * @example
 * ```ts
 * formatEnforcementByTarget([{ target: 'nspawn', enforcement: plan.enforcement }, { target: 'oci', enforcement: bundle.enforcement }]);
 * // 'landlock\n  nspawn      enforced            every rule is enforced\n  oci         enforced  …'
 * ```
 */
export function formatEnforcementByTarget(reports: readonly TargetEnforcement[]): string {
  const width = Math.max(...reports.map((report) => report.target.length)) + 2;
  const refusals = reports.flatMap((report) =>
    'refused' in report ? [`${report.target.padEnd(width)}cannot run this profile: ${report.refused}`] : [],
  );
  const layers = ISOLATION_LAYERS.map((layer) => {
    const lines = reports.flatMap((report) => {
      if ('refused' in report) return [];
      const entry = report.enforcement.find((candidate) => candidate.layer === layer);
      return entry === undefined
        ? []
        : [`  ${report.target.padEnd(width)}${entry.status.padEnd(20)}${entry.detail}`];
    });
    return [layer, ...lines].join('\n');
  });
  return `${[...layers, ...refusals].join('\n')}\n`;
}
