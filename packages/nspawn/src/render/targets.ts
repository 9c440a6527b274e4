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

/**
 * How a status reads in a sentence or a table.
 *
 * @example
 * ```ts
 * ENFORCEMENT_STATUS_TEXT['partially-enforced']; // 'partially enforced'
 * ```
 */
export const ENFORCEMENT_STATUS_TEXT: Readonly<Record<LayerEnforcement['status'], string>> = {
  enforced: 'enforced',
  'partially-enforced': 'partially enforced',
  'not-enforced': 'not enforced',
};

/**
 * A report as a table, one row per layer in the report's order (so a layer a renderer adds shows up by
 * itself): the layer, its status and why. `paint` may style the status cell (a terminal's colours); the
 * columns are aligned on the text without it.
 *
 * @example
 * ```ts
 * formatEnforcementTable([{ layer: 'root', status: 'enforced', detail: 'root directory is read-only' }]);
 * // 'LAYER  STATUS    WHY\nroot   enforced  root directory is read-only\n'
 * ```
 */
export function formatEnforcementTable(
  enforcement: readonly LayerEnforcement[],
  paint: (status: LayerEnforcement['status'], text: string) => string = (_, text) => text,
): string {
  const layerWidth = Math.max('LAYER'.length, ...enforcement.map((entry) => entry.layer.length)) + 2;
  const statusWidth =
    Math.max('STATUS'.length, ...enforcement.map((entry) => ENFORCEMENT_STATUS_TEXT[entry.status].length)) +
    2;
  const lines = [
    `${'LAYER'.padEnd(layerWidth)}${'STATUS'.padEnd(statusWidth)}WHY`,
    ...enforcement.map((entry) => {
      const status = ENFORCEMENT_STATUS_TEXT[entry.status];
      const padding = ' '.repeat(statusWidth - status.length);
      return `${entry.layer.padEnd(layerWidth)}${paint(entry.status, status)}${padding}${entry.detail}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
